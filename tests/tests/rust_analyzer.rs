//! Editor integration against the real `rust-analyzer`: with
//! `check.command = "tapi-lint"` it runs `cargo tapi-lint` in place of
//! `cargo check` on save and shows the findings. The test starts the
//! language server over stdio on a copy of a fixture crate, opens and saves
//! a file, and compares the `textDocument/publishDiagnostics` it receives
//! (code, severity, range) with the analyzer's own JSON and the fixture's
//! `//~` annotations.
//!
//! The binary comes from `.ci/install-rust-analyzer`, which builds it once
//! from crates.io into a cache outside the repository (about 7 minutes the
//! first time on 2 cores).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use tapi_lint_tests::lsp_client::LspClient;
use tapi_lint_tests::{analyzer_bin, parse_expectations, workspace_root};

const FIXTURE: &str = "fixtures/crates/line_watch";

fn rust_analyzer() -> PathBuf {
    let script = workspace_root().join(".ci/install-rust-analyzer");
    let out = Command::new(&script)
        .output()
        .expect("run .ci/install-rust-analyzer");
    assert!(
        out.status.success(),
        "installing rust-analyzer failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One finding as an editor shows it: file (relative), 0-based start and
/// end of the primary range, severity (1 = error, 2 = warning), code.
type Shown = (String, (u64, u64), (u64, u64), u64, String);

/// What the analyzer itself reports for the crate, converted to LSP terms
/// (the fixture sources are ASCII, so character columns are UTF-16 ones).
fn analyzer_findings(crate_dir: &Path) -> BTreeSet<Shown> {
    let out = Command::new(analyzer_bin())
        .args(["tapi-lint", "--message-format", "json"])
        .current_dir(crate_dir)
        .output()
        .unwrap();
    let mut shown = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["reason"] != "compiler-message" {
            continue;
        }
        let m = &v["message"];
        let Some(code) = m["code"]["code"].as_str() else {
            continue;
        };
        let span = m["spans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["is_primary"] == true)
            .unwrap();
        let n = |k: &str| span[k].as_u64().unwrap() - 1;
        let severity = if m["level"] == "error" { 1 } else { 2 };
        shown.insert((
            span["file_name"].as_str().unwrap().to_owned(),
            (n("line_start"), n("column_start")),
            (n("line_end"), n("column_end")),
            severity,
            code.to_owned(),
        ));
    }
    shown
}

#[test]
fn rust_analyzer_shows_the_findings_on_save() {
    let ra = rust_analyzer();
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("line_watch");
    copy_dir(&workspace_root().join(FIXTURE), &crate_dir);
    let crate_dir = std::fs::canonicalize(&crate_dir).unwrap();

    // The expectations: the analyzer's JSON, which must agree with the
    // fixture's annotations (the harness checks the same elsewhere).
    let expected = analyzer_findings(&crate_dir);
    let mut files = Vec::new();
    rs_files(&crate_dir.join("src"), &mut files);
    let annotated: BTreeSet<(String, u64, String)> = files
        .iter()
        .flat_map(|f| {
            let rel = f
                .strip_prefix(&crate_dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            parse_expectations(&std::fs::read_to_string(f).unwrap())
                .into_iter()
                .map(move |e| (rel.clone(), e.line as u64 - 1, e.lint))
        })
        .collect();
    let from_json: BTreeSet<(String, u64, String)> = expected
        .iter()
        .map(|(f, start, _, _, code)| (f.clone(), start.0, code.clone()))
        .collect();
    assert_eq!(
        from_json, annotated,
        "the analyzer disagrees with the annotations"
    );
    assert!(!expected.is_empty());

    // `cargo tapi-lint` must resolve to the binary under test.
    let bin_dir = analyzer_bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let settings = json!({
        "check": {"command": "tapi-lint"},
        "checkOnSave": true,
        "cargo": {"buildScripts": {"enable": false}},
        "procMacro": {"enable": false},
        "cachePriming": {"enable": false},
    });
    let mut command = Command::new(&ra);
    command.current_dir(&crate_dir).env("PATH", path);
    let mut client = LspClient::spawn(command, settings.clone());

    let root = format!("file://{}", crate_dir.display());
    let timeout = Duration::from_secs(240);
    let init = client.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "line_watch"}],
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": true},
                    "synchronization": {"didSave": true},
                },
                "workspace": {"configuration": true},
            },
            "initializationOptions": settings,
        }),
        timeout,
    );
    assert!(init["result"]["capabilities"].is_object(), "{init:#}");
    client.notify("initialized", json!({}));

    let main = crate_dir.join("src/main.rs");
    let uri = format!("file://{}", main.display());
    let text = std::fs::read_to_string(&main).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );

    // Collect the tapi-lint diagnostics per file until every expected file
    // has had its findings published.
    let expected_files: BTreeSet<String> = expected.iter().map(|s| s.0.clone()).collect();
    let mut published: BTreeMap<String, BTreeSet<Shown>> = BTreeMap::new();
    let prefix = format!("file://{}/", crate_dir.display());
    let done = |published: &BTreeMap<String, BTreeSet<Shown>>| {
        expected_files
            .iter()
            .all(|f| published.get(f).is_some_and(|d| !d.is_empty()))
    };
    while !done(&published) {
        let Some(message) = client.wait_for(timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics"
        }) else {
            panic!(
                "rust-analyzer did not publish tapi-lint diagnostics for {expected_files:?}; got {published:#?}; messages: {:#?}",
                client.seen
            );
        };
        let params = &message["params"];
        let Some(file) = params["uri"].as_str().and_then(|u| u.strip_prefix(&prefix)) else {
            continue;
        };
        let shown: BTreeSet<Shown> = params["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| {
                // rust-analyzer splits a tool lint's code as it does
                // clippy's: `tapi::line_not_closed` is source `tapi`, code
                // `line_not_closed`.
                (d["source"] == "tapi").then_some(())?;
                let code = format!("tapi::{}", d["code"].as_str()?);
                // The secondary labels come as hints pointing back at the
                // finding; the finding itself is what is compared.
                let severity = d["severity"].as_u64()?;
                (severity <= 2).then_some(())?;
                let p = |k: &str| {
                    (
                        d["range"][k]["line"].as_u64().unwrap(),
                        d["range"][k]["character"].as_u64().unwrap(),
                    )
                };
                Some((file.to_owned(), p("start"), p("end"), severity, code))
            })
            .collect();
        published.insert(file.to_owned(), shown);
    }
    let shown: BTreeSet<Shown> = published.into_values().flatten().collect();
    assert_eq!(shown, expected);
    assert_eq!(client.shut_down(Duration::from_secs(30)), Some(0));
}
