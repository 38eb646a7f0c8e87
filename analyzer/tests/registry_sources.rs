//! "The analyzer never panics and never overflows its stack": the library
//! pipeline (read, stack planning, parse, lower, check, levels) over every
//! `.rs` file of every registry crate this workspace depends on, for any
//! platform (`cargo metadata`: some 150 crates, 200 MB, `windows` and
//! `windows-sys` among them), each file a crate root of its own without
//! following `mod x;` (the module files are in the set anyway). The set is
//! fixed by `Cargo.lock`, so the test takes the same time on every machine,
//! whatever else its registry cache holds.
//!
//! Without at least 100 such files, it runs instead over generated files:
//! every kind of deep nesting at depth 5,000, plus a few ordinary ones.
//!
//! A stack overflow aborts the whole test binary, a panic in the pipeline
//! becomes an internal-error diagnostic, which is what the test rejects.
//!
//! The second test checks the soundness of the stack planner's token scan
//! against `proc_macro2`'s own lexer on the same files: the scan must never
//! see fewer tokens in a run than the real lexer does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use tapi_lint::driver::{AnalyzeOptions, analyze_files};
use tapi_lint::stack::{ITEM_START, nesting_estimate};

/// The source directories of the registry crates the workspace depends on,
/// and the registry directory they share.
fn dependency_dirs() -> (Vec<PathBuf>, PathBuf) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let Ok(metadata) = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .exec()
    else {
        return (Vec::new(), PathBuf::new());
    };
    let mut dirs: Vec<PathBuf> = metadata
        .packages
        .iter()
        .filter(|p| p.source.as_ref().is_some_and(|s| s.is_crates_io()))
        .filter_map(|p| {
            p.manifest_path
                .parent()
                .map(|d| d.as_std_path().to_path_buf())
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let base = dirs
        .first()
        .and_then(|d| d.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    (dirs, base)
}

/// The files to run over: the dependencies', or generated ones (kept alive
/// by the returned directory).
fn corpus() -> (Vec<PathBuf>, PathBuf, Option<tempfile::TempDir>) {
    let (dirs, root) = dependency_dirs();
    let mut files = Vec::new();
    for dir in &dirs {
        let _ = collect_rs(dir, &mut files);
    }
    if files.len() >= 100 {
        return (files, root, None);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (name, text) in tapi_lint::stack::deep_nesting_samples(5000) {
        let p = dir.path().join(format!("{name}.rs"));
        std::fs::write(&p, text).expect("write sample");
        files.push(p);
    }
    for (i, text) in [
        "fn main() {}\n",
        "mod m;\nuse std::io;\n",
        "fn f( {\n",
        "struct S { a: u8 }\n",
    ]
    .iter()
    .enumerate()
    {
        let p = dir.path().join(format!("plain_{i}.rs"));
        std::fs::write(&p, text).expect("write sample");
        files.push(p);
    }
    let base = dir.path().to_path_buf();
    (files, base, Some(dir))
}

/// Every `.rs` file under `dir` (all of them: tests, benches, examples).
fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        let path = e.path();
        if ty.is_dir() {
            collect_rs(&path, out)?;
        } else if ty.is_file() && path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[test]
fn the_pipeline_never_panics_nor_overflows_on_real_sources() {
    let (files, base, _keep) = corpus();
    let pool = tapi_lint::stack::build_pool(None).expect("thread pool");
    let options = AnalyzeOptions {
        follow_mods: false,
        ..AnalyzeOptions::default()
    };
    let start = Instant::now();
    let (mut bytes, mut parse_errors, mut diagnostics) = (0usize, 0usize, 0usize);
    let mut internal = Vec::new();
    // Batches keep memory bounded: every batch's sources and IR are
    // dropped before the next.
    let verbose = std::env::var_os("TAPI_LINT_TEST_VERBOSE").is_some();
    for batch in files.chunks(200) {
        let t = Instant::now();
        let a = analyze_files(batch, &base, &options, &pool);
        if verbose {
            println!(
                "batch of {} from {}: {:.1} MB in {:.2} s",
                batch.len(),
                batch[0].display(),
                a.bytes as f64 / 1e6,
                t.elapsed().as_secs_f64()
            );
        }
        bytes += a.bytes;
        diagnostics += a.reported.len();
        for r in &a.reported {
            if r.internal {
                let f = r.finding();
                internal.push(format!(
                    "{}: {}",
                    a.sources.get(f.primary.span.file).display,
                    f.message
                ));
            } else if r.finding().lint.name == "parse_error" {
                parse_errors += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "registry_sources: {} files, {:.1} MB in {:.1} s ({:.2} MB/s); {} diagnostics, {} parse errors, {} internal errors",
        files.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        diagnostics,
        parse_errors,
        internal.len()
    );
    assert!(
        internal.is_empty(),
        "internal errors (panics):\n{}",
        internal.join("\n")
    );
}

/// The estimate of `tapi_lint::stack` computed on `proc_macro2`'s tokens
/// (the lexer `syn` parses with): the same runs, the same splits.
fn reference_estimate(ts: TokenStream) -> u64 {
    #[derive(Default)]
    struct Frame {
        run: u64,
        run_sub: u64,
        best: u64,
        angle_or_pipe: bool,
        after_brace: bool,
    }
    impl Frame {
        fn close(&mut self) {
            self.best = self.best.max(self.run + self.run_sub);
            self.run = 0;
            self.run_sub = 0;
            self.angle_or_pipe = false;
        }
    }
    let mut stack: Vec<(Frame, proc_macro2::token_stream::IntoIter, bool)> =
        vec![(Frame::default(), ts.into_iter(), false)];
    loop {
        let next = stack.last_mut().expect("a frame").1.next();
        match next {
            Some(TokenTree::Group(g)) => {
                let brace = g.delimiter() == Delimiter::Brace;
                if g.delimiter() == Delimiter::None {
                    // Invisible groups do not come out of the lexer.
                    unreachable!("invisible group from source text");
                }
                stack.push((Frame::default(), g.stream().into_iter(), brace));
            }
            Some(tt) => {
                let top = &mut stack.last_mut().expect("a frame").0;
                match &tt {
                    TokenTree::Punct(p) => match p.as_char() {
                        ';' => {
                            top.run += 1;
                            top.close();
                        }
                        ',' => {
                            top.run += 1;
                            if !top.angle_or_pipe {
                                top.close();
                            }
                        }
                        '<' | '|' => {
                            top.run += 1;
                            top.angle_or_pipe = true;
                        }
                        '#' => {
                            if top.after_brace {
                                top.close();
                            }
                            top.run += 1;
                        }
                        _ => top.run += 1,
                    },
                    TokenTree::Ident(i) => {
                        let word = i.to_string();
                        if top.after_brace && ITEM_START.contains(&word.as_bytes()) {
                            top.close();
                        }
                        top.run += 1;
                    }
                    TokenTree::Literal(_) => top.run += 1,
                    TokenTree::Group(_) => unreachable!(),
                }
                top.after_brace = false;
            }
            None => {
                let (mut frame, _, brace) = stack.pop().expect("a frame");
                frame.close();
                match stack.last_mut() {
                    None => return frame.best,
                    Some((parent, ..)) => {
                        parent.run += 1;
                        parent.run_sub = parent.run_sub.max(frame.best + 1);
                        parent.after_brace = brace;
                    }
                }
            }
        }
    }
}

#[test]
fn the_stack_planners_scan_never_undercounts_the_real_lexer() {
    let (files, _base, _keep) = corpus();
    let start = Instant::now();
    let (mut checked, mut max_est, mut max_file) = (0usize, 0u64, PathBuf::new());
    let mut under = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let ours = nesting_estimate(&text);
        if ours > max_est {
            max_est = ours;
            max_file = f.clone();
        }
        // `syn::parse_file` strips a BOM and a shebang line before lexing.
        let mut body = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
            body = &body[body.find('\n').unwrap_or(body.len())..];
        }
        let Ok(ts) = body.parse::<TokenStream>() else {
            continue;
        };
        let reference = reference_estimate(ts);
        proc_macro2::extra::invalidate_current_thread_spans();
        checked += 1;
        if ours < reference {
            under.push(format!("{}: scan {ours} < lexer {reference}", f.display()));
        }
    }
    println!(
        "scan vs lexer: {checked} files lexed in {:.1} s; largest estimate {max_est} ({})",
        start.elapsed().as_secs_f64(),
        max_file.display()
    );
    assert!(
        under.is_empty(),
        "the scan undercounts:\n{}",
        under.join("\n")
    );
}
