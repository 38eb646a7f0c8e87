//! The pipeline: discover → read and lower every file of every crate's
//! module tree → check each crate → apply lint levels → report.
//!
//! File work runs on a rayon pool with big stacks ([`crate::stack`]); every
//! file is read once (crates sharing a file share its [`FileId`]), and
//! module trees are loaded breadth-first, one wave of files at a time, in
//! parallel across files and crates. A panic while lowering a file or
//! checking a crate is caught and reported as an internal-error diagnostic
//! (exit status 2: the analysis is incomplete), the rest is still analyzed.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::check::{check_crate_and_graph, check_crate_with};
use crate::cli::{self, Args, LintLevels};
use crate::config::{self, Exclude, Wrappers};
use crate::diagnostic::{Finding, Label};
use crate::discover::{self, CrateInput, Selection};
use crate::ir::{CrateIr, FileIr, ModuleIr};
use crate::lints::{self, Level};
use crate::lower::lower_file;
use crate::report::{self, EmitOptions, Origin, Reported};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::stack;

/// Exit statuses (spec §4).
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_TOOL: i32 = 2;

/// How a run analyzes.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub levels: LintLevels,
    /// Levels for one package's findings (configuration tables of its
    /// manifest, then the command line), by manifest path.
    pub package_levels: HashMap<String, LintLevels>,
    /// Paths whose findings are not reported.
    pub exclude: Arc<Exclude>,
    /// The program's own FFI shims, checked like TAPI functions.
    pub wrappers: Arc<Wrappers>,
    /// Load `mod x;` files (off: every input is a one-file crate).
    pub follow_mods: bool,
    /// Also draw each crate's call graph (`--emit call-graph`).
    pub call_graph: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            levels: LintLevels::default(),
            package_levels: HashMap::new(),
            exclude: Arc::default(),
            wrappers: Arc::default(),
            follow_mods: true,
            call_graph: false,
        }
    }
}

/// The outcome of [`analyze`].
#[derive(Debug, Default)]
pub struct Analysis {
    pub sources: SourceMap,
    /// Diagnostics at their final levels (allowed ones removed), sorted by
    /// file, position and lint, without exact duplicates.
    pub reported: Vec<Reported>,
    /// Warnings about the run itself (a `mod x;` whose file is missing).
    pub warnings: Vec<String>,
    /// Internal errors (caught panics) among `reported`.
    pub internal_errors: usize,
    /// Crates checked (after dropping loose roots that are modules of
    /// others).
    pub crates: usize,
    pub files: usize,
    pub bytes: usize,
    /// Graphviz DOT per crate, when asked for.
    pub call_graphs: Vec<String>,
}

