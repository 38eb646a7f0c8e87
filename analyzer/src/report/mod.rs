//! Reporting: findings, with their levels applied, in the formats of
//! `docs`/spec §4.
//!
//! * [`human`]: miette's graphical report, source snippet and labels;
//! * [`short`]: `file:line:col: level[tapi::lint]: message`;
//! * [`json`]: one rustc/cargo JSON message per line, what rust-analyzer's
//!   `check.overrideCommand` reads;
//! * [`sarif`]: SARIF 2.1.0, for GitHub code scanning.
//!
//! Like rustc and cargo, `human` and `short` write the diagnostics and the
//! closing summary to **stderr**; `json` and `sarif` write to **stdout**, so
//! the machine-readable stream is never mixed with anything else.

pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Finding};
use crate::lints::Level;
use crate::source::{LineCol, SourceMap, Span};

/// The cargo target a diagnostic's crate is, for the JSON envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub package_id: String,
    pub manifest_path: String,
    pub target: TargetJson,
}

/// A cargo target as cargo's `compiler-message` prints it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetJson {
    pub kind: Vec<String>,
    pub crate_types: Vec<String>,
    pub name: String,
    pub src_path: String,
    pub edition: String,
    pub doc: bool,
    pub doctest: bool,
    pub test: bool,
}

/// A diagnostic ready to print.
#[derive(Debug, Clone)]
pub struct Reported {
    pub diagnostic: Diagnostic,
    /// The cargo target it was found in (`None` for loose files).
    pub origin: Option<Arc<Origin>>,
    /// An internal error of the analyzer (a panic caught while analyzing a
    /// file or crate), not a finding about the code.
    pub internal: bool,
}

impl Reported {
    pub fn new(finding: Finding, level: Level) -> Reported {
        Reported {
            diagnostic: Diagnostic { finding, level },
            origin: None,
            internal: false,
        }
    }

    pub fn finding(&self) -> &Finding {
        &self.diagnostic.finding
    }

    pub fn level(&self) -> Level {
        self.diagnostic.level
    }
}

/// `--message-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
    Json(JsonStyle),
    Sarif,
}

/// How the `rendered` field of JSON messages is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonStyle {
    /// `json-diagnostic-short`: the short one-line form.
    pub short: bool,
    /// `json-diagnostic-rendered-ansi`: with ANSI colors.
    pub ansi: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EmitOptions {
    /// Colors in `human` and `short` output.
    pub color: bool,
    /// No closing summary.
    pub quiet: bool,
    /// Analyzing cargo targets (not loose files): JSON messages get cargo's
    /// envelope and a closing `build-finished`.
    pub cargo: bool,
}

/// How many diagnostics of each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

impl Counts {
    pub fn of(diags: &[Reported]) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            match d.level() {
                Level::Error => c.errors += 1,
                Level::Warn => c.warnings += 1,
                Level::Allow => {}
            }
        }
        c
    }
}

