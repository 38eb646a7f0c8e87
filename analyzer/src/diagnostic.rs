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
    /// A fix that can be applied to the source, where one is clear.
    pub suggestion: Option<Suggestion>,
}

/// A change to the source that fixes a finding, as rustc suggests them
/// (the JSON output emits it as `suggested_replacement`s, the language
/// server as a quick fix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What it does, as a help message: "remove the cast".
    pub message: String,
    /// Replacements that do not overlap; an insertion replaces an empty
    /// span.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// Replace the text of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// How sure a suggestion is, in rustc's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Compiles and is what the code means: can be applied unseen.
    MachineApplicable,
    /// Compiles in the usual case, but changes behaviour or types the
    /// author should look at.
    MaybeIncorrect,
}

impl Applicability {
    /// The name rustc's JSON uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

/// A finding with the level it is reported at.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub finding: Finding,
    pub level: Level,
}