impl Analysis {
    /// 2 after an internal error, else 1 if an error-level diagnostic was
    /// reported, else 0.
    pub fn exit_status(&self) -> i32 {
        if self.internal_errors > 0 {
            EXIT_TOOL
        } else if self.reported.iter().any(|d| d.level() == Level::Error) {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}

/// The command-line program: returns the exit status.
pub fn run(argv: Vec<std::ffi::OsString>) -> i32 {
    match cli::language_server_command(&argv) {
        Some(Ok(())) => return crate::lsp::run_stdio(),
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return EXIT_TOOL;
        }
        None => {}
    }
    let args = match cli::parse(argv) {
        Ok(a) => a,
        Err(e) => {
            let to_stdout = e.code == 0;
            if to_stdout {
                print!("{}", e.message);
            } else {
                eprint!("{}", e.message);
            }
            return e.code;
        }
    };
    run_args(&args)
}

fn run_args(args: &Args) -> i32 {
    let color = args.use_color();
    let error = |msg: &str| {
        eprintln!("{}: {msg}", report::paint_level(Level::Error, color));
        EXIT_TOOL
    };
    if let Some(name) = &args.explain {
        return match cli::explain(name) {
            Some(text) => {
                println!("{text}");
                EXIT_OK
            }
            None => error(&format!(
                "no lint named `{name}` (see `cargo tapi-lint --list`)"
            )),
        };
    }
    if args.list {
        print!("{}", cli::list());
        return EXIT_OK;
    }
    let format = match args.format() {
        Ok(f) => f,
        Err(e) => return error(&e),
    };
    // The levels themselves are applied with the configuration's.
    let (_, unknown) = args.lint_levels();
    if !args.quiet {
        for w in unknown {
            eprintln!("{}: {w}", report::paint_level(Level::Warn, color));
        }
    }
    let start = Instant::now();
    let selection = match discover::discover(args) {
        Ok(s) => s,
        Err(e) => return error(&e.0),
    };
    let threads = args
        .ignored
        .jobs
        .as_deref()
        .and_then(|j| j.parse::<usize>().ok())
        .filter(|&n| n > 0);
    let pool = match stack::build_pool(threads) {
        Ok(p) => p,
        Err(e) => return error(&format!("cannot start worker threads: {e}")),
    };
    if args.verbose > 0 {
        eprintln!(
            "    Checking {} crate root(s) under {}",
            selection.crates.len(),
            selection.base.display()
        );
    }
    let options = match configure(args, &selection) {
        Ok(options) => options,
        Err(e) => return error(&e.to_string()),
    };
    if args.verbose > 0 {
        for file in &options.config_sources {
            eprintln!("    Config {}", file.display());
        }
    }
    let options = options.options;
    let analysis = analyze(&selection, &options, &pool);
    if !args.quiet {
        for w in &analysis.warnings {
            eprintln!("{}: {w}", report::paint_level(Level::Warn, color));
        }
    }
    if options.call_graph {
        let mut out = std::io::stdout().lock();
        for dot in &analysis.call_graphs {
            if out.write_all(dot.as_bytes()).is_err() {
                return EXIT_TOOL;
            }
        }
        return analysis.exit_status();
    }
    let opts = EmitOptions {
        color,
        quiet: args.quiet,
        cargo: !selection.loose,
    };
    let emitted = report::emit(
        format,
        &analysis.reported,
        &analysis.sources,
        opts,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    if let Err(e) = emitted {
        // A closed pipe (`| head`) is not worth a panic; the status says
        // the output is incomplete.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(std::io::stderr(), "error: cannot write the report: {e}");
        }
        return EXIT_TOOL;
    }
    if args.verbose > 0 {
        eprintln!(
            "    Finished {} crate(s), {} file(s), {:.1} MB in {:.2}s",
            analysis.crates,
            analysis.files,
            analysis.bytes as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    if analysis.internal_errors > 0 && !args.quiet {
        eprintln!(
            "error: tapi-lint hit {} internal error(s); the analysis is incomplete",
            analysis.internal_errors
        );
    }
    analysis.exit_status()
}

/// One file of one crate to read and lower.
struct Task {
    krate: usize,
    /// Canonical path.
    path: PathBuf,
    module_path: Vec<String>,
}

/// What lowering one file gave.
#[derive(Clone)]
pub struct Lowered {
    ir: Arc<FileIr>,
    /// A parse error, an unreadable or too deeply nested file.
    finding: Option<Finding>,
    /// A caught panic.
    internal: Option<Finding>,
}

/// One file of one crate to lower: its id in this run, where it is, its
/// text and the module it is.
pub struct LowerJob<'a> {
    pub file: FileId,
    pub path: &'a Path,
    pub text: &'a str,
    pub module_path: &'a [String],
}

impl LowerJob<'_> {
    /// Parses and lowers the file (where there is stack enough, catching
    /// panics).
    pub fn run(&self) -> Lowered {
        lower_one(self.file, self.path, self.text, self.module_path.to_vec())
    }
}

/// The stages of a run that can reuse earlier work: reading a file,
/// lowering it, checking a crate. The command line runs them afresh
/// ([`FreshStages`]); the language server (`crate::lsp`) reads its open
/// documents instead of the disk and keeps what did not change since its
/// last analysis.
pub trait Stages: Sync {
    /// The text of a file, or why it cannot be analyzed.
    fn read(&self, path: &Path) -> Result<Arc<str>, String> {
        read_source(path).map(Arc::from)
    }

