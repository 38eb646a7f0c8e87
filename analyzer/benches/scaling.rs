//! Scaling benchmark (issue 3): a crate with the same program replicated
//! N times must be analyzed in time that grows linearly with N.
//!
//! ```sh
//! cargo bench -p cargo-tapi-lint --bench scaling            # 1, 10, 100 (+ 1000 if fast enough)
//! cargo bench -p cargo-tapi-lint --bench scaling -- 1 10 50 # chosen sizes
//! ```
//!
//! For each size the bench writes, in a temporary directory, a cargo
//! package whose `src/main.rs` declares `mod m0; mod m1; ...`; every
//! `src/mK.rs` holds the same program: a few fixtures of
//! `fixtures/src/bin/` (read at bench time, `//~` expectations stripped,
//! `fn main` renamed `pub fn run`), each in an inline `mod` of its own. The
//! package is discovered once (`cargo metadata`, timed apart), then the
//! library pipeline — [`driver::analyze`] and rendering the findings in the
//! `short` format to a buffer — runs [`REPS`] times; the median is
//! reported. The number of findings must be exactly N times the number for
//! one replica.
//!
//! Run without `--bench` (`cargo test --benches`), it only checks the
//! finding counts on 1 and 2 replicas, once each.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tapi_lint::cli;
use tapi_lint::discover::{self, Selection};
use tapi_lint::driver::{self, Analysis, AnalyzeOptions};
use tapi_lint::report::{self, EmitOptions, Format};
use tapi_lint::stack;

/// The fixtures one replica is made of: (file under `fixtures/src/bin`,
/// name of its inline module).
const FIXTURES: &[(&str, &str)] = &[
    ("realistic_tapi2_dialer.rs", "dialer"),
    ("realistic_caller_id_monitor.rs", "caller_id_monitor"),
    ("clean_open_all_lines_vec.rs", "open_all_lines"),
    ("leak_app_question_mark.rs", "first_voice_line"),
];

/// Timed runs per size.
const REPS: usize = 5;
/// Sizes measured by default.
const SIZES: &[usize] = &[1, 10, 100];
/// Measured too when the estimate of its `REPS` runs stays under this.
const BIG_SIZE: usize = 1000;
const BIG_BUDGET: Duration = Duration::from_secs(60);

/// One replica's source and how many findings its fixtures expect.
struct Program {
    text: String,
    expected: usize,
}

/// Builds one replica module from the fixtures.
fn program() -> Result<Program, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/src/bin");
    let mut text = String::from("// One replica: fixtures of tapi-lint, one inline module each.\n");
    let mut expected = 0;
    let mut runs = String::new();
    for (file, module) in FIXTURES {
        let path = dir.join(file);
        let source = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut body = String::new();
        let mut mains = 0;
        for line in source.lines() {
            let line = match line.find("//~") {
                Some(at) => {
                    expected += 1;
                    let code = line[..at].trim_end();
                    if code.is_empty() {
                        continue;
                    }
                    code
                }
                None => line,
            };
            let line = match line.strip_prefix("fn main()") {
                Some(rest) => {
                    mains += 1;
                    body.push_str("    pub fn run()");
                    body.push_str(rest);
                    body.push('\n');
                    continue;
                }
                None => line,
            };
            if !line.is_empty() {
                body.push_str("    ");
            }
            body.push_str(line);
            body.push('\n');
        }
        if mains != 1 {
            return Err(format!(
                "{}: expected one `fn main()`, found {mains}",
                path.display()
            ));
        }
        text.push_str(&format!("\npub mod {module} {{\n{body}}}\n"));
        runs.push_str(&format!("    {module}::run();\n"));
    }
    text.push_str(&format!("\npub fn run_all() {{\n{runs}}}\n"));
    Ok(Program { text, expected })
}

/// The generated package.
struct Package {
    _dir: tempfile::TempDir,
    manifest: PathBuf,
    lines: usize,
    bytes: usize,
}

