//! `--message-format human` (the default): miette's graphical report.
//!
//! The primary label and the secondary labels of the primary's file are
//! drawn on one snippet; labels in other files (where a callee acquired the
//! resource, say) follow as related snippets. Notes written `help: ...`
//! become miette's help; other notes follow as rustc-style `= note:` lines.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, Severity, SourceCode, SourceSpan,
};

use super::{Reported, split_note};
use crate::lints::Level;
use crate::source::{SourceMap, Span};

/// The report of one diagnostic, ending with a newline.
pub fn render(d: &Reported, sources: &SourceMap, color: bool) -> String {
    let f = d.finding();
    let primary_file = f.primary.span.file;
    let severity = match d.level() {
        Level::Error => Severity::Error,
        Level::Warn => Severity::Warning,
        Level::Allow => Severity::Advice,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        non_empty(&f.primary.message),
        source_span(sources, f.primary.span),
    )];
    let mut related = Vec::new();
    for l in &f.secondary {
        if l.span.file == primary_file {
            labels.push(LabeledSpan::new_with_span(
                non_empty(&l.message),
                source_span(sources, l.span),
            ));
        } else {
            related.push(Report {
                message: if l.message.is_empty() {
                    "related location".into()
                } else {
                    l.message.clone()
                },
                code: None,
                severity: Severity::Advice,
                help: None,
                source: named_source(sources, l.span),
                labels: vec![LabeledSpan::new_primary_with_span(
                    None,
                    source_span(sources, l.span),
                )],
                related: Vec::new(),
            });
        }
    }
    let mut help = Vec::new();
    let mut trailing = Vec::new();
    for note in &f.notes {
        match split_note(note) {
            ("help", text) => help.push(text.to_owned()),
            (_, text) => trailing.push(text.to_owned()),
        }
    }
    let report = Report {
        message: f.message.clone(),
        code: Some(f.lint.code()),
        severity,
        help: (!help.is_empty()).then(|| help.join("\n")),
        source: named_source(sources, f.primary.span),
        labels,
        related,
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_wrap_lines(false)
        .with_width(usize::MAX / 4);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // miette could not draw the snippet (it never should): fall back to
        // the short form rather than lose the diagnostic.
        out = super::short::render(d, sources, color);
        out.push('\n');
    }
    for note in trailing {
        out.push_str(&format!("  = note: {note}\n"));
    }
    out
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn named_source(sources: &SourceMap, span: Span) -> NamedSource<Arc<str>> {
    let file = sources.get(span.file);
    NamedSource::new(file.display.clone(), file.text.clone())
}

/// The span clamped to the text and to character boundaries (miette
/// slices the text with it).
fn source_span(sources: &SourceMap, span: Span) -> SourceSpan {
    let text = &sources.get(span.file).text;
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let lo = floor(span.lo as usize);
    let hi = floor(span.hi as usize).max(lo);
    SourceSpan::new(lo.into(), hi - lo)
}

#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl MietteDiagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn MietteDiagnostic),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn graphical_report_shows_code_labels_help_and_notes() {
        let sm = sources();
        let diags = diags();
        let out = render(&diags[0], &sm, false);
        for needle in [
            "tapi::line_not_closed",
            "line `h` is never closed",
            "src/main.rs:3:5",
            "lineOpenW(app, 0, &mut h);",
            "line opened here",
            "leaks when `main` returns here",
            "src/helper.rs:2:5",
            "app initialized here",
            "help: call `lineClose(h)` before returning",
            "= note: a plain note",
        ] {
            assert!(out.contains(needle), "missing {needle:?} in\n{out}");
        }
        assert!(!out.contains('\x1b'), "no colors asked for:\n{out}");
        let colored = render(&diags[0], &sm, true);
        assert!(colored.contains('\x1b'), "{colored}");
    }

    #[test]
    fn non_ascii_lines_and_empty_spans_render() {
        let sm = sources();
        let mut d = diags().remove(1);
        let out = render(&d, &sm, false);
        assert!(
            out.contains("\u{e9}t\u{e9}(h)") && out.contains("shut down here"),
            "{out}"
        );
        // An empty span at the very end of the file.
        let len = MAIN.len() as u32;
        d.diagnostic.finding.primary.span = Span {
            file: crate::source::FileId(0),
            lo: len,
            hi: len,
        };
        let out = render(&d, &sm, false);
        assert!(out.contains("tapi::release_order"), "{out}");
    }
}