    /// `job.run()`, or what an identical job gave before.
    fn lower(&self, job: &LowerJob<'_>) -> Lowered {
        job.run()
    }

    /// Every finding in one crate, as [`check_crate_with`] gives them.
    fn check(
        &self,
        krate: &CrateIr,
        sources: &SourceMap,
        wrappers: &Arc<Wrappers>,
    ) -> Vec<Finding> {
        check_crate_with(krate, sources, wrappers)
    }
}

/// Every stage from scratch, from the disk.
pub struct FreshStages;

impl Stages for FreshStages {}

/// The options a run analyzes with: the configuration's levels, excludes
/// and wrappers, with the command line's levels applied last.
struct Configured {
    options: AnalyzeOptions,
    config_sources: Vec<PathBuf>,
}

fn configure(args: &Args, selection: &Selection) -> Result<Configured, config::ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let start = match &args.manifest_path {
        Some(m) => cwd.join(m).parent().map(Path::to_path_buf).unwrap_or(cwd),
        None => cwd,
    };
    configure_from(&start, args, selection)
}

/// The options for analyzing `selection` as the command line would from
/// `start` with no flags: the language server's, for each workspace.
pub fn configured_options(
    start: &Path,
    selection: &Selection,
) -> Result<AnalyzeOptions, config::ConfigError> {
    let args = Args {
        workspace: true,
        ..Args::default()
    };
    configure_from(start, &args, selection).map(|c| c.options)
}

/// [`configure`], looking for configuration files from `start` up.
fn configure_from(
    start: &Path,
    args: &Args,
    selection: &Selection,
) -> Result<Configured, config::ConfigError> {
    let workspace_manifest = (!selection.loose).then(|| selection.base.join("Cargo.toml"));
    let mut package_manifests: Vec<PathBuf> = selection
        .crates
        .iter()
        .filter_map(|c| c.origin.as_ref().map(|o| PathBuf::from(&o.manifest_path)))
        .collect();
    package_manifests.sort();
    package_manifests.dedup();
    let config = config::load(&config::Inputs {
        start,
        workspace_manifest: workspace_manifest.as_deref(),
        package_manifests: package_manifests.iter().map(PathBuf::as_path).collect(),
    })?;
    let with_cli = |flags: &[(Level, String)]| {
        let mut all = flags.to_vec();
        all.extend(args.levels.iter().cloned());
        LintLevels::from_flags(&all).0
    };
    let levels = with_cli(&config.levels);
    let package_levels = config
        .package_levels
        .iter()
        .map(|(manifest, flags)| {
            let mut all = config.levels.clone();
            all.extend(flags.iter().cloned());
            (manifest.clone(), with_cli(&all))
        })
        .collect();
    Ok(Configured {
        options: AnalyzeOptions {
            levels,
            package_levels,
            exclude: Arc::new(config.exclude),
            wrappers: Arc::new(config.wrappers),
            follow_mods: true,
            call_graph: args.emit.is_some(),
        },
        config_sources: config.sources,
    })
}

/// Analyzes the selected crates on `pool`.
pub fn analyze(
    selection: &Selection,
    options: &AnalyzeOptions,
    pool: &rayon::ThreadPool,
) -> Analysis {
    analyze_with(selection, options, pool, &FreshStages)
}

/// Analyzes the selected crates on `pool`, running `stages` for reading,
/// lowering and checking.
pub fn analyze_with(
    selection: &Selection,
    options: &AnalyzeOptions,
    pool: &rayon::ThreadPool,
    stages: &dyn Stages,
) -> Analysis {
    pool.install(|| analyze_in_pool(selection, options, stages))
}

