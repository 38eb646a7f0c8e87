//! The documents the editor has open: their text as typed (saved or not),
//! which the analysis reads instead of the disk.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Url};

use super::convert::{Encoding, LineIndex, uri_to_path};

/// One open document.
pub struct Document {
    /// The file it is, canonical: how the analysis knows files.
    pub path: PathBuf,
    pub version: i32,
    pub text: Arc<str>,
}

#[derive(Default)]
pub struct Documents {
    by_uri: HashMap<Url, Document>,
}

impl Documents {
    /// Opens (or reopens) a document. URIs that are not files (`untitled:`)
    /// are not analyzed and are ignored.
    pub fn open(&mut self, uri: Url, version: i32, text: String) {
        if let Some(path) = uri_to_path(&uri) {
            let text = Arc::from(text);
            self.by_uri.insert(
                uri,
                Document {
                    path,
                    version,
                    text,
                },
            );
        }
    }

    /// Applies the changes of one `didChange`, in order: each range is in
    /// the text as the changes before it left it.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<(), String> {
        let doc = self
            .by_uri
            .get_mut(uri)
            .ok_or_else(|| format!("change to a document that is not open: {uri}"))?;
        let mut text = doc.text.to_string();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&text);
                    let start = index.offset(range.start, encoding);
                    let end = index.offset(range.end, encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.text = Arc::from(text);
        doc.version = version;
        Ok(())
    }

    pub fn close(&mut self, uri: &Url) {
        self.by_uri.remove(uri);
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.by_uri.get(uri)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Url, &Document)> {
        self.by_uri.iter()
    }

    /// The open documents' texts by path: what the analysis reads in place
    /// of the files on disk.
    pub fn texts_by_path(&self) -> HashMap<PathBuf, Arc<str>> {
        self.by_uri
            .values()
            .map(|d| (d.path.clone(), d.text.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    fn edit(range: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_in_utf16_columns() {
        let dir = std::env::temp_dir();
        let uri = Url::from_file_path(dir.join("doc.rs")).unwrap();
        let mut docs = Documents::default();
        docs.open(uri.clone(), 1, "let é = 1;\nlet b = 2;\n".to_owned());
        docs.change(
            &uri,
            2,
            vec![
                // `1` is at UTF-16 column 8 (byte 9): replace it.
                edit(Some(((0, 8), (0, 9))), "42"),
                // Then, in the text as changed, delete the second line.
                edit(Some(((1, 0), (2, 0))), ""),
                // And append at the end.
                edit(Some(((1, 0), (1, 0))), "// end\n"),
            ],
            Encoding::Utf16,
        )
        .unwrap();
        let doc = docs.get(&uri).unwrap();
        assert_eq!(&*doc.text, "let é = 42;\n// end\n");
        assert_eq!(doc.version, 2);
        docs.change(&uri, 3, vec![edit(None, "fn main() {}\n")], Encoding::Utf16)
            .unwrap();
        assert_eq!(&*docs.get(&uri).unwrap().text, "fn main() {}\n");
        let other = Url::from_file_path(dir.join("other.rs")).unwrap();
        assert!(docs.change(&other, 1, vec![], Encoding::Utf16).is_err());
    }
}
