//! `--message-format json`: rustc's JSON diagnostics, in cargo's
//! `compiler-message` envelope when analyzing cargo targets, one object per
//! line, then `{"reason":"build-finished","success":..}`. This is what
//! rust-analyzer's `check.overrideCommand` reads (spec §4).

use serde::Serialize;

use super::{JsonStyle, Origin, Reported, span_line_cols, split_note};
use crate::diagnostic::{Label, Suggestion};
use crate::source::SourceMap;

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: &'a str,
    manifest_path: &'a str,
    target: &'a super::TargetJson,
    message: Message,
}

/// rustc's `Diagnostic` JSON.
#[derive(Serialize)]
pub struct Message {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<JsonSpan>,
    children: Vec<Message>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct JsonSpan {
    file_name: String,
    byte_start: u32,
    byte_end: u32,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    label: Option<String>,
    text: Vec<SpanLine>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<String>,
    expansion: Option<()>,
}

#[derive(Serialize)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

/// The `message` object of one diagnostic.
pub fn message(d: &Reported, sources: &SourceMap, style: JsonStyle) -> Message {
    let f = d.finding();
    let rendered = if style.short {
        format!("{}\n", super::short::render(d, sources, style.ansi))
    } else {
        super::human::render(d, sources, style.ansi)
    };
    let mut spans = vec![span(sources, &f.primary, true)];
    spans.extend(f.secondary.iter().map(|l| span(sources, l, false)));
    let mut children: Vec<Message> = f
        .notes
        .iter()
        .map(|n| {
            let (level, text) = split_note(n);
            Message {
                message_type: "diagnostic",
                message: text.to_owned(),
                code: None,
                level,
                spans: Vec::new(),
                children: Vec::new(),
                rendered: None,
            }
        })
        .collect();
    children.extend(f.suggestion.as_ref().map(|s| suggestion(sources, s)));
    Message {
        message_type: "diagnostic",
        message: f.message.clone(),
        code: Some(Code {
            code: f.lint.code(),
            explanation: None,
        }),
        level: d.level().as_str(),
        spans,
        children,
        rendered: Some(rendered),
    }
}

/// A fix as rustc writes one: a `help` child whose spans carry the
/// replacement text.
fn suggestion(sources: &SourceMap, s: &Suggestion) -> Message {
    let spans = s
        .edits
        .iter()
        .map(|e| {
            let mut json = span(sources, &Label::new(e.span, ""), true);
            json.suggested_replacement = Some(e.replacement.clone());
            json.suggestion_applicability = Some(s.applicability.as_str().to_owned());
            json
        })
        .collect();
    Message {
        message_type: "diagnostic",
        message: s.message.clone(),
        code: None,
        level: "help",
        spans,
        children: Vec::new(),
        rendered: None,
    }
}

fn span(sources: &SourceMap, label: &Label, is_primary: bool) -> JsonSpan {
    let file = sources.get(label.span.file);
    let (lo, hi) = span_line_cols(sources, label.span);
    let text = (lo.line..=hi.line)
        .map(|line| {
            let text = file.line_text(line).to_owned();
            let start = if line == lo.line { lo.col } else { 1 };
            let end = if line == hi.line {
                hi.col
            } else {
                text.chars().count() + 1
            };
            SpanLine {
                text,
                highlight_start: start,
                highlight_end: end.max(start),
            }
        })
        .collect();
    JsonSpan {
        file_name: file.display.clone(),
        byte_start: label.span.lo,
        byte_end: label.span.hi.max(label.span.lo),
        line_start: lo.line,
        line_end: hi.line,
        column_start: lo.col,
        column_end: hi.col,
        is_primary,
        label: (!label.message.is_empty()).then(|| label.message.clone()),
        text,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

/// One output line: the bare message for loose files, or the message in
/// cargo's envelope.
pub fn line(d: &Reported, sources: &SourceMap, style: JsonStyle, cargo: bool) -> String {
    let message = message(d, sources, style);
    let origin: Option<&Origin> = d.origin.as_deref();
    let result = match (cargo, origin) {
        (true, Some(o)) => serde_json::to_string(&CompilerMessage {
            reason: "compiler-message",
            package_id: &o.package_id,
            manifest_path: &o.manifest_path,
            target: &o.target,
            message,
        }),
        _ => serde_json::to_string(&message),
    };
    result.expect("diagnostics serialize to JSON")
}

/// The closing line of a cargo-style JSON stream.
pub fn build_finished(success: bool) -> String {
    serde_json::json!({ "reason": "build-finished", "success": success }).to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::Value;

    use super::super::test_support::*;
    use super::super::{Origin, TargetJson};
    use super::*;

    fn origin() -> Arc<Origin> {
        Arc::new(Origin {
            package_id: "path+file:///ws#demo@0.1.0".into(),
            manifest_path: "/ws/Cargo.toml".into(),
            target: TargetJson {
                kind: vec!["bin".into()],
                crate_types: vec!["bin".into()],
                name: "demo".into(),
                src_path: "/ws/src/main.rs".into(),
                edition: "2021".into(),
                doc: true,
                doctest: false,
                test: true,
            },
        })
    }

    #[test]
    fn compiler_message_has_the_shape_of_spec_section_4() {
        let sm = sources();
        let mut d = diags().remove(0);
        d.origin = Some(origin());
        let v: Value = serde_json::from_str(&line(&d, &sm, JsonStyle::default(), true)).unwrap();
        assert_eq!(v["reason"], "compiler-message");
        assert_eq!(v["package_id"], "path+file:///ws#demo@0.1.0");
        assert_eq!(v["manifest_path"], "/ws/Cargo.toml");
        assert_eq!(v["target"]["kind"][0], "bin");
        assert_eq!(v["target"]["edition"], "2021");
        assert_eq!(v["target"]["doctest"], false);
        let m = &v["message"];
        assert_eq!(m["$message_type"], "diagnostic");
        assert_eq!(m["message"], "line `h` is never closed");
        assert_eq!(m["code"]["code"], "tapi::line_not_closed");
        assert_eq!(m["code"]["explanation"], Value::Null);
        assert_eq!(m["level"], "error");
        let p = &m["spans"][0];
        assert_eq!(p["file_name"], "src/main.rs");
        assert_eq!(p["is_primary"], true);
        assert_eq!(p["label"], "line opened here");
        assert_eq!(
            (p["line_start"].as_u64(), p["line_end"].as_u64()),
            (Some(3), Some(3))
        );
        assert_eq!(
            (p["column_start"].as_u64(), p["column_end"].as_u64()),
            (Some(5), Some(30))
        );
        let start = MAIN.find("lineOpenW").unwrap() as u64;
        assert_eq!(p["byte_start"].as_u64(), Some(start));
        assert_eq!(p["byte_end"].as_u64(), Some(start + 25));
        assert_eq!(p["text"][0]["text"], "    lineOpenW(app, 0, &mut h);");
        assert_eq!(p["text"][0]["highlight_start"], 5);
        assert_eq!(p["text"][0]["highlight_end"], 30);
        for key in [
            "suggested_replacement",
            "suggestion_applicability",
            "expansion",
        ] {
            assert_eq!(p[key], Value::Null, "{key}");
        }
        assert_eq!(m["spans"][1]["is_primary"], false);
        assert_eq!(m["spans"][2]["file_name"], "src/helper.rs");
        assert_eq!(m["children"][0]["level"], "help");
        assert_eq!(
            m["children"][0]["message"],
            "call `lineClose(h)` before returning"
        );
        assert_eq!(m["children"][1]["level"], "note");
        let rendered = m["rendered"].as_str().unwrap();
        assert!(rendered.contains("tapi::line_not_closed") && !rendered.contains('\x1b'));
    }

    #[test]
    fn a_suggestion_is_a_help_child_with_replacements_as_rustc_writes_it() {
        use crate::diagnostic::{Applicability, Edit, Suggestion};
        let sm = sources();
        let mut d = diags().remove(0);
        let at = span_of(0, MAIN, "lineOpenW").lo;
        d.diagnostic.finding.suggestion = Some(Suggestion {
            message: "close it".into(),
            edits: vec![Edit {
                span: crate::source::Span {
                    lo: at,
                    hi: at,
                    ..span_of(0, MAIN, "lineOpenW")
                },
                replacement: "lineClose(h);\n    ".into(),
            }],
            applicability: Applicability::MaybeIncorrect,
        });
        let v: Value = serde_json::from_str(&line(&d, &sm, JsonStyle::default(), false)).unwrap();
        let help = &v["children"][2];
        assert_eq!(help["level"], "help");
        assert_eq!(help["message"], "close it");
        let s = &help["spans"][0];
        assert_eq!(s["suggested_replacement"], "lineClose(h);\n    ");
        assert_eq!(s["suggestion_applicability"], "MaybeIncorrect");
        assert_eq!(
            (s["byte_start"].as_u64(), s["byte_end"].as_u64()),
            (Some(at as u64), Some(at as u64))
        );
        assert_eq!(
            (s["line_start"].as_u64(), s["column_start"].as_u64()),
            (Some(3), Some(5))
        );
    }

    #[test]
    fn loose_files_get_bare_messages_and_styles_apply() {
        let sm = sources();
        let d = diags().remove(1);
        let v: Value = serde_json::from_str(&line(&d, &sm, JsonStyle::default(), false)).unwrap();
        assert_eq!(v["$message_type"], "diagnostic");
        assert_eq!(v["level"], "warning");
        // Columns count characters: `été(h)` is 6 characters, 8 bytes.
        assert_eq!(v["spans"][0]["column_start"], 5);
        assert_eq!(v["spans"][0]["column_end"], 11);
        let short = JsonStyle {
            short: true,
            ansi: false,
        };
        let v: Value = serde_json::from_str(&line(&d, &sm, short, false)).unwrap();
        assert_eq!(
            v["rendered"],
            "src/main.rs:4:5: warning[tapi::release_order]: `app` is shut down while a line is still open\n"
        );
        let ansi = JsonStyle {
            short: false,
            ansi: true,
        };
        let v: Value = serde_json::from_str(&line(&d, &sm, ansi, false)).unwrap();
        assert!(v["rendered"].as_str().unwrap().contains('\x1b'));
        assert_eq!(
            build_finished(true),
            r#"{"reason":"build-finished","success":true}"#
        );
    }
}
