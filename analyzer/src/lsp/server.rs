//! The message loop: initialization, document notifications, quick fixes,
//! shutdown.
//!
//! Every change is analyzed as soon as the messages already queued have
//! been applied: nothing waits on a timer, and a burst of changes is
//! analyzed once, in its final state. A request that needs the findings
//! (a code action) is answered from an analysis of the current text.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability, Diagnostic,
    InitializeParams, InitializeResult, LogMessageParams, MessageType, PublishDiagnosticsParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};

use super::code_actions;
use super::convert::{Encoding, Spans};
use super::documents::Documents;
use super::session::{Session, Snapshot};

pub type ServeError = Box<dyn Error + Send + Sync>;

/// Runs the server on `connection` until the client shuts it down (`Ok`)
/// or the protocol breaks (`Err`: a bad message, `exit` without
/// `shutdown`, a closed connection).
pub fn serve(connection: &Connection) -> Result<(), ServeError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "tapi-lint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let (session, problems) = Session::new(workspace_roots(&params))?;
    let mut server = Server {
        connection,
        encoding,
        documents: Documents::default(),
        session,
        snapshot: Snapshot::default(),
        published: HashMap::new(),
        touched: HashSet::new(),
        dirty: true,
        warned: HashSet::new(),
    };
    for problem in problems {
        server.log(
            MessageType::WARNING,
            format!("not a cargo workspace: {problem}"),
        )?;
    }
    server.analyze_and_publish()?;
    server.run()
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The folders to discover: the workspace folders, else the root URI.
#[allow(deprecated)] // `root_uri` and `root_path`: older clients send only those.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders: Vec<&Url> = match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders.iter().map(|f| &f.uri).collect(),
        _ => params.root_uri.iter().collect(),
    };
    let mut roots: Vec<PathBuf> = folders
        .into_iter()
        .filter_map(super::convert::uri_to_path)
        .collect();
    if roots.is_empty()
        && let Some(path) = &params.root_path
    {
        roots.push(PathBuf::from(path));
    }
    roots
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    documents: Documents,
    session: Session,
    /// The last analysis, for code actions.
    snapshot: Snapshot,
    /// What each file was last published with (files with none are left
    /// out once cleared).
    published: HashMap<Url, Vec<Diagnostic>>,
    /// Documents opened or changed since the last publication: they get
    /// diagnostics published even when they did not change.
    touched: HashSet<Url>,
    /// Something changed since the last analysis.
    dirty: bool,
    /// The warnings about the run logged last time.
    warned: HashSet<String>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), ServeError> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request)?;
                }
                Message::Notification(notification) => {
                    if notification.method == lsp_types::notification::Exit::METHOD {
                        return Err("`exit` before `shutdown`".into());
                    }
                    self.notification(notification)?;
                    if self.dirty && self.connection.receiver.is_empty() {
                        self.analyze_and_publish()?;
                    }
                }
                Message::Response(_) => {}
            }
        }
        Err("the client closed the connection without `shutdown`".into())
    }

    fn notification(&mut self, n: Notification) -> Result<(), ServeError> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let doc = p.text_document;
                self.touched.insert(doc.uri.clone());
                self.documents.open(doc.uri, doc.version, doc.text);
                self.dirty = true;
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let changed = self.documents.change(
                    &uri,
                    p.text_document.version,
                    p.content_changes,
                    self.encoding,
                );
                if let Err(e) = changed {
                    self.log(MessageType::WARNING, e)?;
                }
                self.touched.insert(uri);
                self.dirty = true;
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.documents.close(&p.text_document.uri);
                // The file on disk counts again (or, for a file of no
                // workspace, nothing: its diagnostics are cleared).
                self.dirty = true;
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                if is_manifest(&p.text_document.uri) {
                    self.rediscover()?;
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let p: lsp_types::DidChangeWatchedFilesParams = serde_json::from_value(n.params)?;
                if p.changes.iter().any(|c| is_manifest(&c.uri)) {
                    self.rediscover()?;
                }
                // Files on disk changed: the next analysis reads them.
                self.dirty = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn rediscover(&mut self) -> Result<(), ServeError> {
        for problem in self.session.discover() {
            self.log(
                MessageType::WARNING,
                format!("not a cargo workspace: {problem}"),
            )?;
        }
        self.dirty = true;
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<(), ServeError> {
        let response = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = serde_json::from_value(request.params)?;
                if self.dirty {
                    self.analyze_and_publish()?;
                }
                let actions = code_actions::quick_fixes(
                    &self.snapshot,
                    &p.text_document.uri,
                    p.range,
                    self.encoding,
                );
                Response::new_ok(request.id, actions)
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("tapi-lint does not handle `{}`", request.method),
            ),
        };
        self.send(response.into())
    }

    /// Analyzes the current state and publishes what changed, and the
    /// diagnostics of every document touched since the last time.
    fn analyze_and_publish(&mut self) -> Result<(), ServeError> {
        self.snapshot = self.session.analyze(&self.documents);
        self.dirty = false;
        let mut current: HashMap<Url, Vec<Diagnostic>> = HashMap::new();
        for analysis in &self.snapshot.analyses {
            let mut spans = Spans::new(&analysis.sources, self.encoding);
            for reported in &analysis.reported {
                if let Some((uri, diagnostic)) = spans.diagnostic(reported) {
                    let list = current.entry(uri).or_default();
                    // A file in two crates (a module of a library and of a
                    // binary) gives the same finding twice.
                    if !list.contains(&diagnostic) {
                        list.push(diagnostic);
                    }
                }
            }
        }
        let mut uris: Vec<Url> = current
            .keys()
            .chain(self.published.keys())
            .chain(&self.touched)
            .cloned()
            .collect();
        uris.sort();
        uris.dedup();
        for uri in uris {
            let now = current.remove(&uri).unwrap_or_default();
            let before = self.published.get(&uri);
            if before == Some(&now) && !self.touched.contains(&uri) {
                continue;
            }
            if now.is_empty() && before.is_none() && !self.touched.contains(&uri) {
                continue;
            }
            let version = self.documents.get(&uri).map(|d| d.version);
            let params = PublishDiagnosticsParams::new(uri.clone(), now.clone(), version);
            self.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into())?;
            if now.is_empty() {
                self.published.remove(&uri);
            } else {
                self.published.insert(uri, now);
            }
        }
        self.touched.clear();
        // Each warning about the run once, not after every keystroke.
        let warnings: HashSet<String> = self
            .snapshot
            .analyses
            .iter()
            .flat_map(|a| a.warnings.iter().cloned())
            .collect();
        let mut new: Vec<&String> = warnings.difference(&self.warned).collect();
        new.sort();
        for warning in new {
            self.log(MessageType::WARNING, warning.clone())?;
        }
        self.warned = warnings;
        Ok(())
    }

    fn log(&self, typ: MessageType, message: String) -> Result<(), ServeError> {
        let params = LogMessageParams { typ, message };
        self.send(Notification::new(LogMessage::METHOD.to_owned(), params).into())
    }

    fn send(&self, message: Message) -> Result<(), ServeError> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| "the connection to the client is closed".into())
    }
}

/// A file whose change can change the workspaces or their options.
fn is_manifest(uri: &Url) -> bool {
    let path = uri.path();
    let name = path.rsplit('/').next().unwrap_or_default();
    name == "Cargo.toml" || name == crate::config::FILE_NAME
}
