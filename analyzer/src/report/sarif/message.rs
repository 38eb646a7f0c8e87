//! Result messages.
//!
//! GitHub shows `message.text` as an alert's title (only its first sentence
//! where space is short), and links a result's related locations only where
//! the message embeds them as `[text](id)` (SARIF §3.11.6). So the message
//! is the finding's message with a link to each secondary label, then its
//! notes, as sentences.

use crate::diagnostic::Finding;
use crate::report::split_note;

/// The `id` of the related location of secondary label `i` (1-based, the
/// way CodeQL numbers them).
pub(super) fn related_id(i: usize) -> usize {
    i + 1
}

/// `message.text` of the result for `finding`.
pub(super) fn result_text(finding: &Finding) -> String {
    let mut text = escape_brackets(&finding.message);
    if !finding.secondary.is_empty() {
        let links: Vec<String> = finding
            .secondary
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let shown = if label.message.is_empty() {
                    "here"
                } else {
                    &label.message
                };
                format!("[{}]({})", escape_brackets(shown), related_id(i))
            })
            .collect();
        text.push_str(&format!(" ({})", links.join("; ")));
    }
    let mut text = sentence(&text);
    for note in &finding.notes {
        let (_, body) = split_note(note);
        text.push(' ');
        text.push_str(&sentence(&escape_brackets(body)));
    }
    text
}

/// `text` as a sentence: capitalized, ending with a full stop.
pub(super) fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Plain text for a SARIF message: square brackets escaped, so that none
/// reads as an embedded link (`lines[0]`).
pub(super) fn escape_brackets(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;
    use crate::lints;
    use crate::source::{FileId, Span};

    fn label(message: &str) -> Label {
        Label::new(Span::new(FileId(0), 0..1), message)
    }

    #[test]
    fn links_every_secondary_label_then_adds_the_notes() {
        let finding = Finding {
            lint: &lints::LINE_NOT_CLOSED,
            message: "line `lines[i]` is not closed on every path".into(),
            primary: label("line opened here"),
            secondary: vec![
                label("line opened here, in `open_line`"),
                label("leaks when `?` returns early here"),
            ],
            notes: vec!["help: release it with `lineClose` on this path".into()],
            suggestion: None,
        };
        assert_eq!(
            result_text(&finding),
            "Line `lines\\[i\\]` is not closed on every path \
             ([line opened here, in `open_line`](1); [leaks when `?` returns early here](2)). \
             Release it with `lineClose` on this path."
        );
    }

    #[test]
    fn a_finding_without_labels_or_notes_is_one_sentence() {
        let finding = Finding {
            lint: &lints::RESULT_CAST_UNSIGNED,
            message: "the `i32` result of `lineMakeCallW` is cast to an unsigned type".into(),
            primary: label("cast here"),
            secondary: Vec::new(),
            notes: Vec::new(),
            suggestion: None,
        };
        assert_eq!(
            result_text(&finding),
            "The `i32` result of `lineMakeCallW` is cast to an unsigned type."
        );
        assert_eq!(sentence("done."), "Done.");
    }
}