/// Analyzes loose files, each its own crate root (following `mod x;` when
/// `follow_mods`; then roots that are modules of another are dropped).
pub fn analyze_files(
    paths: &[PathBuf],
    base: &Path,
    options: &AnalyzeOptions,
    pool: &rayon::ThreadPool,
) -> Analysis {
    let crates = paths
        .iter()
        .map(|p| CrateInput {
            name: p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            root: std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
            origin: None,
            deps: Vec::new(),
        })
        .collect();
    let selection = Selection {
        crates,
        base: base.to_path_buf(),
        loose: true,
    };
    analyze(&selection, options, pool)
}

fn analyze_in_pool(
    selection: &Selection,
    options: &AnalyzeOptions,
    stages: &dyn Stages,
) -> Analysis {
    let n = selection.crates.len();
    let mut sources = SourceMap::default();
    let mut ids: HashMap<PathBuf, FileId> = HashMap::new();
    let mut unreadable: HashMap<FileId, String> = HashMap::new();
    let mut files: Vec<Vec<Arc<FileIr>>> = (0..n).map(|_| Vec::new()).collect();
    // Files each crate reached through `mod x;` (not its root).
    let mut reached: Vec<HashSet<PathBuf>> = vec![HashSet::new(); n];
    let mut visited: HashSet<(usize, PathBuf)> = HashSet::new();
    let mut findings: Vec<(usize, Finding, bool)> = Vec::new();
    let mut warnings = Vec::new();
    let mut bytes = 0usize;

    let mut wave: Vec<Task> = Vec::new();
    for (k, c) in selection.crates.iter().enumerate() {
        let path = std::fs::canonicalize(&c.root).unwrap_or_else(|_| c.root.clone());
        visited.insert((k, path.clone()));
        wave.push(Task {
            krate: k,
            path,
            module_path: vec!["crate".to_owned()],
        });
        // The package's library, under its own crate name.
        for (name, root) in &c.deps {
            let path = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            if visited.insert((k, path.clone())) {
                wave.push(Task {
                    krate: k,
                    path,
                    module_path: vec![name.clone()],
                });
            }
        }
    }

    while !wave.is_empty() {
        // Read the files not read yet, in parallel.
        let mut new_paths: Vec<&PathBuf> = Vec::new();
        let mut queued = HashSet::new();
        for t in &wave {
            if !ids.contains_key(&t.path) && queued.insert(&t.path) {
                new_paths.push(&t.path);
            }
        }
        let texts: Vec<Result<Arc<str>, String>> =
            new_paths.par_iter().map(|p| stages.read(p)).collect();
        for (path, text) in new_paths.into_iter().zip(texts) {
            let display = display_path(path, &selection.base);
            let (text, error) = match text {
                Ok(t) => (t, None),
                Err(e) => (Arc::from(""), Some(e)),
            };
            bytes += text.len();
            let id = sources.add(SourceFile::new(path.clone(), display, text));
            if let Some(e) = error {
                unreadable.insert(id, e);
            }
            ids.insert(path.clone(), id);
        }

        // Lower every task of the wave, in parallel.
        let sources_ref = &sources;
        let lowered: Vec<Lowered> = wave
            .par_iter()
            .map(|t| {
                let id = ids[&t.path];
                match unreadable.get(&id) {
                    Some(e) => Lowered {
                        ir: placeholder(id, &t.module_path),
                        finding: Some(parse_error(
                            Span {
                                file: id,
                                lo: 0,
                                hi: 0,
                            },
                            e.clone(),
                            e.clone(),
                        )),
                        internal: None,
                    },
                    None => stages.lower(&LowerJob {
                        file: id,
                        path: &t.path,
                        text: &sources_ref.get(id).text,
                        module_path: &t.module_path,
                    }),
                }
            })
            .collect();

        // Queue the module files they declare.
        let mut next = Vec::new();
        for (t, l) in wave.iter().zip(lowered) {
            if options.follow_mods {
                for m in &l.ir.external_mods {
                    match m.candidates.iter().find(|c| c.is_file()) {
                        Some(c) => {
                            let path = std::fs::canonicalize(c).unwrap_or_else(|_| c.clone());
                            if visited.insert((t.krate, path.clone())) {
                                reached[t.krate].insert(path.clone());
                                next.push(Task {
                                    krate: t.krate,
                                    path,
                                    module_path: m.path.clone(),
                                });
                            }
                        }
                        None => {
                            let file = sources.get(m.span.file);
                            let at = file.line_col(m.span.lo as usize);
                            let tried: Vec<String> = m
                                .candidates
                                .iter()
                                .map(|c| display_path(c, &selection.base))
                                .collect();
                            warnings.push(format!(
                                "file not found for module `{}` declared at {}:{}:{} (tried {}); it is not analyzed",
                                m.path.last().map(String::as_str).unwrap_or("?"),
                                file.display,
                                at.line,
                                at.col,
                                tried.join(", ")
                            ));
                        }
                    }
                }
            }
            // A package library read for a binary reports in its own crate.
            let own = t.module_path.first().is_some_and(|s| s == "crate");
            if let Some((span, msg)) = l.ir.parse_error.as_ref().filter(|_| own) {
                findings.push((
                    t.krate,
                    parse_error(*span, format!("could not parse file: {msg}"), msg.clone()),
                    false,
                ));
            }
            if let Some(f) = l.finding {
                findings.push((t.krate, f, false));
            }
            if let Some(f) = l.internal {
                findings.push((t.krate, f, true));
            }
            files[t.krate].push(l.ir);
        }
        wave = next;
    }

    // Loose roots that are modules of another root are not crates of their
    // own (their findings would be reported twice).
    let keep: Vec<bool> = if selection.loose && options.follow_mods {
        let roots: Vec<PathBuf> = selection
            .crates
            .iter()
            .map(|c| std::fs::canonicalize(&c.root).unwrap_or_else(|_| c.root.clone()))
            .collect();
        (0..n)
            .map(|r| {
                !(0..n).any(|c| {
                    c != r
                        && reached[c].contains(&roots[r])
                        && (!reached[r].contains(&roots[c]) || c < r)
                })
            })
            .collect()
    } else {
        vec![true; n]
    };
    findings.retain(|(k, ..)| keep[*k]);

    let crates: Vec<(usize, CrateIr)> = files
        .into_iter()
        .enumerate()
        .filter(|(k, _)| keep[*k])
        .map(|(k, files)| {
            (
                k,
                CrateIr {
                    name: selection.crates[k].name.clone(),
                    files,
                },
            )
        })
        .collect();
    type Checked = (Vec<Finding>, Option<String>);
    let checked: Vec<(usize, Result<Checked, String>)> = crates
        .par_iter()
        .map(|(k, krate)| {
            let result = catch_unwind(AssertUnwindSafe(|| {
                if options.call_graph {
                    let (found, graph) = check_crate_and_graph(krate, &sources, &options.wrappers);
                    (found, Some(graph))
                } else {
                    (stages.check(krate, &sources, &options.wrappers), None)
                }
            }));
            (*k, result.map_err(|p| panic_message(p.as_ref())))
        })
        .collect();
    let mut call_graphs = Vec::new();
    let checked: Vec<(usize, Result<Vec<Finding>, String>)> = checked
        .into_iter()
        .map(|(k, r)| {
            (
                k,
                r.map(|(found, graph)| {
                    call_graphs.extend(graph);
                    found
                }),
            )
        })
        .collect();
    for (k, result) in checked {
        match result {
            Ok(fs) => findings.extend(fs.into_iter().map(|f| (k, f, false))),
            Err(msg) => {
                let root = crates
                    .iter()
                    .find(|(c, _)| *c == k)
                    .and_then(|(_, ir)| ir.files.first())
                    .map(|f| f.file);
                let span = Span {
                    file: root.unwrap_or_default(),
                    lo: 0,
                    hi: 0,
                };
                findings.push((
                    k,
                    internal_error(
                        span,
                        &format!("while checking crate `{}`", selection.crates[k].name),
                        &msg,
                    ),
                    true,
                ));
            }
        }
    }

    let suppressions: Vec<(usize, &crate::ir::Suppression)> = crates
        .iter()
        .flat_map(|(k, ir)| {
            ir.files
                .iter()
                .flat_map(move |f| f.suppressions.iter().map(move |s| (*k, s)))
        })
        .collect();
    let findings = crate::suppress::apply(findings, &suppressions, &options.levels);

    let file_count = sources.len();
    let mut analysis = Analysis {
        reported: Vec::new(),
        warnings,
        internal_errors: 0,
        crates: crates.len(),
        files: file_count,
        bytes,
        sources,
        call_graphs,
    };
    let mut reported: Vec<Reported> = findings
        .into_iter()
        .filter_map(|(k, finding, internal)| {
            let origin = selection.crates[k].origin.as_deref();
            let levels = origin
                .and_then(|o| options.package_levels.get(&o.manifest_path))
                .unwrap_or(&options.levels);
            let level = if internal {
                Level::Error
            } else {
                levels.level(finding.lint)
            };
            let file = &analysis.sources.get(finding.primary.span.file).path;
            if !internal && options.exclude.matches(file) {
                return None;
            }
            if level == Level::Allow {
                return None;
            }
            let origin: Option<Arc<Origin>> = selection.crates[k].origin.clone();
            Some(Reported {
                diagnostic: crate::diagnostic::Diagnostic { finding, level },
                origin,
                internal,
            })
        })
        .collect();
    sort_and_dedup(&mut reported, &analysis.sources);
    analysis.internal_errors = reported.iter().filter(|r| r.internal).count();
    analysis.reported = reported;
    analysis
}

