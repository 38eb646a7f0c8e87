//! The lint documentation, generated from the registry
//! (`analyzer/src/lints.rs`), held to the analyzer itself:
//!
//! * `docs/lints.md` is [`lints::catalog_markdown`], and the lint table of
//!   `README.md` (between its `lints-table` markers) is
//!   [`lints::table_markdown`]; `BLESS=1` rewrites them;
//! * every example of every explanation goes through the real binary: the
//!   leaking example is reported with its lint, the fixed one is not
//!   reported at all;
//! * `--explain` prints each explanation as plain text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tapi_lint::lints::{self, ALL, ExampleKind, Lint};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-tapi-lint");

const BLESS_HINT: &str = "run `BLESS=1 cargo test -p cargo-tapi-lint --test lint_docs` to \
                          regenerate it from the registry";

/// The lints a leaking example is reported with besides its own, where
/// they cannot be avoided. The set must match exactly.
const ALSO_REPORTED: &[(&str, &[&str])] = &[
    // A registration lives as long as its line app (`lineShutdown` ends
    // it), so it can only leak along with the app.
    ("recipient_not_unregistered", &["line_app_not_shut_down"]),
    // An invalid suppression suppresses nothing: the finding it was
    // written for is reported.
    ("invalid_suppression", &["line_not_closed"]),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the analyzer is a workspace member")
        .to_path_buf()
}

fn analyzer(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir);
    for var in ["CARGO_TERM_COLOR", "NO_COLOR", "RUST_BACKTRACE"] {
        command.env_remove(var);
    }
    command.output().expect("run cargo-tapi-lint")
}

