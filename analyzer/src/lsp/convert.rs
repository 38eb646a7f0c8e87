//! Between the analyzer's byte offsets and the protocol's positions, file
//! paths and URIs, findings and diagnostics.
//!
//! LSP positions count columns in UTF-16 code units unless client and
//! server agreed on UTF-8 at initialization ([`Encoding`]); offsets into
//! the text are bytes. Positions past the end of a line (or of the text)
//! are clamped to it, as the protocol asks.

use std::path::{Path, PathBuf};

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, PositionEncodingKind, Range, Url,
};

use crate::lints::Level;
use crate::report::Reported;
use crate::source::{SourceMap, Span};

/// What a position's `character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion needed), else the
    /// protocol's default, UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Where the lines of one text start, to convert many offsets of it.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text[start..offset]
            .chars()
            .map(|c| encoding.width(c))
            .sum();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of `position`: a line past the end is the end of
    /// the text, a character past the end of its line is the line's end, a
    /// character inside a UTF-16 surrogate pair is the start of that pair.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            let next = units + encoding.width(c);
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    pub fn range(&self, lo: usize, hi: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position(lo, encoding),
            self.position(hi.max(lo), encoding),
        )
    }
}

pub fn path_to_uri(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

/// The file a `file:` URI names, canonical when it exists (the analyzer
/// knows files by their canonical paths).
pub fn uri_to_path(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}

/// Where the documentation of a lint is: `lints::Lint::docs_url` in one
/// place, parsed here.
fn docs_href(reported: &Reported) -> Option<CodeDescription> {
    let href = Url::parse(&reported.finding().lint.docs_url()).ok()?;
    Some(CodeDescription { href })
}

/// Converts spans of the files of one analysis, building each file's line
/// index once.
pub struct Spans<'a> {
    sources: &'a SourceMap,
    encoding: Encoding,
    indexes: std::collections::HashMap<crate::source::FileId, LineIndex<'a>>,
}

impl<'a> Spans<'a> {
    pub fn new(sources: &'a SourceMap, encoding: Encoding) -> Spans<'a> {
        Spans {
            sources,
            encoding,
            indexes: std::collections::HashMap::new(),
        }
    }

    pub fn uri(&self, span: Span) -> Option<Url> {
        path_to_uri(&self.sources.get(span.file).path)
    }

    pub fn range(&mut self, span: Span) -> Range {
        let sources = self.sources;
        let index = self
            .indexes
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(&sources.get(span.file).text));
        index.range(span.lo as usize, span.hi as usize, self.encoding)
    }

    /// A finding as the protocol shows it: in the file of its primary span,
    /// with the secondary labels as related information and the notes
    /// after the message.
    pub fn diagnostic(&mut self, reported: &Reported) -> Option<(Url, Diagnostic)> {
        let f = reported.finding();
        let uri = self.uri(f.primary.span)?;
        let severity = match reported.level() {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warn => DiagnosticSeverity::WARNING,
            Level::Allow => return None,
        };
        let related: Vec<DiagnosticRelatedInformation> = f
            .secondary
            .iter()
            .filter_map(|label| {
                Some(DiagnosticRelatedInformation {
                    location: Location::new(self.uri(label.span)?, self.range(label.span)),
                    message: label.message.clone(),
                })
            })
            .collect();
        let mut message = f.message.clone();
        for note in &f.notes {
            message.push('\n');
            message.push_str(note);
        }
        let diagnostic = Diagnostic {
            range: self.range(f.primary.span),
            severity: Some(severity),
            code: Some(NumberOrString::String(f.lint.code())),
            code_description: docs_href(reported),
            source: Some("tapi-lint".to_owned()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        };
        Some((uri, diagnostic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice_and_utf8_counts_bytes() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
        let text = "ab\né𝄞x\r\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x, Encoding::Utf16), Position::new(1, 3));
        assert_eq!(index.position(x, Encoding::Utf8), Position::new(1, 6));
        assert_eq!(index.offset(Position::new(1, 3), Encoding::Utf16), x);
        assert_eq!(index.offset(Position::new(1, 6), Encoding::Utf8), x);
        // Inside the surrogate pair: the start of the character.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(index.offset(Position::new(1, 2), Encoding::Utf16), clef);
        // Past the end of the line: before its `\r\n`.
        assert_eq!(index.offset(Position::new(1, 99), Encoding::Utf16), x + 1);
        // Past the last line: the end of the text.
        assert_eq!(
            index.offset(Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(
            index.position(text.len(), Encoding::Utf16),
            Position::new(2, 4)
        );
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])),
            Encoding::Utf16
        );
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
    }
}
