//! Findings as SARIF `result`s, internal errors as the invocation's
//! `toolExecutionNotifications`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::artifacts::Artifacts;
use super::code_flow::{Step, leak_path};
use super::fingerprint::{self, Fingerprints};
use super::message::{escape_brackets, related_id, result_text, sentence};
use super::region::region;
use super::rules::{indices, sarif_level};
use crate::diagnostic::Label;
use crate::report::Reported;
use crate::source::SourceMap;

/// Writes the results of one log, listing the files they point into.
pub(super) struct ResultWriter<'a> {
    sources: &'a SourceMap,
    artifacts: Artifacts<'a>,
    fingerprints: Fingerprints<'a>,
    rule_indices: HashMap<&'static str, usize>,
}

impl<'a> ResultWriter<'a> {
    pub(super) fn new(sources: &'a SourceMap) -> ResultWriter<'a> {
        ResultWriter {
            sources,
            artifacts: Artifacts::new(sources),
            fingerprints: Fingerprints::new(sources),
            rule_indices: indices(),
        }
    }

    /// The files the results point into, once every result is written.
    pub(super) fn into_artifacts(self) -> Artifacts<'a> {
        self.artifacts
    }

    /// A finding about the code.
    pub(super) fn result(&mut self, reported: &Reported) -> Value {
        let finding = reported.finding();
        let uri = self.artifacts.uri(finding.primary.span.file);
        let mut result = json!({
            "ruleId": finding.lint.code(),
            "level": sarif_level(reported.level()),
            "message": { "text": result_text(finding) },
            "locations": [self.location(&finding.primary)],
            "partialFingerprints": { fingerprint::KEY: self.fingerprints.next(finding, &uri) },
        });
        if let Some(&index) = self.rule_indices.get(finding.lint.name) {
            result["ruleIndex"] = json!(index);
        }
        if !finding.secondary.is_empty() {
            let related: Vec<Value> = finding
                .secondary
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let mut location = self.location(label);
                    location["id"] = json!(related_id(i));
                    location
                })
                .collect();
            result["relatedLocations"] = Value::Array(related);
        }
        if let Some(path) = leak_path(finding) {
            let steps: Vec<Value> = path
                .iter()
                .map(|step| self.thread_flow_step(step))
                .collect();
            result["codeFlows"] = json!([{
                "message": { "text": sentence(&escape_brackets(&finding.message)) },
                "threadFlows": [{ "locations": steps }],
            }]);
        }
        result
    }

    /// An internal error of the analyzer: about the tool, not the code.
    pub(super) fn notification(&mut self, reported: &Reported) -> Value {
        let finding = reported.finding();
        json!({
            "level": "error",
            "message": { "text": sentence(&escape_brackets(&finding.message)) },
            "locations": [self.location(&finding.primary)],
        })
    }

    fn thread_flow_step(&mut self, step: &Step) -> Value {
        let mut flow_location = json!({
            "location": self.location(step.label),
            "nestingLevel": step.nesting_level,
        });
        if let Some(kind) = step.kind {
            flow_location["kinds"] = json!([kind]);
        }
        flow_location
    }

    fn location(&mut self, label: &Label) -> Value {
        let file = label.span.file;
        let mut location = json!({
            "physicalLocation": {
                "artifactLocation": self.artifacts.location(file),
                "region": region(self.sources.get(file), label.span),
            },
        });
        if !label.message.is_empty() {
            location["message"] = json!({ "text": escape_brackets(&label.message) });
        }
        location
    }
}
