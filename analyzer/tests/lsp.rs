//! The language server (`cargo tapi-lint lsp`), driven as an editor drives
//! it: in process over an in-memory connection, and once as the real
//! binary over stdio.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::{
    DidChangeTextDocument, DidOpenTextDocument, Exit, Initialized, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Initialize, Request as _, Shutdown};
use lsp_types::{
    CodeActionContext, CodeActionOrCommand, CodeActionParams, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidOpenTextDocumentParams, InitializeParams, NumberOrString,
    PartialResultParams, Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent,
    TextDocumentIdentifier, TextDocumentItem, TextEdit, Url, VersionedTextDocumentIdentifier,
    WorkDoneProgressParams,
};
use serde_json::{Value, json};

/// A line opened and leaked by the early `return`; a string with
/// characters of two and four bytes (one and two UTF-16 units) stands
/// before the `lineOpenW` on its line, so columns must be counted right.
const LEAKING: &str = r#"use windows_sys::Win32::Devices::Tapi::*;

pub fn dial(app: u32) -> Result<(), i32> {
    let mut line = 0;
    let tag = "é𝄞"; let rc = unsafe { lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()) };
    if rc != 0 {
        return Err(rc);
    }
    let mut call = 0;
    let id = unsafe { lineMakeCallW(line, &mut call, std::ptr::null(), 0, std::ptr::null()) };
    if id < 0 {
        return Err(id);
    }
    unsafe { lineDeallocateCall(call) };
    unsafe { lineClose(line) };
    let _ = tag;
    Ok(())
}

fn main() {
    let _ = dial(1);
}
"#;

const CLOSE_BEFORE_RETURN: &str = "        unsafe { lineClose(line) };\n";

const TIMEOUT: Duration = Duration::from_secs(120);

/// A cargo package in a temporary directory whose `src/main.rs` on disk
/// is clean (the leak exists only in the editor's buffer).
fn package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"lsp-test\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    dir
}

fn uri_of(path: &Path) -> Url {
    Url::from_file_path(std::fs::canonicalize(path).unwrap()).unwrap()
}

/// The editor's side of an in-memory connection.
struct Client {
    conn: Connection,
    server: Option<std::thread::JoinHandle<Result<(), String>>>,
    next_id: i32,
}

impl Client {
    fn start(root: &Path, capabilities: Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || {
            tapi_lint::lsp::serve(&server_side).map_err(|e| e.to_string())
        });
        let mut client = Client {
            conn: client_side,
            server: Some(server),
            next_id: 0,
        };
        let params = json!({
            "processId": null,
            "rootUri": uri_of(root),
            "capabilities": capabilities,
        });
        // Checks the shape against the protocol's types.
        let _: InitializeParams = serde_json::from_value(params.clone()).unwrap();
        let result = client.request(Initialize::METHOD, params);
        assert!(
            result["capabilities"]["codeActionProvider"].is_object(),
            "{result}"
        );
        client.notify(Initialized::METHOD, json!({}));
        client
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let n = Notification::new(method.to_owned(), params);
        self.conn.sender.send(n.into()).unwrap();
    }

    fn request(&mut self, method: &str, params: impl serde::Serialize) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let r = Request::new(id.clone(), method.to_owned(), params);
        self.conn.sender.send(r.into()).unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("a response")
            {
                Message::Response(resp) if resp.id == id => {
                    assert!(resp.error.is_none(), "{:?}", resp.error);
                    return resp.result.unwrap_or(Value::Null);
                }
                _ => {}
            }
        }
    }

    /// The next diagnostics published for `uri` (others are skipped).
    fn diagnostics_for(&self, uri: &Url) -> PublishDiagnosticsParams {
        loop {
            let message = self
                .conn
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("diagnostics");
            if let Message::Notification(n) = message
                && n.method == PublishDiagnostics::METHOD
            {
                let p: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
                if p.uri == *uri {
                    return p;
                }
            }
        }
    }

    fn open(&self, uri: &Url, text: &str) {
        self.notify(
            DidOpenTextDocument::METHOD,
            DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(uri.clone(), "rust".into(), 1, text.into()),
            },
        );
    }

    fn change(&self, uri: &Url, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        self.notify(
            DidChangeTextDocument::METHOD,
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: changes,
            },
        );
    }

    fn quick_fixes(&mut self, uri: &Url, range: Range) -> Vec<lsp_types::CodeAction> {
        let params = CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range,
            context: CodeActionContext::default(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        };
        let result = self.request(CodeActionRequest::METHOD, params);
        let actions: Vec<CodeActionOrCommand> = serde_json::from_value(result).unwrap();
        actions
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a,
                CodeActionOrCommand::Command(c) => panic!("a command, not a fix: {c:?}"),
            })
            .collect()
    }

    fn shutdown(mut self) {
        self.request(Shutdown::METHOD, Value::Null);
        self.notify(Exit::METHOD, Value::Null);
        let served = self.server.take().unwrap().join().unwrap();
        assert_eq!(served, Ok(()));
    }
}

