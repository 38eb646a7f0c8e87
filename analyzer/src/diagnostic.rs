//! Findings: what the checker produces and every report format consumes.

use crate::lints::{Level, Lint};
use crate::source::Span;

/// A span with the text shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One diagnostic, before levels from the command line or configuration
/// are applied.
#[derive(Clone, Debug)]
pub struct Finding {
    pub lint: &'static Lint,
    pub message: String,
    pub primary: Label,
    /// The path to the problem: where it was acquired in callees, which
    /// exit it leaks through, children still held, and so on.
    pub secondary: Vec<Label>,
    /// Extra notes ("help: ..."), printed after the snippet.
    pub notes: Vec<String>,
}

/// A finding with the level it is reported at.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub finding: Finding,
    pub level: Level,
}