fn write_package(program: &Program, replicas: usize) -> Result<Package, String> {
    let dir = tempfile::Builder::new()
        .prefix("tapi-lint-scaling-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let src = dir.path().join("src");
    let io = |e: std::io::Error| format!("cannot write the generated package: {e}");
    std::fs::create_dir(&src).map_err(io)?;
    let manifest = dir.path().join("Cargo.toml");
    // `[workspace]`: a package of its own, whatever encloses the temp dir.
    let cargo_toml = format!(
        "[package]\nname = \"scaling-{replicas}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nwindows-sys = {{ version = \"0.61.2\", features = [\"Win32_Devices_Tapi\"] }}\n\n\
         [workspace]\n"
    );
    std::fs::write(&manifest, cargo_toml).map_err(io)?;
    let mut main = String::new();
    for k in 0..replicas {
        main.push_str(&format!("mod m{k};\n"));
    }
    main.push_str("\nfn main() {\n");
    for k in 0..replicas {
        main.push_str(&format!("    m{k}::run_all();\n"));
    }
    main.push_str("}\n");
    let (mut lines, mut bytes) = (main.lines().count(), main.len());
    std::fs::write(src.join("main.rs"), &main).map_err(io)?;
    for k in 0..replicas {
        std::fs::write(src.join(format!("m{k}.rs")), &program.text).map_err(io)?;
        lines += program.text.lines().count();
        bytes += program.text.len();
    }
    Ok(Package {
        _dir: dir,
        manifest,
        lines,
        bytes,
    })
}

/// `cargo metadata` on the package, through the CLI's own arguments.
fn discover_package(manifest: &Path) -> Result<Selection, String> {
    let argv = [
        "cargo-tapi-lint".as_ref(),
        "tapi-lint".as_ref(),
        "--manifest-path".as_ref(),
        manifest.as_os_str(),
        "--message-format".as_ref(),
        "short".as_ref(),
        "-q".as_ref(),
    ];
    let args = cli::parse(argv).map_err(|e| e.message)?;
    discover::discover(&args).map_err(|e| e.0)
}

/// One run of the pipeline after discovery: analysis, then the `short`
/// report into a buffer.
fn run_once(selection: &Selection, pool: &rayon::ThreadPool) -> (Analysis, Duration) {
    let start = Instant::now();
    let analysis = driver::analyze(selection, &AnalyzeOptions::default(), pool);
    let mut out = Vec::new();
    let mut err = Vec::new();
    let opts = EmitOptions {
        color: false,
        quiet: true,
        cargo: true,
    };
    report::emit(
        Format::Short,
        &analysis.reported,
        &analysis.sources,
        opts,
        &mut out,
        &mut err,
    )
    .expect("writing to a buffer cannot fail");
    let elapsed = start.elapsed();
    std::hint::black_box((&out, &err));
    (analysis, elapsed)
}

/// What one size measured.
struct Row {
    replicas: usize,
    lines: usize,
    bytes: usize,
    discover: Duration,
    median: Duration,
    min: Duration,
    max: Duration,
    findings: usize,
    files: usize,
    internal_errors: usize,
}

fn measure(
    program: &Program,
    replicas: usize,
    reps: usize,
    pool: &rayon::ThreadPool,
) -> Result<Row, String> {
    let package = write_package(program, replicas)?;
    let start = Instant::now();
    let selection = discover_package(&package.manifest)?;
    let discover = start.elapsed();
    let mut times = Vec::with_capacity(reps);
    let mut counts = None;
    for _ in 0..reps {
        let (analysis, elapsed) = run_once(&selection, pool);
        times.push(elapsed);
        let these = (
            analysis.reported.len(),
            analysis.files,
            analysis.internal_errors,
        );
        if counts.is_some_and(|c| c != these) {
            return Err(format!(
                "{replicas} replicas: runs disagree: {counts:?} vs {these:?}"
            ));
        }
        for w in &analysis.warnings {
            eprintln!("warning ({replicas} replicas): {w}");
        }
        counts = Some(these);
    }
    times.sort();
    let (findings, files, internal_errors) = counts.unwrap_or_default();
    Ok(Row {
        replicas,
        lines: package.lines,
        bytes: package.bytes,
        discover,
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        findings,
        files,
        internal_errors,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints the table; returns whether every finding count is `replicas ×`
/// the count for one replica.
fn print_table(rows: &[Row], per_replica: usize) -> bool {
    println!(
        "{:>8} {:>9} {:>11} {:>6} {:>10} {:>10} {:>10} {:>11} {:>9} {:>9}  = replicas × per-replica?",
        "replicas",
        "lines",
        "bytes",
        "files",
        "median ms",
        "min ms",
        "max ms",
        "ms/replica",
        "metadata",
        "findings",
    );
    let mut all = true;
    for r in rows {
        let expected = r.replicas * per_replica;
        let holds = r.findings == expected && r.internal_errors == 0;
        all &= holds;
        println!(
            "{:>8} {:>9} {:>11} {:>6} {:>10.1} {:>10.1} {:>10.1} {:>11.3} {:>7.1}ms {:>9}  {}",
            r.replicas,
            r.lines,
            r.bytes,
            r.files,
            ms(r.median),
            ms(r.min),
            ms(r.max),
            ms(r.median) / r.replicas as f64,
            ms(r.discover),
            r.findings,
            if holds {
                format!("yes ({} × {per_replica})", r.replicas)
            } else {
                format!(
                    "NO (expected {expected}, internal errors {})",
                    r.internal_errors
                )
            }
        );
    }
    all
}

fn print_ratios(rows: &[Row]) {
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        println!(
            "t({})/t({}) = {:.2}  (linear ≈ {:.0})",
            b.replicas,
            a.replicas,
            b.median.as_secs_f64() / a.median.as_secs_f64(),
            b.replicas as f64 / a.replicas as f64
        );
    }
}

fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let bench = args.iter().any(|a| a == "--bench");
    let chosen: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let (sizes, reps, big) = if !chosen.is_empty() {
        (chosen, REPS, false)
    } else if bench {
        (SIZES.to_vec(), REPS, true)
    } else {
        (vec![1, 2], 1, false)
    };

    let program = program()?;
    let pool = stack::build_pool(None).map_err(|e| format!("cannot start worker threads: {e}"))?;
    let one = measure(&program, 1, 1, &pool)?;
    let per_replica = one.findings;
    println!(
        "one replica: {} fixtures, {} lines, {} findings ({} expected by their `//~` annotations); \
         {} worker threads, {reps} runs per size, times exclude `cargo metadata` (column `metadata`)",
        FIXTURES.len(),
        program.text.lines().count(),
        per_replica,
        program.expected,
        pool.current_num_threads(),
    );
    if per_replica != program.expected {
        return Err(format!(
            "one replica has {per_replica} findings, its fixtures expect {}",
            program.expected
        ));
    }

    let mut rows = Vec::new();
    for &n in &sizes {
        rows.push(measure(&program, n, reps, &pool)?);
    }
    if big {
        // Estimate from the largest size measured, assuming linear growth.
        let last = rows.last().expect("at least one size");
        let estimate = last
            .median
            .mul_f64(BIG_SIZE as f64 / last.replicas as f64 * reps as f64);
        if estimate <= BIG_BUDGET {
            rows.push(measure(&program, BIG_SIZE, reps, &pool)?);
        } else {
            println!(
                "{BIG_SIZE} replicas skipped: about {:.0} s estimated for {reps} runs",
                estimate.as_secs_f64()
            );
        }
    }
    println!();
    let holds = print_table(&rows, per_replica);
    print_ratios(&rows);
    Ok(holds)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("error: a finding count is not replicas × the count for one replica");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
