//! End to end: `cargo-tapi-lint` over every fixture, checked against the
//! inline `//~ ERROR tapi::...` expectations (see `tests/src/lib.rs`).
//!
//! Runs (see [`plan_runs`]): the fixtures package
//! (`--manifest-path fixtures/Cargo.toml --message-format json`), and, when
//! present, the loose files of `fixtures/tapi3/` and each
//! `fixtures/crates/*/Cargo.toml`. Any missing or unexpected finding (wrong
//! lint, level or line), an exit status other than 1-if-an-error-is-expected
//! else 0, or a `build-finished` line that is absent, not last or
//! inconsistent fails the test with the full report.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Instant;

use tapi_lint_tests::{
    Expected, Level, analyzer_bin, cargo, compare, parse_stream, plan_runs, resolve_file,
    run_analyzer, try_parse_expectations, workspace_root,
};

fn tail(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(max_lines);
    let mut out = String::new();
    if start > 0 {
        out.push_str(&format!("    ... ({start} lines omitted)\n"));
    }
    for line in &lines[start..] {
        out.push_str(&format!("    {line}\n"));
    }
    out
}

#[test]
fn fixtures_match_expectations() {
    let root = workspace_root();
    let runs = plan_runs(root);
    let known: BTreeSet<String> = runs.iter().flat_map(|r| r.files.iter().cloned()).collect();

    // Expectations of every fixture file.
    let mut problems: Vec<String> = Vec::new();
    let mut expected: BTreeMap<String, Vec<Expected>> = BTreeMap::new();
    for key in &known {
        let text = match std::fs::read_to_string(root.join(key)) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("cannot read fixture {key}: {e}"));
                continue;
            }
        };
        match try_parse_expectations(&text) {
            Ok(list) if list.is_empty() => {}
            Ok(list) => {
                expected.insert(key.clone(), list);
            }
            Err(errors) => {
                for e in errors {
                    problems.push(format!(
                        "{key}:{}: malformed annotation: {}",
                        e.line, e.message
                    ));
                }
            }
        }
    }
    let expects_error = |files: &[String]| {
        files.iter().any(|f| {
            expected
                .get(f)
                .is_some_and(|list| list.iter().any(|e| e.level == Level::Error))
        })
    };

    // Build the analyzer once (outside the timed runs), then run it.
    let bin = analyzer_bin();
    let mut findings = Vec::new();
    let mut run_lines = Vec::new();
    for run in &runs {
        let started = Instant::now();
        let output = run_analyzer(&run.args);
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let status = output
            .status
            .code()
            .map_or_else(|| output.status.to_string(), |c| format!("exit {c}"));
        let errors_expected = expects_error(&run.files);
        let want_status = if errors_expected { 1 } else { 0 };
        let bases: Vec<&str> = run.bases.iter().map(String::as_str).collect();

        let mut run_problems = Vec::new();
        let mut reported = 0;
        match parse_stream(&stdout) {
            Ok(stream) => {
                reported = stream.findings.len();
                for mut finding in stream.findings {
                    finding.file = resolve_file(&finding.file, root, &bases, &known);
                    findings.push(finding);
                }
                if run.package || stream.build_finished_count > 0 {
                    match stream.build_finished {
                        None => run_problems.push(
                            "the JSON stream has no {\"reason\":\"build-finished\"} line"
                                .to_owned(),
                        ),
                        Some(success) => {
                            if !stream.ends_with_build_finished {
                                run_problems
                                    .push("build-finished is not the last JSON line".to_owned());
                            }
                            if stream.build_finished_count > 1 {
                                run_problems.push(format!(
                                    "{} build-finished lines, expected one",
                                    stream.build_finished_count
                                ));
                            }
                            if success == errors_expected {
                                run_problems.push(format!(
                                    "build-finished success is {success}, expected {} \
                                     (errors expected: {})",
                                    !errors_expected,
                                    if errors_expected { "yes" } else { "no" }
                                ));
                            }
                        }
                    }
                }
            }
            Err(e) => run_problems.push(format!("unreadable JSON output: {e}")),
        }
        if output.status.code() != Some(want_status) {
            run_problems.push(format!(
                "{status}, expected exit {want_status} (errors expected: {})",
                if errors_expected { "yes" } else { "no" }
            ));
        }
        run_lines.push(format!(
            "  {}: {} files, {} findings, {}, {:.1}s",
            run.name,
            run.files.len(),
            reported,
            status,
            elapsed.as_secs_f64()
        ));
        if !run_problems.is_empty() {
            let mut text = format!(
                "run `{}`: {} {}\n",
                run.name,
                bin.display(),
                run.args.join(" ")
            );
            for p in run_problems {
                text.push_str(&format!("  - {p}\n"));
            }
            if !stderr.trim().is_empty() {
                text.push_str("  stderr:\n");
                text.push_str(&tail(&stderr, 40));
            }
            problems.push(text);
        }
    }

    let comparison = compare(&expected, &findings);
    let errors = expected
        .values()
        .flatten()
        .filter(|e| e.level == Level::Error)
        .count();
    let summary = format!(
        "tapi-lint fixtures: {} files ({} annotated) in {} runs; expected findings: {} \
         ({} errors, {} warnings); reported: {}; matched: {}\n{}",
        known.len(),
        expected.len(),
        runs.len(),
        comparison.expected,
        errors,
        comparison.expected - errors,
        comparison.actual,
        comparison.matched,
        run_lines.join("\n")
    );
    println!("{summary}");

    if !comparison.is_ok() || !problems.is_empty() {
        let mut report = format!("{summary}\n\n");
        if !comparison.is_ok() {
            report.push_str(&comparison.report());
            report.push('\n');
        }
        for p in &problems {
            report.push_str(p);
            report.push('\n');
        }
        panic!("fixture expectations not met\n\n{report}");
    }
}

#[test]
fn fixtures_package_compiles() {
    let root = workspace_root();
    let output = Command::new(cargo())
        .arg("check")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .args(["-p", "tapi-fixtures", "--bins", "--message-format=short"])
        .output()
        .expect("run cargo check");
    assert!(
        output.status.success(),
        "`cargo check -p tapi-fixtures --bins` failed with {}:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