/// Writes every diagnostic in `format`: machine formats to `out`, human
/// ones (and the summary) to `err`.
pub fn emit(
    format: Format,
    diags: &[Reported],
    sources: &SourceMap,
    opts: EmitOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let counts = Counts::of(diags);
    match format {
        Format::Human => {
            for d in diags {
                write!(err, "{}", human::render(d, sources, opts.color))?;
                writeln!(err)?;
            }
            write_summary(err, counts, opts)?;
        }
        Format::Short => {
            for d in diags {
                writeln!(err, "{}", short::render(d, sources, opts.color))?;
            }
            write_summary(err, counts, opts)?;
        }
        Format::Json(style) => {
            for d in diags {
                let line = json::line(d, sources, style, opts.cargo);
                writeln!(out, "{line}")?;
            }
            if opts.cargo {
                writeln!(out, "{}", json::build_finished(counts.errors == 0))?;
            }
        }
        Format::Sarif => {
            let doc = sarif::document(diags, sources);
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    err.flush()
}

/// The closing line, cargo style: `error: could not lint: 2 errors, 1
/// warning emitted`, `warning: 1 warning emitted`, nothing when clean.
pub fn summary(counts: Counts) -> Option<(Level, String)> {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (counts.errors, counts.warnings) {
        (0, 0) => None,
        (0, w) => Some((Level::Warn, format!("{} emitted", plural(w, "warning")))),
        (e, 0) => Some((
            Level::Error,
            format!("could not lint: {}", plural(e, "error")),
        )),
        (e, w) => Some((
            Level::Error,
            format!(
                "could not lint: {}; {} emitted",
                plural(e, "error"),
                plural(w, "warning")
            ),
        )),
    }
}

fn write_summary(err: &mut dyn Write, counts: Counts, opts: EmitOptions) -> io::Result<()> {
    if opts.quiet {
        return Ok(());
    }
    if let Some((level, text)) = summary(counts) {
        writeln!(err, "{}: {text}", paint_level(level, opts.color))?;
    }
    Ok(())
}

/// `error` / `warning`, bold red / bold yellow when coloring.
pub(crate) fn paint_level(level: Level, color: bool) -> String {
    let name = level.as_str();
    if !color {
        return name.to_owned();
    }
    match level {
        Level::Error => format!("\x1b[1;31m{name}\x1b[0m"),
        Level::Warn => format!("\x1b[1;33m{name}\x1b[0m"),
        Level::Allow => name.to_owned(),
    }
}

/// A span's start and end as 1-based line and character column (the end
/// column is exclusive, as in rustc's JSON).
pub(crate) fn span_line_cols(sources: &SourceMap, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    let lo = file.line_col(span.lo as usize);
    let hi = file.line_col((span.hi as usize).max(span.lo as usize));
    (lo, hi)
}

/// A note's level and text: notes written `help: ...` are help, the others
/// (`note: ...` or plain) notes.
pub(crate) fn split_note(note: &str) -> (&'static str, &str) {
    if let Some(rest) = note.strip_prefix("help:") {
        ("help", rest.trim_start())
    } else if let Some(rest) = note.strip_prefix("note:") {
        ("note", rest.trim_start())
    } else {
        ("note", note)
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A handcrafted source map and findings for the reporters' unit tests.

    use super::*;
    use crate::diagnostic::Label;
    use crate::lints;
    use crate::source::{FileId, SourceFile};

    pub const MAIN: &str = "fn main() {\n    let mut h = 0;\n    lineOpenW(app, 0, &mut h);\n    \u{e9}t\u{e9}(h);\n}\n";
    pub const HELPER: &str = "pub fn helper() {\n    lineInitializeExW(&mut app);\n}\n";

    pub fn sources() -> SourceMap {
        let mut sm = SourceMap::default();
        sm.add(SourceFile::new(
            "/ws/src/main.rs".into(),
            "src/main.rs".into(),
            MAIN.into(),
        ));
        sm.add(SourceFile::new(
            "/ws/src/helper.rs".into(),
            "src/helper.rs".into(),
            HELPER.into(),
        ));
        sm
    }

    pub fn span_of(file: u32, text: &str, needle: &str) -> Span {
        let lo = text.find(needle).expect("needle in text");
        Span::new(FileId(file), lo..lo + needle.len())
    }

    /// An error with a secondary label in the same file, one in another
    /// file, and a help note; then a warning on a line with non-ASCII text.
    pub fn diags() -> Vec<Reported> {
        let leak = Finding {
            lint: &lints::LINE_NOT_CLOSED,
            message: "line `h` is never closed".into(),
            primary: Label::new(
                span_of(0, MAIN, "lineOpenW(app, 0, &mut h)"),
                "line opened here",
            ),
            secondary: vec![
                Label::new(
                    span_of(0, MAIN, "}\n").end(),
                    "leaks when `main` returns here",
                ),
                Label::new(
                    span_of(1, HELPER, "lineInitializeExW(&mut app)"),
                    "app initialized here",
                ),
            ],
            notes: vec![
                "help: call `lineClose(h)` before returning".into(),
                "a plain note".into(),
            ],
            suggestion: None,
        };
        let order = Finding {
            lint: &lints::RELEASE_ORDER,
            message: "`app` is shut down while a line is still open".into(),
            primary: Label::new(span_of(0, MAIN, "\u{e9}t\u{e9}(h)"), "shut down here"),
            secondary: vec![],
            notes: vec![],
            suggestion: None,
        };
        vec![
            Reported::new(leak, Level::Error),
            Reported::new(order, Level::Warn),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn summary_reads_like_cargo() {
        assert_eq!(
            summary(Counts {
                errors: 0,
                warnings: 0
            }),
            None
        );
        assert_eq!(
            summary(Counts {
                errors: 1,
                warnings: 0
            })
            .unwrap()
            .1,
            "could not lint: 1 error"
        );
        assert_eq!(
            summary(Counts {
                errors: 2,
                warnings: 1
            })
            .unwrap()
            .1,
            "could not lint: 2 errors; 1 warning emitted"
        );
        assert_eq!(
            summary(Counts {
                errors: 0,
                warnings: 3
            })
            .unwrap(),
            (Level::Warn, "3 warnings emitted".into())
        );
    }

    #[test]
    fn emit_routes_human_to_stderr_and_json_to_stdout() {
        let sm = sources();
        let diags = diags();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let opts = EmitOptions {
            color: false,
            quiet: false,
            cargo: false,
        };
        emit(Format::Short, &diags, &sm, opts, &mut out, &mut err).unwrap();
        assert!(out.is_empty());
        let err = String::from_utf8(err).unwrap();
        assert!(
            err.ends_with("error: could not lint: 1 error; 1 warning emitted\n"),
            "{err}"
        );

        let (mut out, mut err) = (Vec::new(), Vec::new());
        emit(
            Format::Json(JsonStyle::default()),
            &diags,
            &sm,
            opts,
            &mut out,
            &mut err,
        )
        .unwrap();
        assert!(err.is_empty());
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out.lines().count(),
            2,
            "loose files: bare messages, no build-finished"
        );

        let (mut out, mut err) = (Vec::new(), Vec::new());
        let quiet = EmitOptions {
            quiet: true,
            ..opts
        };
        emit(Format::Human, &diags, &sm, quiet, &mut out, &mut err).unwrap();
        let err = String::from_utf8(err).unwrap();
        assert!(!err.contains("could not lint"), "{err}");
    }
}