fn insert_at(line: u32, text: &str) -> TextDocumentContentChangeEvent {
    let at = Position::new(line, 0);
    TextDocumentContentChangeEvent {
        range: Some(Range::new(at, at)),
        range_length: None,
        text: text.to_owned(),
    }
}

fn delete_line(line: u32) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: Some(Range::new(
            Position::new(line, 0),
            Position::new(line + 1, 0),
        )),
        range_length: None,
        text: String::new(),
    }
}

fn full_text(text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: None,
        range_length: None,
        text: text.to_owned(),
    }
}

/// `position` as a byte offset of `text`, counting columns in UTF-16.
fn offset_of(text: &str, position: Position) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(position.line as usize)
        .map(str::len)
        .sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= position.character as usize || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies edits as an editor does: each range is in the original text.
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, e.range.start),
                offset_of(text, e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (lo, hi, new) in edits {
        out.replace_range(lo..hi, new);
    }
    out
}

#[test]
fn diagnostics_follow_unsaved_edits_and_the_quick_fix_clears_them() {
    let dir = package();
    let main = dir.path().join("src/main.rs");
    let uri = uri_of(&main);
    let mut client = Client::start(dir.path(), json!({}));

    client.open(&uri, LEAKING);
    let published = client.diagnostics_for(&uri);
    assert_eq!(published.version, Some(1));
    assert_eq!(
        published.diagnostics.len(),
        1,
        "{:#?}",
        published.diagnostics
    );
    let d = &published.diagnostics[0];
    assert_eq!(
        d.code,
        Some(NumberOrString::String("tapi::line_not_closed".into()))
    );
    assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
    assert_eq!(d.source.as_deref(), Some("tapi-lint"));
    assert!(
        d.message
            .starts_with("line `line` is not closed on every path"),
        "{}",
        d.message
    );
    let href = d.code_description.as_ref().unwrap().href.as_str();
    assert_eq!(href, tapi_lint::lints::LINE_NOT_CLOSED.docs_url());
    assert!(href.ends_with("static.LINE_NOT_CLOSED.html"), "{href}");
    // The primary span is the `lineOpenW(..)` call, on line 5 (0-based 4),
    // its columns in UTF-16 units: `é` counts one, `𝄞` two.
    let line_text = LEAKING.lines().nth(4).unwrap();
    let byte = line_text.find("lineOpenW").unwrap();
    let call_len = line_text[byte..].find(") }").unwrap() + 1;
    let utf16 = |s: &str| s.encode_utf16().count() as u32;
    assert_eq!(
        d.range,
        Range::new(
            Position::new(4, utf16(&line_text[..byte])),
            Position::new(4, utf16(&line_text[..byte + call_len]))
        )
    );
    assert_ne!(
        utf16(&line_text[..byte]) as usize,
        byte,
        "the line must test UTF-16"
    );
    let related = d
        .related_information
        .as_ref()
        .expect("the exit as related information");
    assert!(
        related
            .iter()
            .any(|r| r.location.uri == uri && r.location.range.start.line == 11),
        "{related:#?}"
    );

    // Close the line before the leaking `return` (line 12, 0-based 11),
    // without saving: the diagnostics are cleared.
    client.change(&uri, 2, vec![insert_at(11, CLOSE_BEFORE_RETURN)]);
    let published = client.diagnostics_for(&uri);
    assert_eq!(published.version, Some(2));
    assert!(
        published.diagnostics.is_empty(),
        "{:#?}",
        published.diagnostics
    );

    // Take the release out again: the leak is back.
    client.change(&uri, 3, vec![delete_line(11)]);
    let published = client.diagnostics_for(&uri);
    assert_eq!(published.diagnostics.len(), 1);
    let diagnostic_range = published.diagnostics[0].range;

    // The quick fix releases the line before that `return`.
    let fixes = client.quick_fixes(
        &uri,
        Range::new(diagnostic_range.start, diagnostic_range.start),
    );
    assert_eq!(fixes.len(), 1, "{fixes:#?}");
    let fix = &fixes[0];
    assert_eq!(fix.kind, Some(lsp_types::CodeActionKind::QUICKFIX));
    assert_eq!(fix.title, "release `line` before this `return`");
    let changes = fix.edit.as_ref().unwrap().changes.as_ref().unwrap();
    let fixed = apply(LEAKING, &changes[&uri]);
    assert!(
        fixed.contains(
            "    if id < 0 {\n        unsafe { lineClose(line) };\n        return Err(id);"
        ),
        "{fixed}"
    );
    client.change(&uri, 4, vec![full_text(&fixed)]);
    let published = client.diagnostics_for(&uri);
    assert_eq!(published.version, Some(4));
    assert!(
        published.diagnostics.is_empty(),
        "{:#?}",
        published.diagnostics
    );

    // Nothing to fix on a clean document.
    assert!(client.quick_fixes(&uri, diagnostic_range).is_empty());
    client.shutdown();
}

