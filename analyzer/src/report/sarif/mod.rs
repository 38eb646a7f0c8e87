//! `--message-format sarif`: one SARIF 2.1.0 log with one run, in the
//! subset GitHub code scanning reads (docs.github.com, "SARIF support for
//! code scanning"); `tests/tests/sarif.rs` checks it with Microsoft's SARIF
//! validator and GitHub's ingestion rules.
//!
//! * `rules`: every lint of the registry as a rule;
//! * `results`: each finding as a result: `message` with links to its
//!   related locations, `region`s in UTF-16 columns, the path of a leak as
//!   a `code_flow`, a `fingerprint`;
//! * `artifacts`: URIs relative to `%SRCROOT%`, the repository root, and
//!   the table of files.
//!
//! An internal error of the analyzer (a caught panic) is about the tool,
//! not the code: it is a notification of the invocation, which then did not
//! execute successfully, rather than a result.

mod artifacts;
mod code_flow;
mod fingerprint;
mod message;
mod outline;
mod region;
mod results;
mod rules;

use serde_json::{Value, json};

use super::Reported;
use crate::lints;
use crate::source::SourceMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The whole log.
pub fn document(diags: &[Reported], sources: &SourceMap) -> Value {
    let mut writer = results::ResultWriter::new(sources);
    let results: Vec<Value> = diags
        .iter()
        .filter(|d| !d.internal)
        .map(|d| writer.result(d))
        .collect();
    let notifications: Vec<Value> = diags
        .iter()
        .filter(|d| d.internal)
        .map(|d| writer.notification(d))
        .collect();
    let artifacts = writer.into_artifacts();

    let mut invocation = json!({ "executionSuccessful": notifications.is_empty() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let mut run = json!({
        "tool": { "driver": {
            "name": "tapi-lint",
            "informationUri": lints::docs_root(),
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules::descriptors(),
        }},
        "invocations": [invocation],
        "columnKind": "utf16CodeUnits",
        "results": results,
        "artifacts": artifacts.table(),
    });
    if let Some(bases) = artifacts.original_uri_base_ids() {
        run["originalUriBaseIds"] = bases;
    }
    json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::diagnostic::{Finding, Label};
    use crate::lints::Level;

    /// A leak through a helper in the other file (chain, then exit, as the
    /// checker orders a leak's labels).
    fn leak_through_helper() -> Reported {
        let finding = Finding {
            lint: &lints::LINE_APP_NOT_SHUT_DOWN,
            message: "the line app from `lineInitializeExW` is never shut down".into(),
            primary: Label::new(
                span_of(0, MAIN, "lineOpenW(app, 0, &mut h)"),
                "line app acquired through this call",
            ),
            secondary: vec![
                Label::new(
                    span_of(1, HELPER, "lineInitializeExW(&mut app)"),
                    "line app initialized here, in `helper`",
                ),
                Label::new(
                    span_of(0, MAIN, "}\n").end(),
                    "leaks at the end of the function",
                ),
            ],
            notes: vec!["help: release it with `lineShutdown` on this path".into()],
            suggestion: None,
        };
        Reported::new(finding, Level::Error)
    }

    #[test]
    fn one_run_with_the_tool_every_rule_and_the_files() {
        let sm = sources();
        let doc = document(&diags(), &sm);
        assert_eq!(
            (&doc["version"], &doc["$schema"]),
            (&json!("2.1.0"), &json!(SCHEMA))
        );
        assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
        let run = &doc["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "tapi-lint");
        assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
        assert!(
            driver["informationUri"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert_eq!(driver["rules"].as_array().unwrap().len(), lints::ALL.len());
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert_eq!(run["invocations"], json!([{ "executionSuccessful": true }]));
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///ws/");
        let files: Vec<&Value> = run["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["location"]["uri"])
            .collect();
        assert_eq!(files, [&json!("src/main.rs"), &json!("src/helper.rs")]);
    }

    #[test]
    fn results_reference_their_rule_and_locate_every_label() {
        let sm = sources();
        let doc = document(&diags(), &sm);
        let rules = &doc["runs"][0]["tool"]["driver"]["rules"];
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let r = &results[0];
        assert_eq!(r["ruleId"], "tapi::line_not_closed");
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            r["ruleId"]
        );
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["message"]["text"],
            "Line `h` is never closed ([leaks when `main` returns here](1); \
             [app initialized here](2)). Call `lineClose(h)` before returning. A plain note."
        );
        let primary = &r["locations"][0]["physicalLocation"];
        assert_eq!(primary["artifactLocation"]["uri"], "src/main.rs");
        assert_eq!(primary["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(primary["artifactLocation"]["index"], 0);
        assert_eq!(
            primary["region"],
            json!({"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 30})
        );
        assert_eq!(r["locations"][0]["message"]["text"], "line opened here");
        let related = r["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(
            (&related[0]["id"], &related[1]["id"]),
            (&json!(1), &json!(2))
        );
        assert_eq!(
            related[1]["physicalLocation"]["artifactLocation"]["uri"],
            "src/helper.rs"
        );
        assert_eq!(related[1]["message"]["text"], "app initialized here");
        assert!(r["partialFingerprints"]["tapiLint/v1"].is_string());
        assert_eq!(results[1]["level"], "warning");
        assert!(
            results[1].get("codeFlows").is_none(),
            "release_order is no leak"
        );
    }

    #[test]
    fn a_leak_has_its_path_as_a_code_flow() {
        let sm = sources();
        let doc = document(&[leak_through_helper()], &sm);
        let flow = &doc["runs"][0]["results"][0]["codeFlows"][0];
        assert_eq!(
            flow["message"]["text"],
            "The line app from `lineInitializeExW` is never shut down."
        );
        let steps = flow["threadFlows"][0]["locations"].as_array().unwrap();
        let shown: Vec<(u64, &str, u64)> = steps
            .iter()
            .map(|s| {
                let location = &s["location"];
                (
                    location["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                    location["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap(),
                    s["nestingLevel"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (3, "src/main.rs", 0),
                (2, "src/helper.rs", 1),
                (5, "src/main.rs", 0)
            ]
        );
        assert_eq!(steps[1]["kinds"], json!(["acquire"]));
        assert_eq!(
            steps[1]["location"]["message"]["text"],
            "line app initialized here, in `helper`"
        );
    }

    #[test]
    fn internal_errors_are_notifications_of_a_failed_invocation() {
        let sm = sources();
        let mut internal = leak_through_helper();
        internal.internal = true;
        internal.diagnostic.finding.lint = &lints::PARSE_ERROR;
        internal.diagnostic.finding.message =
            "internal error in tapi-lint while analyzing this file: boom".into();
        let doc = document(&[internal, diags().remove(1)], &sm);
        let run = &doc["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 1);
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notification = &invocation["toolExecutionNotifications"][0];
        assert_eq!(notification["level"], "error");
        assert_eq!(
            notification["message"]["text"],
            "Internal error in tapi-lint while analyzing this file: boom."
        );
        assert_eq!(
            notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/main.rs"
        );
    }
}
