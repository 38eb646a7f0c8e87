//! Which file a location is in: its URI, and the run's `artifacts` table.
//!
//! GitHub resolves relative URIs against the root of the repository, so
//! `%SRCROOT%` is the root of the git repository around the analyzed
//! workspace (a workspace may sit in a subdirectory of its repository),
//! or the workspace itself outside of git. Files outside that root get
//! absolute `file:` URIs.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use crate::source::{FileId, SourceFile, SourceMap};

/// The `uriBaseId` of every relative URI.
pub(super) const SRCROOT: &str = "%SRCROOT%";

/// The files locations point into, listed in the order they are first
/// referenced (their index in `run.artifacts`).
pub(super) struct Artifacts<'a> {
    sources: &'a SourceMap,
    /// What relative URIs are relative to, when a root could be found.
    root: Option<PathBuf>,
    listed: Vec<FileId>,
    index: HashMap<FileId, usize>,
}

impl<'a> Artifacts<'a> {
    pub(super) fn new(sources: &'a SourceMap) -> Artifacts<'a> {
        Artifacts {
            sources,
            root: source_root(sources),
            listed: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The `artifactLocation` of `file`, listing the file in the table.
    pub(super) fn location(&mut self, file: FileId) -> Value {
        let next = self.listed.len();
        let index = *self.index.entry(file).or_insert(next);
        if index == next {
            self.listed.push(file);
        }
        let mut location = self.uri_of(file);
        location["index"] = json!(index);
        location
    }

    /// The URI of `file` as results print it: relative to `%SRCROOT%`
    /// when under it, else absolute.
    pub(super) fn uri(&self, file: FileId) -> String {
        self.uri_and_base(file).0
    }

    /// `run.artifacts`: every listed file, with its length and language.
    pub(super) fn table(&self) -> Vec<Value> {
        self.listed
            .iter()
            .map(|&file| {
                json!({
                    "location": self.uri_of(file),
                    "length": self.sources.get(file).text.len(),
                    "sourceLanguage": "rust",
                })
            })
            .collect()
    }

    /// `run.originalUriBaseIds`: where `%SRCROOT%` was on this machine.
    pub(super) fn original_uri_base_ids(&self) -> Option<Value> {
        let root = self.root.as_ref()?;
        let mut uri = file_uri(root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(json!({ SRCROOT: { "uri": uri } }))
    }

    fn uri_of(&self, file: FileId) -> Value {
        match self.uri_and_base(file) {
            (uri, true) => json!({ "uri": uri, "uriBaseId": SRCROOT }),
            (uri, false) => json!({ "uri": uri }),
        }
    }

    /// The URI, and whether it is relative to `%SRCROOT%`.
    fn uri_and_base(&self, file: FileId) -> (String, bool) {
        let file = self.sources.get(file);
        match self.relative_path(file) {
            Some(relative) => (encode_path(&relative), true),
            None => (file_uri(&file.path), false),
        }
    }

    /// `file` relative to the root, `/`-separated.
    fn relative_path(&self, file: &SourceFile) -> Option<String> {
        let rest = file.path.strip_prefix(self.root.as_ref()?).ok()?;
        let parts: Vec<String> = rest
            .components()
            .map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// The root of the repository around the analysis root, else the analysis
/// root (the directory display paths are relative to).
fn source_root(sources: &SourceMap) -> Option<PathBuf> {
    let base = sources.iter().find_map(|(_, f)| analysis_root(f))?;
    let repository = base
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf);
    Some(repository.unwrap_or(base))
}

/// The directory `file.display` is relative to: its path without as many
/// trailing components as the display path has.
fn analysis_root(file: &SourceFile) -> Option<PathBuf> {
    let display = Path::new(&file.display);
    if file.display.is_empty() || display.is_absolute() || file.display.contains(":/") {
        return None;
    }
    let mut root = file.path.as_path();
    for _ in display.components() {
        root = root.parent()?;
    }
    (root.join(display) == file.path).then(|| root.to_path_buf())
}

/// An absolute path as a `file:` URI (`file:///C:/x` on Windows).
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    // `canonicalize` on Windows gives verbatim paths: `\\?\C:\x`.
    let text = text.strip_prefix("//?/").unwrap_or(&text);
    let slash = if text.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{}", encode_path(text))
}

/// Percent-encodes a `/`-separated path for a URI: everything but
/// unreserved characters and `/`, except the colon of a drive letter (a
/// colon elsewhere in a relative URI would read as a scheme).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let is_drive = i == 0
            && segment.len() == 2
            && segment.as_bytes()[0].is_ascii_alphabetic()
            && segment.ends_with(':');
        if is_drive {
            out.push_str(segment);
            continue;
        }
        for b in segment.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    out.push(b as char)
                }
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, display: &str) -> SourceFile {
        SourceFile::new(path.into(), display.into(), "fn main() {}\n".into())
    }

    #[test]
    fn uris_are_relative_to_the_analysis_root_and_encoded() {
        let mut sm = SourceMap::default();
        let main = sm.add(file("/ws/src/main.rs", "src/main.rs"));
        let odd = sm.add(file("/ws/src/a b:c.rs", "src/a b:c.rs"));
        let outside = sm.add(file("/elsewhere/x é.rs", "/elsewhere/x é.rs"));
        let mut artifacts = Artifacts::new(&sm);
        assert_eq!(artifacts.uri(main), "src/main.rs");
        assert_eq!(artifacts.uri(odd), "src/a%20b%3Ac.rs");
        assert_eq!(artifacts.uri(outside), "file:///elsewhere/x%20%C3%A9.rs");
        assert_eq!(
            artifacts.original_uri_base_ids().unwrap()[SRCROOT]["uri"],
            "file:///ws/"
        );

        assert_eq!(artifacts.location(odd)["index"], 0);
        assert_eq!(artifacts.location(main)["index"], 1);
        assert_eq!(artifacts.location(odd)["index"], 0);
        let outside_location = artifacts.location(outside);
        assert_eq!(outside_location["index"], 2);
        assert!(outside_location.get("uriBaseId").is_none());
        let table = artifacts.table();
        assert_eq!(table.len(), 3);
        assert_eq!(table[1]["location"]["uri"], "src/main.rs");
        assert_eq!(table[1]["location"]["uriBaseId"], SRCROOT);
        assert_eq!(table[1]["length"], 13);
    }

    #[test]
    fn the_root_is_the_repository_around_the_workspace() {
        let repo = tempfile::tempdir().unwrap();
        let workspace = repo.path().join("rust");
        std::fs::create_dir_all(repo.path().join(".git")).unwrap();
        std::fs::create_dir_all(workspace.join("src")).unwrap();
        let mut sm = SourceMap::default();
        let main = sm.add(file(
            workspace.join("src/main.rs").to_str().unwrap(),
            "src/main.rs",
        ));
        let artifacts = Artifacts::new(&sm);
        assert_eq!(artifacts.uri(main), "rust/src/main.rs");
    }

    #[test]
    fn loose_files_outside_any_root_have_absolute_uris_only() {
        let mut sm = SourceMap::default();
        let f = sm.add(file("/abs/only.rs", "/abs/only.rs"));
        let mut artifacts = Artifacts::new(&sm);
        assert_eq!(artifacts.location(f)["uri"], "file:///abs/only.rs");
        assert!(artifacts.original_uri_base_ids().is_none());
    }

    #[test]
    fn windows_paths() {
        assert_eq!(
            file_uri(Path::new(r"\\?\C:\work\a b.rs")),
            "file:///C:/work/a%20b.rs"
        );
        assert_eq!(encode_path("c:/x"), "c:/x");
        assert_eq!(encode_path("src/c:"), "src/c%3A");
    }
}