/// Outside any cargo workspace: the file is analyzed alone. UTF-8
/// positions are negotiated, and the fixes for an unsigned cast and for a
/// leak through `?` apply.
#[test]
fn a_loose_file_gets_fixes_for_casts_and_question_marks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loose.rs");
    let text = r#"use windows_sys::Win32::Devices::Tapi::*;

fn check(rc: i32) -> Result<(), i32> {
    if rc == 0 { Ok(()) } else { Err(rc) }
}

pub fn watch(app: u32) -> Result<(), i32> {
    let mut line = 0;
    check(unsafe { lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()) })?;
    let id = unsafe { lineSetNumRings(line, 0, 4) };
    if /* é */ id as u32 > 0 {
        return Ok(());
    }
    check(unsafe { lineSetNumRings(line, 0, 2) })?;
    unsafe { lineClose(line) };
    Ok(())
}
"#;
    std::fs::write(&path, text).unwrap();
    let uri = uri_of(&path);
    let mut client = Client::start(
        dir.path(),
        json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }),
    );
    client.open(&uri, text);
    let published = client.diagnostics_for(&uri);
    let mut codes: Vec<String> = published
        .diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(NumberOrString::String(s)) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        ["tapi::line_not_closed", "tapi::result_cast_unsigned"]
    );
    let cast = published
        .diagnostics
        .iter()
        .find(|d| d.code == Some(NumberOrString::String("tapi::result_cast_unsigned".into())))
        .unwrap();
    // UTF-8: columns are bytes.
    let line_text = text.lines().nth(10).unwrap();
    assert_eq!(
        cast.range.start,
        Position::new(10, line_text.find("id as").unwrap() as u32)
    );

    let fixes = client.quick_fixes(&uri, cast.range);
    let fix = fixes
        .iter()
        .find(|f| f.title.contains("remove the cast"))
        .expect("a fix for the cast");
    let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
    // UTF-8 positions: apply in bytes.
    let at = |p: Position| -> usize {
        text.split_inclusive('\n')
            .take(p.line as usize)
            .map(str::len)
            .sum::<usize>()
            + p.character as usize
    };
    let mut fixed = text.to_owned();
    for e in edits.iter().rev() {
        fixed.replace_range(at(e.range.start)..at(e.range.end), &e.new_text);
    }
    assert!(fixed.contains("    if /* é */ id > 0 {\n"), "{fixed}");
    client.change(&uri, 2, vec![full_text(&fixed)]);
    let mut published = client.diagnostics_for(&uri);

    // The line leaks through the `return` and the second `?`: fix them in
    // turn until nothing is left.
    let mut text = fixed;
    let mut version = 2;
    for expected in [
        "release `line` before this `return`",
        "release `line` when `?` returns early here",
    ] {
        assert_eq!(
            published.diagnostics.len(),
            1,
            "{text}\n{:#?}",
            published.diagnostics
        );
        let range = published.diagnostics[0].range;
        let fixes = client.quick_fixes(&uri, range);
        let fix = fixes
            .iter()
            .find(|f| f.title == expected)
            .unwrap_or_else(|| panic!("{fixes:#?}"));
        let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        let at = |p: Position| -> usize {
            text.split_inclusive('\n')
                .take(p.line as usize)
                .map(str::len)
                .sum::<usize>()
                + p.character as usize
        };
        let mut sorted: Vec<&TextEdit> = edits.iter().collect();
        sorted.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
        let mut next = text.clone();
        for e in sorted {
            next.replace_range(at(e.range.start)..at(e.range.end), &e.new_text);
        }
        text = next;
        version += 1;
        client.change(&uri, version, vec![full_text(&text)]);
        published = client.diagnostics_for(&uri);
    }
    assert!(
        published.diagnostics.is_empty(),
        "{text}\n{:#?}",
        published.diagnostics
    );
    assert!(text.contains("    match check(unsafe { lineSetNumRings(line, 0, 2) }) {\n        Ok(value) => value,\n        Err(error) => {\n            unsafe { lineClose(line) };\n            Err(error)?\n        }\n    };\n"), "{text}");
    client.shutdown();
}

