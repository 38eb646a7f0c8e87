//! `partialFingerprints`: an identity of each result that survives edits
//! elsewhere in the file.
//!
//! [`KEY`] hashes the lint, the file's URI, the name of the function the
//! primary span is in and the span's tokens (its text without layout or
//! comments), then numbers repeats of that hash in the log. Line numbers are
//! left out on purpose: inserting or deleting lines above a finding must not
//! make it a new one.
//!
//! GitHub code scanning matches alerts on `primaryLocationLineHash` alone
//! (docs: "SARIF support for code scanning", `partialFingerprints`). The
//! `upload-sarif` action computes that key from the checked-out file when a
//! result has none, and warns about every result whose given value differs
//! from its own, so it is left to the action; [`KEY`] is this tool's own
//! identity for other SARIF consumers (result matching, baselines).

use std::collections::HashMap;

use super::outline::Outline;
use crate::diagnostic::Finding;
use crate::source::{FileId, SourceMap};

/// The fingerprint's key; the version changes when what is hashed does.
pub(super) const KEY: &str = "tapiLint/v1";

/// Fingerprints the results of one log, in order.
pub(super) struct Fingerprints<'a> {
    sources: &'a SourceMap,
    /// Each file's outline, made on first use (`None`: it does not lex).
    outlines: HashMap<FileId, Option<Outline>>,
    /// How many results had each hash so far.
    seen: HashMap<u64, usize>,
}

impl<'a> Fingerprints<'a> {
    pub(super) fn new(sources: &'a SourceMap) -> Fingerprints<'a> {
        Fingerprints {
            sources,
            outlines: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// `HASH:N`: the hash of what identifies `finding` in the file at
    /// `uri`, and how many earlier results of this log had the same hash.
    pub(super) fn next(&mut self, finding: &Finding, uri: &str) -> String {
        let span = finding.primary.span;
        let text = &self.sources.get(span.file).text;
        let outline = self
            .outlines
            .entry(span.file)
            .or_insert_with(|| Outline::of(text));
        let range = span.lo as usize..(span.hi as usize).max(span.lo as usize);
        let (function, tokens) = match outline {
            Some(outline) => (
                outline.function_at(range.start).unwrap_or_default(),
                outline.tokens_in(range.clone()),
            ),
            None => ("", String::new()),
        };
        // A span of no whole token (a parse error's empty span): its text
        // with runs of whitespace collapsed.
        let snippet = if tokens.is_empty() {
            let raw = text.get(range).unwrap_or_default();
            raw.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            tokens
        };
        let code = finding.lint.code();
        let hash = fnv1a(&[
            code.as_bytes(),
            uri.as_bytes(),
            function.as_bytes(),
            snippet.as_bytes(),
        ]);
        let repeats = self.seen.entry(hash).or_default();
        let fingerprint = format!("{hash:016x}:{repeats}");
        *repeats += 1;
        fingerprint
    }
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
    use super::*;
    use crate::diagnostic::Label;
    use crate::lints;
    use crate::source::{SourceFile, Span};

    const CODE: &str = "fn setup() {\n    let rc = lineOpenW(app, 0, &mut h);\n}\n\nfn other() {\n    let rc = lineOpenW(app, 0, &mut h);\n}\n";

    /// The fingerprints of a finding on each `lineOpenW(..)` call of `text`.
    fn fingerprints_of(text: &str) -> Vec<String> {
        let mut sm = SourceMap::default();
        let file = sm.add(SourceFile::new(
            "/ws/src/main.rs".into(),
            "src/main.rs".into(),
            text.into(),
        ));
        let mut fingerprints = Fingerprints::new(&sm);
        text.match_indices("lineOpenW(")
            .map(|(lo, _)| {
                let hi = lo + text[lo..].find(')').unwrap() + 1;
                let finding = Finding {
                    lint: &lints::LINE_NOT_CLOSED,
                    message: "line `h` is never closed".into(),
                    primary: Label::new(Span::new(file, lo..hi), "opened here"),
                    secondary: Vec::new(),
                    notes: Vec::new(),
                    suggestion: None,
                };
                fingerprints.next(&finding, "src/main.rs")
            })
            .collect()
    }

    #[test]
    fn stable_across_runs_line_shifts_and_layout() {
        let original = fingerprints_of(CODE);
        assert_eq!(original.len(), 2);
        assert_eq!(original, fingerprints_of(CODE));
        assert_eq!(original, fingerprints_of(&format!("\n\n// moved\n{CODE}")));
        let relaid = CODE.replacen(
            "lineOpenW(app, 0, &mut h)",
            "lineOpenW(\n        app, // the app\n        0,\n        &mut h\n    )",
            1,
        );
        assert_eq!(original, fingerprints_of(&relaid));
    }

    #[test]
    fn the_function_and_the_call_tell_findings_apart() {
        let [setup, other] = <[String; 2]>::try_from(fingerprints_of(CODE)).unwrap();
        assert_ne!(setup, other, "same call, different functions");
        assert!(
            setup.ends_with(":0") && other.ends_with(":0"),
            "{setup} {other}"
        );
        let changed = fingerprints_of(&CODE.replacen("&mut h", "&mut line", 1));
        assert_ne!(changed[0], setup, "another call");
        assert_eq!(changed[1], other);
        let twins = CODE.replace("fn other", "fn setup");
        let [first, second] = <[String; 2]>::try_from(fingerprints_of(&twins)).unwrap();
        assert_eq!(first.split(':').next(), second.split(':').next());
        assert_eq!(
            (&first[17..], &second[17..]),
            ("0", "1"),
            "repeats are numbered"
        );
    }
}