/// Sorts by file, position, lint and message, and removes exact duplicates
/// (a file shared by two targets gives the same finding twice).
pub fn sort_and_dedup(reported: &mut Vec<Reported>, sources: &SourceMap) {
    type Key<'a> = (
        &'a str,
        u32,
        u32,
        &'static str,
        &'a str,
        &'a str,
        Vec<(Span, &'a str)>,
        &'a [String],
    );
    fn key<'a>(r: &'a Reported, sources: &'a SourceMap) -> Key<'a> {
        let f = r.finding();
        (
            sources.get(f.primary.span.file).display.as_str(),
            f.primary.span.lo,
            f.primary.span.hi,
            f.lint.name,
            f.message.as_str(),
            f.primary.message.as_str(),
            f.secondary
                .iter()
                .map(|l| (l.span, l.message.as_str()))
                .collect(),
            &f.notes,
        )
    }
    reported.sort_by(|a, b| key(a, sources).cmp(&key(b, sources)));
    reported.dedup_by(|a, b| key(a, sources) == key(b, sources));
}

/// Reads a source file: its text, or why it cannot be analyzed.
fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("could not read file: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "could not read file: it is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Lowers one file where there is stack enough, catching panics.
fn lower_one(file: FileId, path: &Path, text: &str, module_path: Vec<String>) -> Lowered {
    let placeholder_path = module_path.clone();
    let result = catch_unwind(AssertUnwindSafe(|| {
        stack::with_stack_for(text, || lower_file(file, path, text, module_path))
    }));
    // `proc_macro2` keeps every parsed file's text in a thread-local map
    // (and its offsets are `u32`): forget them once the file is lowered.
    proc_macro2::extra::invalidate_current_thread_spans();
    let at_start = Span { file, lo: 0, hi: 0 };
    match result {
        Ok(Ok(ir)) => Lowered {
            ir: Arc::new(ir),
            finding: None,
            internal: None,
        },
        Ok(Err(too_deep)) => Lowered {
            ir: placeholder(file, &placeholder_path),
            finding: Some(parse_error(
                at_start,
                format!(
                    "file too deeply nested to analyze safely: it could need {} MiB of stack, the limit is {} MiB",
                    too_deep.needed >> 20,
                    stack::HARD_CAP >> 20
                ),
                "too deeply nested to analyze safely".to_owned(),
            )),
            internal: None,
        },
        Err(payload) => Lowered {
            ir: placeholder(file, &placeholder_path),
            finding: None,
            internal: Some(internal_error(
                at_start,
                "while analyzing this file",
                &panic_message(payload.as_ref()),
            )),
        },
    }
}

/// The IR of a file that could not be lowered: its module, nothing in it.
fn placeholder(file: FileId, module_path: &[String]) -> Arc<FileIr> {
    Arc::new(FileIr {
        file,
        modules: vec![ModuleIr {
            path: module_path.to_vec(),
            ..ModuleIr::default()
        }],
        ..FileIr::default()
    })
}

fn parse_error(span: Span, message: String, label: String) -> Finding {
    Finding {
        lint: &lints::PARSE_ERROR,
        message,
        primary: Label::new(span, label),
        secondary: Vec::new(),
        notes: vec!["note: the other files are still analyzed".to_owned()],
        suggestion: None,
    }
}

fn internal_error(span: Span, context: &str, message: &str) -> Finding {
    Finding {
        lint: &lints::PARSE_ERROR,
        message: format!("internal error in tapi-lint {context}: {message}"),
        primary: Label::new(span, "analysis stopped here"),
        secondary: Vec::new(),
        notes: vec![
            "note: this is a bug in tapi-lint; findings may be missing".to_owned(),
            "help: please report it with the file that triggers it".to_owned(),
        ],
        suggestion: None,
    }
}

/// `path` relative to `base` when under it, with forward slashes.
pub fn display_path(path: &Path, base: &Path) -> String {
    let shown = path.strip_prefix(base).unwrap_or(path);
    let s = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records each panic's message and location for the internal-error
/// diagnostic instead of printing it (set `RUST_BACKTRACE` to see the
/// usual report too). Installed by the binary.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut msg = payload_text(info.payload());
        if let Some(loc) = info.location() {
            msg.push_str(&format!(
                " (at {}:{}:{})",
                loc.file(),
                loc.line(),
                loc.column()
            ));
        }
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg));
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            default(info);
        }
    }));
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// The message of a caught panic (with its location when the hook saw it).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| payload_text(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn pool() -> rayon::ThreadPool {
        stack::build_pool(Some(2)).unwrap()
    }

    #[test]
    fn loose_module_files_are_not_roots_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        write(&root, "src/lib.rs", "mod a;\nfn f() {}\n");
        write(&root, "src/a.rs", "mod b;\nfn g() {}\n");
        write(&root, "src/a/b.rs", "fn h( {}\n");
        write(&root, "other.rs", "fn k() {}\n");
        let mut paths = Vec::new();
        discover::walk_rs(&root, &mut paths).unwrap();
        assert_eq!(paths.len(), 4);
        let a = analyze_files(&paths, &root, &AnalyzeOptions::default(), &pool());
        // lib.rs (with a.rs and a/b.rs) and other.rs.
        assert_eq!(a.crates, 2);
        // The syntax error in a/b.rs is reported once, not once per root.
        let errors: Vec<_> = a
            .reported
            .iter()
            .filter(|r| r.finding().lint == &lints::PARSE_ERROR)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(
            a.sources.get(errors[0].finding().primary.span.file).display,
            "src/a/b.rs"
        );
        assert_eq!(a.exit_status(), EXIT_FINDINGS);
    }

    #[test]
    fn cycles_through_path_attributes_terminate() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        write(&root, "x.rs", "#[path = \"y.rs\"] mod y;\n");
        write(&root, "y.rs", "#[path = \"x.rs\"] mod x;\n");
        let paths = vec![root.join("x.rs"), root.join("y.rs")];
        let a = analyze_files(&paths, &root, &AnalyzeOptions::default(), &pool());
        assert!(a.crates >= 1);
        assert_eq!(a.exit_status(), EXIT_OK);
    }

    #[test]
    fn missing_module_files_are_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let lib = write(&root, "lib.rs", "mod gone;\n");
        let a = analyze_files(&[lib], &root, &AnalyzeOptions::default(), &pool());
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(
            a.warnings[0].contains("`gone`") && a.warnings[0].contains("lib.rs:1:"),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn unreadable_and_non_utf8_files_are_parse_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let bad = root.join("latin1.rs");
        std::fs::write(&bad, b"fn f() { let s = \"\xe9\"; }\n").unwrap();
        let good = write(&root, "good.rs", "fn g() {}\n");
        let a = analyze_files(&[bad, good], &root, &AnalyzeOptions::default(), &pool());
        assert_eq!(a.reported.len(), 1);
        assert!(
            a.reported[0].finding().message.contains("UTF-8"),
            "{:?}",
            a.reported[0].finding()
        );
        assert_eq!(a.files, 2);
    }

    #[test]
    fn levels_apply_and_allow_drops() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let bad = write(&root, "bad.rs", "fn f( {}\n");
        let (levels, _) = LintLevels::from_flags(&[(Level::Warn, "tapi::parse_error".into())]);
        let opts = AnalyzeOptions {
            levels,
            follow_mods: true,
            ..AnalyzeOptions::default()
        };
        let a = analyze_files(std::slice::from_ref(&bad), &root, &opts, &pool());
        assert_eq!(a.reported[0].level(), Level::Warn);
        assert_eq!(a.exit_status(), EXIT_OK);
        let (levels, _) = LintLevels::from_flags(&[(Level::Allow, "parse_error".into())]);
        let opts = AnalyzeOptions {
            levels,
            follow_mods: true,
            ..AnalyzeOptions::default()
        };
        let a = analyze_files(&[bad], &root, &opts, &pool());
        assert!(a.reported.is_empty());
    }

    #[test]
    fn spans_after_a_bom_or_a_shebang_are_offsets_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let bom = write(&root, "bom.rs", "\u{feff}fn main() {\n    let x = ;\n}\n");
        let shebang = write(
            &root,
            "sh.rs",
            "#!/usr/bin/env run-cargo-script\nfn main() {\n    let x = ;\n}\n",
        );
        let attr = write(
            &root,
            "attr.rs",
            "#![allow(dead_code)]\nfn main() {\n    let x = ;\n}\n",
        );
        let a = analyze_files(
            &[bom, shebang, attr],
            &root,
            &AnalyzeOptions::default(),
            &pool(),
        );
        let at: Vec<String> = a
            .reported
            .iter()
            .map(|r| {
                let span = r.finding().primary.span;
                let file = a.sources.get(span.file);
                let lc = file.line_col(span.lo as usize);
                format!("{}:{}:{}", file.display, lc.line, lc.col)
            })
            .collect();
        assert_eq!(at, ["attr.rs:3:13", "bom.rs:2:13", "sh.rs:3:13"]);
        assert_eq!(
            crate::lower::blank_bom_and_shebang("fn f() {}"),
            "fn f() {}"
        );
    }

    #[test]
    fn display_paths_are_relative_with_forward_slashes() {
        assert_eq!(
            display_path(Path::new("/ws/src/main.rs"), Path::new("/ws")),
            "src/main.rs"
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.rs"), Path::new("/ws")),
            "/elsewhere/a.rs"
        );
    }
}