/// The real binary over stdio, with Content-Length framing: initialize,
/// open a leaking document, receive its diagnostics, shut down, exit 0.
#[test]
fn the_binary_speaks_lsp_over_stdio() {
    let dir = package();
    let main = dir.path().join("src/main.rs");
    let uri = uri_of(&main);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-tapi-lint"))
        .args(["tapi-lint", "lsp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let send = |stdin: &mut std::process::ChildStdin, message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"processId": null, "rootUri": uri_of(dir.path()), "capabilities": {}}}),
    );
    let response = read_framed(&mut stdout, |m| m["id"] == 1);
    assert_eq!(response["result"]["serverInfo"]["name"], "tapi-lint");
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "rust", "version": 1, "text": LEAKING}}}),
    );
    let published = read_framed(&mut stdout, |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["code"], "tapi::line_not_closed");
    assert_eq!(diagnostics[0]["severity"], 1);
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let response = read_framed(&mut stdout, |m| m["id"] == 2);
    assert_eq!(response["result"], Value::Null);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
}

/// Reads framed messages until one satisfies `wanted`.
fn read_framed(stdout: &mut impl BufRead, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let mut length = None;
        loop {
            let mut header = String::new();
            assert!(
                stdout.read_line(&mut header).unwrap() > 0,
                "the server closed stdout"
            );
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(n) = header.strip_prefix("Content-Length: ") {
                length = Some(n.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        stdout.read_exact(&mut body).unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if wanted(&message) {
            return message;
        }
    }
}
