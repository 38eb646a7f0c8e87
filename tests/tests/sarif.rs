//! `--message-format sarif` end to end, over every fixture run of
//! [`plan_runs`] (the fixtures package, the loose TAPI 3 files, the
//! multi-file crates):
//!
//! * Microsoft's SARIF validator with GitHub's ingestion rules
//!   (`sarif-multitool validate --rule-kind "Sarif;Gh"`, installed once by
//!   `.ci/install-sarif-multitool`) reports no error and no warning;
//! * the structure GitHub code scanning relies on, checked here: every rule
//!   of the registry, rule references, locations and their UTF-16 columns
//!   (against the JSON format's character columns), links to related
//!   locations, the code flow of every leak;
//! * fingerprints stay the same across runs and when lines are inserted
//!   above the findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tapi_lint_tests::{
    Run, analyzer_bin, plan_runs, run_analyzer, run_with_timeout, workspace_root,
};

const FINGERPRINT: &str = "tapiLint/v1";

/// The validator's executable, installed on first use.
fn sarif_multitool() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let script = workspace_root().join(".ci/install-sarif-multitool");
        let output = Command::new("bash")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{} failed (it needs node and npm, and the npm registry the first time):\n{}{}",
            script.display(),
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(stdout.trim())
    })
}

/// A run's arguments with `--message-format FORMAT`.
fn with_format(run: &Run, format: &str) -> Vec<String> {
    let mut args = run.args.clone();
    let at = args
        .iter()
        .position(|a| a == "--message-format")
        .expect("every planned run sets --message-format");
    args[at + 1] = format.to_owned();
    args
}

/// The analyzer's SARIF log for `args` (run in the workspace root).
fn sarif_log(args: &[String]) -> Value {
    let output = run_analyzer(args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}\n{stdout}"))
}

fn results(log: &Value) -> &[Value] {
    log["runs"][0]["results"].as_array().expect("results")
}

