//! Spans as SARIF regions: 1-based lines, and 1-based columns counted in
//! UTF-16 code units, SARIF's default `columnKind` (the run states it). The
//! other formats count characters, like rustc; a character outside the
//! Basic Multilingual Plane is one character but two UTF-16 code units.

use serde_json::{Value, json};

use crate::source::{SourceFile, Span};

/// A line and a column, both 1-based; the column in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub line: usize,
    pub column: usize,
}

/// The region of `span` in `file`; the end column is exclusive (the column
/// after the last character).
pub(super) fn region(file: &SourceFile, span: Span) -> Value {
    let (lo, hi) = visible_range(file, span);
    let start = position(file, lo);
    let end = position(file, hi);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// The byte range to show for `span`: an empty span (a parse error reported
/// at the start of a file) covers the character after it, so viewers have
/// something to underline, unless a line break or the end of the file
/// follows.
fn visible_range(file: &SourceFile, span: Span) -> (usize, usize) {
    let text = &file.text;
    let lo = floor_char_boundary(text, span.lo as usize);
    let hi = floor_char_boundary(text, (span.hi as usize).max(lo));
    if hi > lo {
        return (lo, hi);
    }
    match text[lo..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => (lo, lo + c.len_utf8()),
        _ => (lo, lo),
    }
}

/// The position of byte `byte` (a character boundary) of `file`.
pub(super) fn position(file: &SourceFile, byte: usize) -> Position {
    let text = &file.text;
    let byte = floor_char_boundary(text, byte);
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: file.line_col(byte).line,
        column: text[line_start..byte].encode_utf16().count() + 1,
    }
}

/// The largest character boundary of `text` at or before `byte`.
fn floor_char_boundary(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.rs".into(), "a.rs".into(), text.into())
    }

    fn span(text: &str, needle: &str) -> Span {
        let lo = text.find(needle).unwrap();
        Span::new(FileId(0), lo..lo + needle.len())
    }

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is one UTF-16 unit (two bytes), `😀` two (four bytes), `日` one
        // (three bytes).
        let text = "fn f() {\n    é😀日(h);\n}\n";
        let f = file(text);
        let r = region(&f, span(text, "(h)"));
        assert_eq!(r["startLine"], 2);
        assert_eq!(r["startColumn"], 5 + 1 + 2 + 1);
        assert_eq!(r["endLine"], 2);
        assert_eq!(r["endColumn"], 9 + 3);
        let r = region(&f, span(text, "😀"));
        assert_eq!(
            (r["startColumn"].clone(), r["endColumn"].clone()),
            (json!(6), json!(8))
        );
    }

    #[test]
    fn multi_line_spans_end_on_their_last_line() {
        let text = "let rc = open(\n    &mut h,\n);\n";
        let f = file(text);
        let r = region(&f, span(text, "open(\n    &mut h,\n)"));
        assert_eq!(
            r,
            json!({"startLine": 1, "startColumn": 10, "endLine": 3, "endColumn": 2})
        );
    }

    #[test]
    fn empty_spans_cover_the_next_character_when_there_is_one() {
        let text = "fn main( {}\n";
        let f = file(text);
        let at_start = Span::new(FileId(0), 0..0);
        assert_eq!(
            region(&f, at_start),
            json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2})
        );
        let at_line_end = Span::new(FileId(0), 11..11);
        assert_eq!(
            region(&f, at_line_end),
            json!({"startLine": 1, "startColumn": 12, "endLine": 1, "endColumn": 12})
        );
        // Offsets inside a character are moved to its start.
        let g = file("é");
        assert_eq!(position(&g, 1), Position { line: 1, column: 1 });
    }
}