fn blessing() -> bool {
    std::env::var("BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `None` when the file at `rel` (from the workspace root) holds
/// `expected`; else, unless blessing (which rewrites it), what differs.
fn out_of_date(rel: &str, expected: &str) -> Option<String> {
    let path = workspace_root().join(rel);
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual == expected {
        return None;
    }
    if blessing() {
        std::fs::write(&path, expected)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return None;
    }
    let (actual_lines, expected_lines): (Vec<&str>, Vec<&str>) =
        (actual.lines().collect(), expected.lines().collect());
    let line = actual_lines
        .iter()
        .zip(&expected_lines)
        .position(|(a, e)| a != e)
        .unwrap_or(actual_lines.len().min(expected_lines.len()));
    let at = |lines: &[&str]| {
        lines
            .get(line)
            .map_or("(end of file)".to_owned(), |l| format!("{l:?}"))
    };
    Some(format!(
        "{rel} is out of date; first difference at line {}:\n  in the file: {}\n  generated:   {}\n{BLESS_HINT}",
        line + 1,
        at(&actual_lines),
        at(&expected_lines),
    ))
}

/// `README.md` with its lint table regenerated.
fn readme_with_table(readme: &str) -> String {
    const START: &str = "<!-- lints-table:start";
    const END: &str = "<!-- lints-table:end -->";
    let start = readme
        .find(START)
        .expect("README.md has a lints-table:start marker");
    let body = start + readme[start..].find('\n').expect("a line after the marker") + 1;
    let end = readme[body..]
        .find(END)
        .map(|i| body + i)
        .expect("README.md has a lints-table:end marker");
    format!(
        "{}\n{}\n{}",
        &readme[..body],
        lints::table_markdown(lints::CATALOG_PATH),
        &readme[end..]
    )
}

#[test]
fn catalog_and_readme_lint_table_are_up_to_date() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let problems: Vec<String> = [
        out_of_date(lints::CATALOG_PATH, &lints::catalog_markdown()),
        out_of_date("README.md", &readme_with_table(&readme)),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// One diagnostic of a JSON run: lint and level.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    lint: String,
    level: String,
}

fn example_file(lint: &Lint, kind: ExampleKind) -> String {
    let kind = match kind {
        ExampleKind::Leaks => "leaks",
        ExampleKind::Fixed => "fixed",
    };
    format!("{}_{kind}.rs", lint.name)
}

#[test]
fn every_example_is_reported_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for lint in ALL {
        for example in lint.examples() {
            let file = example_file(lint, example.kind);
            std::fs::write(dir.path().join(&file), &example.code).unwrap();
            files.push(file);
        }
    }
    assert_eq!(
        files.len(),
        2 * ALL.len(),
        "a leaking and a fixed example per lint"
    );

    // One run over every example (each file is its own crate), with the
    // lint that is allowed by default turned on.
    let mut args = vec!["--message-format", "json", "-W", "tapi::released_by_guard"];
    args.extend(files.iter().map(String::as_str));
    let output = analyzer(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "the analyzer failed ({:?}):\n{stderr}",
        output.status
    );
    let mut by_file: BTreeMap<String, Vec<Reported>> = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let message = match value["reason"].as_str() {
            Some("compiler-message") => &value["message"],
            Some(_) => continue,
            None => &value,
        };
        let primary = message["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true))
            .unwrap_or_else(|| panic!("no primary span: {line}"));
        let file = primary["file_name"].as_str().unwrap().to_owned();
        let file = Path::new(&file)
            .file_name()
            .map_or(file.clone(), |f| f.to_string_lossy().into_owned());
        by_file.entry(file).or_default().push(Reported {
            lint: message["code"]["code"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned(),
            level: message["level"].as_str().unwrap_or_default().to_owned(),
        });
    }

    let mut problems = Vec::new();
    for lint in ALL {
        let leaks = by_file
            .remove(&example_file(lint, ExampleKind::Leaks))
            .unwrap_or_default();
        let own = leaks.iter().filter(|r| r.lint == lint.code()).count();
        let others: BTreeSet<&str> = leaks
            .iter()
            .filter(|r| r.lint != lint.code())
            .map(|r| r.lint.strip_prefix("tapi::").unwrap_or(&r.lint))
            .collect();
        let expected_others: BTreeSet<&str> = ALSO_REPORTED
            .iter()
            .find(|(name, _)| *name == lint.name)
            .map(|(_, others)| others.iter().copied().collect())
            .unwrap_or_default();
        if own == 0 || others != expected_others {
            problems.push(format!(
                "{}: the leaking example is reported with {leaks:?}, not with `{}`{}",
                lint.name,
                lint.code(),
                if expected_others.is_empty() {
                    " alone".to_owned()
                } else {
                    format!(" and {expected_others:?}")
                }
            ));
        }
        let fixed = by_file
            .remove(&example_file(lint, ExampleKind::Fixed))
            .unwrap_or_default();
        if !fixed.is_empty() {
            problems.push(format!(
                "{}: the fixed example is reported with {fixed:?}",
                lint.name
            ));
        }
    }
    assert!(
        by_file.is_empty(),
        "findings in files that are not examples: {by_file:?}"
    );
    assert!(
        problems.is_empty(),
        "examples in analyzer/src/lints.rs the analyzer disagrees with:\n{}\n{stderr}",
        problems.join("\n")
    );
}

#[test]
fn explain_prints_explanations_as_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    for lint in ALL {
        let output = analyzer(dir.path(), &["tapi-lint", "--explain", lint.name]);
        assert_eq!(output.status.code(), Some(0), "{}", lint.name);
        let text = String::from_utf8(output.stdout).unwrap();
        let heading = format!(
            "{} ({} by default)\n\n{}\n\n",
            lint.code(),
            lint.default_level.as_str(),
            lint.summary
        );
        assert!(text.starts_with(&heading), "{text}");
        assert!(
            !text.contains("```") && !text.contains("rust,ignore"),
            "rustdoc markup in `--explain {}`:\n{text}",
            lint.name
        );
        for line in text.lines() {
            // Prose at the margin, code indented by four: never the one
            // space `///` leaves.
            assert!(
                line.is_empty() || !line.starts_with(' ') || line.starts_with("    "),
                "`--explain {}`: {line:?}",
                lint.name
            );
        }
        for example in lint.examples() {
            let indented: String = example
                .code
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        "\n".to_owned()
                    } else {
                        format!("    {l}\n")
                    }
                })
                .collect();
            assert!(
                text.contains(&indented),
                "`--explain {}` lacks its {:?} example:\n{text}",
                lint.name,
                example.kind
            );
        }
    }
}