/// Every finding's fingerprint, in order.
fn fingerprints(log: &Value) -> Vec<&str> {
    results(log)
        .iter()
        .map(|r| {
            r["partialFingerprints"][FINGERPRINT]
                .as_str()
                .expect("fingerprint")
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------

/// One result of the validator.
#[derive(Debug)]
struct Problem {
    rule: String,
    level: String,
    /// The validated file it is about.
    file: String,
    text: String,
}

/// Runs the validator over `logs`; its console output always ends in
/// "Analysis completed successfully" and its exit status is 0 whatever it
/// finds, so its own SARIF output is read instead.
fn validate(logs: &[PathBuf], scratch: &Path) -> Vec<Problem> {
    let report = scratch.join("validation.sarif");
    let mut cmd = Command::new(sarif_multitool());
    cmd.arg("validate")
        .args(logs)
        .args(["--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note"])
        .args(["--log", "ForceOverwrite", "--output"])
        .arg(&report)
        // Whether or not ICU is installed.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1");
    let output = run_with_timeout(cmd, Duration::from_secs(600));
    let console = String::from_utf8_lossy(&output.stdout);
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("the validator wrote no report ({e}):\n{console}"));
    let report: Value = serde_json::from_str(&text).expect("the validator's report is JSON");
    let run = &report["runs"][0];
    for invocation in run["invocations"].as_array().into_iter().flatten() {
        assert_eq!(
            invocation["executionSuccessful"], true,
            "{invocation:#}\n{console}"
        );
    }
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    run["results"]
        .as_array()
        .expect("the report has results")
        .iter()
        .map(|r| {
            let rule = r["ruleIndex"].as_u64().and_then(|i| rules.get(i as usize));
            // A result without a level has its rule's default level.
            let level = r["level"]
                .as_str()
                .or_else(|| rule?["defaultConfiguration"]["level"].as_str())
                .unwrap_or("warning");
            Problem {
                rule: r["ruleId"].as_str().unwrap_or("?").to_owned(),
                level: level.to_owned(),
                file: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("?")
                    .to_owned(),
                text: render(r, rule),
            }
        })
        .collect()
}

/// A validator result's message: its rule's message string for `id` with
/// the arguments filled in.
fn render(result: &Value, rule: Option<&Value>) -> String {
    let message = &result["message"];
    if let Some(text) = message["text"].as_str() {
        return text.to_owned();
    }
    let id = message["id"].as_str().unwrap_or_default();
    let mut text = rule
        .and_then(|r| r["messageStrings"][id]["text"].as_str())
        .unwrap_or(id)
        .to_owned();
    for (i, arg) in message["arguments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        text = text.replace(&format!("{{{i}}}"), arg.as_str().unwrap_or_default());
    }
    text
}

#[test]
fn the_validator_reports_no_sarif_or_github_problems() {
    let started = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let mut logs = Vec::new();
    let mut findings = 0;
    for (i, run) in plan_runs(workspace_root()).iter().enumerate() {
        let log = sarif_log(&with_format(run, "sarif"));
        findings += results(&log).len();
        let path = scratch.path().join(format!("run{i}.sarif"));
        std::fs::write(&path, serde_json::to_string_pretty(&log).unwrap()).unwrap();
        logs.push(path);
    }
    assert!(findings > 50, "only {findings} findings to validate");
    let problems = validate(&logs, scratch.path());

    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for p in &problems {
        *counts
            .entry((p.rule.as_str(), p.level.as_str()))
            .or_default() += 1;
    }
    println!("validator results by rule and level: {counts:?}");
    // The validator gives up silently on a log it cannot read into its
    // object model (an unknown `level` value, say): no result at all, not
    // even its notes (every log here gets some, e.g. SARIF2002 on each
    // `message.text`). Without them, it did not check the log.
    for log in &logs {
        let name = log.file_name().unwrap().to_string_lossy();
        assert!(
            problems.iter().any(|p| p.file.ends_with(name.as_ref())),
            "the validator said nothing about {name}: it did not analyze it"
        );
    }
    let failures: Vec<String> = problems
        .iter()
        .filter(|p| p.level == "error" || p.level == "warning")
        .map(|p| format!("{} {} in {}: {}", p.level, p.rule, p.file, p.text))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("validated {} logs in {:.1?}", logs.len(), started.elapsed());
}

/// The check above can fail: the validator reports what GitHub rejects.
#[test]
fn the_validator_rejects_logs_github_would_reject() {
    let scratch = tempfile::tempdir().unwrap();
    let runs = plan_runs(workspace_root());
    let mut log = sarif_log(&with_format(&runs[0], "sarif"));
    let results = log["runs"][0]["results"].as_array_mut().unwrap();
    results[0]["locations"] = Value::Array(Vec::new());
    results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    results[2]["ruleIndex"] = 999.into();
    let path = scratch.path().join("broken.sarif");
    std::fs::write(&path, serde_json::to_string(&log).unwrap()).unwrap();
    let problems = validate(&[path], scratch.path());
    let errors: BTreeSet<&str> = problems
        .iter()
        .filter(|p| p.level == "error")
        .map(|p| p.rule.as_str())
        .collect();
    for expected in ["GH1015", "JSON1008", "SARIF1009"] {
        assert!(errors.contains(expected), "{expected} not in {errors:?}");
    }
}

// ---------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------

/// The `[text](id)` links of a message, by id.
fn links(message: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        if let Ok(id) = after[..end].parse() {
            ids.push(id);
        }
        rest = &after[end..];
    }
    ids
}

/// A 1-based character column of `line` as a 1-based UTF-16 column.
fn utf16_column(line: &str, char_column: u64) -> u64 {
    let prefix: String = line.chars().take(char_column as usize - 1).collect();
    prefix.encode_utf16().count() as u64 + 1
}

/// A location's `(startLine, startColumn, endLine, endColumn)`.
fn region_of(location: &Value) -> (u64, u64, u64, u64) {
    let r = &location["physicalLocation"]["region"];
    let n = |k: &str| {
        r[k].as_u64()
            .unwrap_or_else(|| panic!("region without {k}: {r}"))
    };
    (
        n("startLine"),
        n("startColumn"),
        n("endLine"),
        n("endColumn"),
    )
}

/// Checks one log against the registry and the JSON format's findings of
/// the same run; returns its problems.
fn structure_problems(run: &Run, log: &Value, json_stdout: &str) -> Vec<String> {
    let root = workspace_root();
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(format!("{}: {p}", run.name));
    let sarif_run = &log["runs"][0];
    if log["version"] != "2.1.0" || log["runs"].as_array().map(Vec::len) != Some(1) {
        problem("not one SARIF 2.1.0 run".into());
    }
    let rules = sarif_run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rule_ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let registry: Vec<String> = tapi_lint::lints::ALL.iter().map(|l| l.code()).collect();
    if rule_ids != registry {
        problem(format!(
            "rules {rule_ids:?} are not the registry's {registry:?}"
        ));
    }
    // The primary span of each JSON diagnostic, in cargo's envelope or bare.
    let json_spans: Vec<Value> = json_stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| match v["reason"].as_str() {
            Some("compiler-message") => Some(v["message"]["spans"][0].clone()),
            Some(_) => None,
            None => Some(v["spans"][0].clone()),
        })
        .collect();
    let results = results(log);
    if results.len() != json_spans.len() {
        problem(format!(
            "{} results, {} JSON diagnostics",
            results.len(),
            json_spans.len()
        ));
    }
    let mut seen_fingerprints = BTreeSet::new();
    for (i, result) in results.iter().enumerate() {
        let mut problem = |p: String| problem(format!("result {i} ({}): {p}", result["ruleId"]));
        let rule = result["ruleIndex"]
            .as_u64()
            .and_then(|i| rules.get(i as usize));
        match rule {
            Some(rule) if rule["id"] == result["ruleId"] => {}
            _ => problem(format!(
                "ruleIndex {} does not name its rule",
                result["ruleIndex"]
            )),
        }
        if !matches!(result["level"].as_str(), Some("error" | "warning" | "note")) {
            problem(format!("level {}", result["level"]));
        }
        let message = result["message"]["text"].as_str().unwrap_or_default();
        let locations = result["locations"].as_array().cloned().unwrap_or_default();
        if message.is_empty() || locations.len() != 1 {
            problem("no message or not exactly one location".into());
            continue;
        }
        let artifact = &locations[0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().unwrap_or_default();
        if artifact["uriBaseId"] != "%SRCROOT%" || !root.join(uri).is_file() {
            problem(format!(
                "{artifact} is not a file relative to the repository root"
            ));
        }
        if let (Some(span), Ok(text)) = (json_spans.get(i), std::fs::read_to_string(root.join(uri)))
        {
            let lines: Vec<&str> = text.lines().collect();
            let n = |k: &str| span[k].as_u64().unwrap_or(1);
            let line = |l: u64| lines.get(l as usize - 1).copied().unwrap_or_default();
            let expected = (
                n("line_start"),
                utf16_column(line(n("line_start")), n("column_start")),
                n("line_end"),
                utf16_column(line(n("line_end")), n("column_end")),
            );
            // JSON names files relative to the cargo workspace, SARIF
            // relative to the repository: a crate's own workspace under
            // `fixtures/crates/` is one of the run's bases.
            let file_name = span["file_name"].as_str().unwrap_or_default();
            let same_file = run.bases.iter().any(|base| {
                let joined = if base.is_empty() {
                    file_name.to_owned()
                } else {
                    format!("{base}/{file_name}")
                };
                joined == uri
            });
            if region_of(&locations[0]) != expected || !same_file {
                problem(format!(
                    "{uri} {:?}, JSON span {} {expected:?}",
                    region_of(&locations[0]),
                    span["file_name"]
                ));
            }
        }
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: BTreeSet<u64> = related.iter().filter_map(|l| l["id"].as_u64()).collect();
        if ids.len() != related.len() || links(message).iter().any(|id| !ids.contains(id)) {
            problem(format!(
                "related location ids {ids:?} do not match the links of {message:?}"
            ));
        }
        match result["partialFingerprints"][FINGERPRINT].as_str() {
            Some(fp) if seen_fingerprints.insert(fp.to_owned()) => {}
            other => problem(format!("fingerprint {other:?} missing or repeated")),
        }
        let leak = rule.is_some_and(|r| {
            r["properties"]["tags"]
                .to_string()
                .contains("resource-leak")
        });
        let steps = result["codeFlows"][0]["threadFlows"][0]["locations"].as_array();
        match (leak, steps) {
            (false, None) => {}
            (false, Some(_)) => problem("a code flow on a result that is no leak".into()),
            (true, None) => problem("a leak without a code flow".into()),
            (true, Some(steps)) => {
                let at = |s: &Value| region_of(&s["location"]);
                let ends = (steps.first().map(at), steps.last().map(at));
                let expected = (
                    Some(region_of(&locations[0])),
                    related.last().map(region_of),
                );
                if steps.len() != related.len() + 1 || ends != expected {
                    problem(format!(
                        "the code flow ({} steps) does not go from the acquisition to the exit",
                        steps.len()
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn results_reference_rules_locate_labels_and_trace_leaks() {
    let started = Instant::now();
    let mut problems = Vec::new();
    let mut leaks = 0;
    for run in plan_runs(workspace_root()) {
        let log = sarif_log(&with_format(&run, "sarif"));
        let json = run_analyzer(with_format(&run, "json"));
        problems.extend(structure_problems(
            &run,
            &log,
            &String::from_utf8_lossy(&json.stdout),
        ));
        leaks += results(&log)
            .iter()
            .filter(|r| r.get("codeFlows").is_some())
            .count();
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        leaks > 10,
        "only {leaks} leaks with code flows in the fixtures"
    );
    println!("checked in {:.1?}", started.elapsed());
}

// ---------------------------------------------------------------------------
// Fingerprints
// ---------------------------------------------------------------------------

/// The SARIF log of the loose file `name` in `dir`.
fn sarif_of_loose_file(dir: &Path, name: &str) -> Value {
    let mut cmd = Command::new(analyzer_bin());
    cmd.args(["tapi-lint", "--message-format", "sarif", name])
        .current_dir(dir);
    let output = run_with_timeout(cmd, Duration::from_secs(600));
    serde_json::from_slice(&output.stdout).expect("SARIF on stdout")
}

#[test]
fn fingerprints_survive_reruns_and_inserted_lines() {
    let runs = plan_runs(workspace_root());
    let package = with_format(&runs[0], "sarif");
    let (first, second) = (sarif_log(&package), sarif_log(&package));
    assert_eq!(fingerprints(&first), fingerprints(&second));

    // Two leaks of a line opened in the same helper, called from two
    // functions.
    let fixture = "fixtures/src/bin/leak_helper_two_callers.rs";
    let text = std::fs::read_to_string(workspace_root().join(fixture)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dialer.rs"), &text).unwrap();
    let before = sarif_of_loose_file(dir.path(), "dialer.rs");
    std::fs::write(dir.path().join("dialer.rs"), format!("\n{text}")).unwrap();
    let after = sarif_of_loose_file(dir.path(), "dialer.rs");

    assert!(
        results(&before).len() >= 2,
        "{fixture}: fewer findings than expected"
    );
    assert_eq!(fingerprints(&before), fingerprints(&after));
    let start_lines = |log: &Value| -> Vec<u64> {
        results(log)
            .iter()
            .map(|r| region_of(&r["locations"][0]).0)
            .collect()
    };
    let shifted: Vec<u64> = start_lines(&before).iter().map(|l| l + 1).collect();
    assert_eq!(
        start_lines(&after),
        shifted,
        "the findings moved one line down"
    );
}
