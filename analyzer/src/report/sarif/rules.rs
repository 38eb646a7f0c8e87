//! Every lint of the registry as a SARIF rule (`reportingDescriptor`), with
//! the properties GitHub code scanning shows and sorts by.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::code_flow::is_leak;
use super::message::sentence;
use crate::lints::{self, Level, Lint};

/// `tool.driver.rules`, in registry order (a result's `ruleIndex` is its
/// lint's position in [`lints::ALL`]).
pub(super) fn descriptors() -> Vec<Value> {
    lints::ALL.iter().map(|lint| descriptor(lint)).collect()
}

/// Each lint's `ruleIndex`, by name.
pub(super) fn indices() -> HashMap<&'static str, usize> {
    lints::ALL
        .iter()
        .enumerate()
        .map(|(i, lint)| (lint.name, i))
        .collect()
}

/// A level as SARIF spells it. `allow` never reaches a result (allowed
/// findings are dropped); as a rule's default it comes with
/// `enabled: false`.
pub(super) fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

fn descriptor(lint: &Lint) -> Value {
    json!({
        "id": lint.code(),
        "name": friendly_name(lint.name),
        "shortDescription": { "text": sentence(lint.summary) },
        "fullDescription": { "text": lint.first_paragraph() },
        "help": {
            "text": lint.explanation_text(),
            "markdown": lint.explanation_markdown(),
        },
        "helpUri": lint.docs_url(),
        "defaultConfiguration": {
            "level": sarif_level(lint.default_level),
            "enabled": lint.default_level != Level::Allow,
        },
        "properties": {
            "tags": ["tapi", if is_leak(lint) { "resource-leak" } else { "correctness" }],
            // Every finding is a path the analyzer followed through the
            // code; what it cannot see (callbacks, other crates) it assumes
            // to be correct, so false positives are rare but possible.
            "precision": "high",
            // Not `security-severity`: that would file these reliability
            // problems as security alerts.
            "problem.severity": problem_severity(lint.default_level),
        },
    })
}

/// The rule's `name`, a Pascal-case identifier as SARIF tools expect
/// (`line_not_closed` → `LineNotClosed`); the `id` keeps the lint name.
fn friendly_name(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// GitHub's `problem.severity` for a default level.
fn problem_severity(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Allow => "recommendation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub limits short and full descriptions to this many characters.
    const DESCRIPTION_LIMIT: usize = 1024;

    #[test]
    fn every_lint_is_a_complete_rule() {
        let rules = descriptors();
        assert_eq!(rules.len(), lints::ALL.len());
        for (rule, lint) in rules.iter().zip(lints::ALL) {
            assert_eq!(rule["id"], lint.code());
            for text in [
                &rule["shortDescription"]["text"],
                &rule["fullDescription"]["text"],
            ] {
                let text = text.as_str().unwrap();
                assert!(
                    !text.is_empty() && text.chars().count() <= DESCRIPTION_LIMIT,
                    "{}: {text}",
                    lint.name
                );
                assert!(text.ends_with('.'), "{}: {text}", lint.name);
            }
            assert!(!rule["help"]["text"].as_str().unwrap().contains("```"));
            assert_eq!(rule["helpUri"], lint.docs_url());
            assert_eq!(
                indices()[lint.name],
                lints::ALL.iter().position(|l| l == lint).unwrap()
            );
        }
    }

    #[test]
    fn rule_metadata_follows_the_lint() {
        let rule = descriptor(&lints::LINE_NOT_CLOSED);
        assert_eq!(rule["name"], "LineNotClosed");
        assert_eq!(
            rule["shortDescription"]["text"],
            "A line can reach the end of its lifetime with neither `lineClose` nor `lineShutdown`."
        );
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .starts_with("A line (`HLINE`) opened with `lineOpen` can reach the end")
        );
        assert_eq!(rule["properties"]["tags"], json!(["tapi", "resource-leak"]));
        assert_eq!(rule["properties"]["problem.severity"], "error");
        assert_eq!(
            rule["defaultConfiguration"],
            json!({"level": "error", "enabled": true})
        );

        let help = descriptor(&lints::LINE_APP_NOT_SHUT_DOWN)["help"].clone();
        let markdown = help["markdown"].as_str().unwrap();
        assert!(markdown.contains("\n```rust\nuse std::ptr::{null, null_mut};\n"));
        assert!(!markdown.contains("rust,ignore"));
        let text = help["text"].as_str().unwrap();
        assert!(text.contains("\n    use std::ptr::{null, null_mut};\n"));

        let guard = descriptor(&lints::RELEASED_BY_GUARD);
        assert_eq!(
            guard["defaultConfiguration"],
            json!({"level": "note", "enabled": false})
        );
        assert_eq!(guard["properties"]["problem.severity"], "recommendation");
        let order = descriptor(&lints::RELEASE_ORDER);
        assert_eq!(order["properties"]["tags"], json!(["tapi", "correctness"]));
        assert_eq!(order["defaultConfiguration"]["level"], "warning");
    }
}
