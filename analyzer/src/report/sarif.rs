//! `--message-format sarif`: one SARIF 2.1.0 log with one run, every lint
//! of the registry as a rule, for GitHub code scanning.
//!
//! Locations are relative to `%SRCROOT%` (the workspace root, or the current
//! directory for loose files); columns count Unicode code points, as the
//! other formats do. `partialFingerprints.tapiLint/v1` is a stable hash of
//! the lint, the file, the trimmed text of the primary line and the
//! occurrence index of that triple, so results survive unrelated edits that
//! move lines.

use serde_json::{Value, json};

use super::{Reported, span_line_cols};
use crate::diagnostic::Label;
use crate::lints::{self, Level};
use crate::source::SourceMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// The whole log.
pub fn document(diags: &[Reported], sources: &SourceMap) -> Value {
    let rules: Vec<Value> = lints::ALL
        .iter()
        .map(|l| {
            let first_paragraph = l
                .explanation
                .split("\n\n")
                .next()
                .unwrap_or(l.summary)
                .trim();
            json!({
                "id": l.code(),
                "name": l.name,
                "shortDescription": { "text": l.summary },
                "fullDescription": { "text": first_paragraph.replace('\n', " ") },
                "help": { "text": l.explanation, "markdown": l.explanation },
                "defaultConfiguration": {
                    "level": level(l.default_level),
                    "enabled": l.default_level != Level::Allow,
                },
                "properties": { "tags": ["tapi", "correctness"] },
            })
        })
        .collect();
    let mut seen: std::collections::HashMap<(String, String, String), usize> = Default::default();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let f = d.finding();
            let file = sources.get(f.primary.span.file);
            let (lo, _) = span_line_cols(sources, f.primary.span);
            let line_text = file.line_text(lo.line).trim().to_owned();
            let key = (f.lint.code(), file.display.clone(), line_text);
            let occurrence = seen.entry(key.clone()).or_default();
            let fingerprint = format!(
                "{:016x}:{}",
                fnv1a(&[key.0.as_bytes(), key.1.as_bytes(), key.2.as_bytes()]),
                occurrence
            );
            *occurrence += 1;
            let rule_index = lints::ALL.iter().position(|l| l.name == f.lint.name);
            let related: Vec<Value> = f
                .secondary
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(sources, l);
                    loc["id"] = json!(i);
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": f.lint.code(),
                "level": level(d.level()),
                "message": { "text": f.message },
                "locations": [location(sources, &f.primary)],
                "partialFingerprints": { "tapiLint/v1": fingerprint },
            });
            if let Some(i) = rule_index {
                result["ruleIndex"] = json!(i);
            }
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();
    let root = sources.iter().find_map(|(_, f)| {
        // The root is where the display paths are relative to.
        let path = f.path.to_string_lossy().replace('\\', "/");
        path.strip_suffix(&f.display)
            .filter(|r| r.starts_with('/') || r.contains(":/"))
            .map(str::to_owned)
    });
    let mut run = json!({
        "tool": { "driver": {
            "name": "tapi-lint",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = root {
        let prefix = if root.starts_with('/') {
            "file://"
        } else {
            "file:///"
        };
        run["originalUriBaseIds"] =
            json!({ "%SRCROOT%": { "uri": format!("{prefix}{}", encode_uri(&root)) } });
    }
    json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] })
}

fn location(sources: &SourceMap, label: &Label) -> Value {
    let file = sources.get(label.span.file);
    let (lo, hi) = span_line_cols(sources, label.span);
    let artifact = if file.display.starts_with('/') || file.display.contains(":/") {
        json!({ "uri": format!("file://{}{}", if file.display.starts_with('/') { "" } else { "/" }, encode_uri(&file.display)) })
    } else {
        json!({ "uri": encode_uri(&file.display), "uriBaseId": "%SRCROOT%" })
    };
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": lo.line,
                "startColumn": lo.col,
                "endLine": hi.line,
                "endColumn": hi.col.max(lo.col + usize::from(hi.line == lo.line && hi.col <= lo.col)),
            },
        },
    });
    if !label.message.is_empty() {
        loc["message"] = json!({ "text": label.message });
    }
    loc
}

/// Percent-encodes what may not appear in a URI path.
fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte: stable across
/// runs, platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn sarif_lists_every_rule_and_locates_results() {
        let sm = sources();
        let diags = diags();
        let doc = document(&diags, &sm);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), lints::ALL.len());
        assert!(
            rules
                .iter()
                .all(|r| r["shortDescription"]["text"].is_string()
                    && r["fullDescription"]["text"].is_string()
                    && r["help"]["text"].is_string()
                    && r["defaultConfiguration"]["level"].is_string())
        );
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///ws/");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "tapi::line_not_closed");
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "line `h` is never closed");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "src/main.rs");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 3);
        assert_eq!(loc["region"]["startColumn"], 5);
        assert_eq!(loc["region"]["endColumn"], 30);
        assert_eq!(r["relatedLocations"].as_array().unwrap().len(), 2);
        assert_eq!(
            r["relatedLocations"][1]["physicalLocation"]["artifactLocation"]["uri"],
            "src/helper.rs"
        );
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "tapi::line_not_closed"
        );
        assert_eq!(run["results"][1]["level"], "warning");
    }

    #[test]
    fn fingerprints_are_stable_and_distinguish_repeats() {
        let sm = sources();
        let mut diags = diags();
        diags.push(diags[0].clone());
        let a = document(&diags, &sm);
        let b = document(&diags, &sm);
        let fp = |doc: &Value, i: usize| {
            doc["runs"][0]["results"][i]["partialFingerprints"]["tapiLint/v1"].clone()
        };
        assert_eq!(fp(&a, 0), fp(&b, 0));
        assert_ne!(
            fp(&a, 0),
            fp(&a, 2),
            "the same finding twice gets occurrence 0 and 1"
        );
        assert!(fp(&a, 2).as_str().unwrap().ends_with(":1"));
        assert_eq!(encode_uri("src/a b.rs"), "src/a%20b.rs");
    }
}
