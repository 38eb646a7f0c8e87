//! Language-server latency (issue 5): the time from a `didChange` to the
//! `publishDiagnostics` for that change, on a crate of about 10,000 lines.
//!
//! ```sh
//! cargo bench -p cargo-tapi-lint --bench lsp_change          # 20 edits
//! cargo bench -p cargo-tapi-lint --bench lsp_change -- 50    # 50 edits
//! ```
//!
//! The bench writes a cargo package in a temporary directory: `main.rs`
//! declares [`MODULES`] modules, each about 200 lines of TAPI 2 code (an
//! app, lines, calls, a helper mapping codes to `Result`, a struct whose
//! `Drop` closes its line, and plain code around them); every fifth module
//! leaks a line on an error path. It starts the server in process on an
//! in-memory connection, opens one module and then edits it, alternately
//! adding and removing a leak (a `lineClose` before a `return`), waiting
//! each time for the diagnostics of that version. It checks that they
//! toggle as expected and prints the median, fastest and slowest time. It
//! fails only when the diagnostics are wrong, not when it is slow (the
//! machine may be busy). Run without `--bench` (`cargo test --benches`),
//! it does 2 edits.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use lsp_types::notification::{
    DidChangeTextDocument, DidOpenTextDocument, Exit, Initialized, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{Initialize, Request as _, Shutdown};
use lsp_types::{
    DidChangeTextDocumentParams, DidOpenTextDocumentParams, Position, PublishDiagnosticsParams,
    Range, TextDocumentContentChangeEvent, TextDocumentItem, Url, VersionedTextDocumentIdentifier,
};
use serde_json::{Value, json};

const MODULES: usize = 50;
/// The module the edits are made in.
const EDITED: usize = 7;
const DEFAULT_EDITS: usize = 20;
const TARGET: Duration = Duration::from_millis(50);
const TIMEOUT: Duration = Duration::from_secs(300);

/// One module: `{k}` is its number. The line marked `// EDIT` is where the
/// bench inserts and removes a release.
fn module(k: usize) -> String {
    let leak = k.is_multiple_of(5);
    let close_on_error = if leak {
        "        // The line leaks here: no lineClose before returning.\n"
    } else {
        "        unsafe { lineClose(line) };\n"
    };
    format!(
        r#"//! Station {k}: a line app, lines and calls, and the bookkeeping around them.

use std::collections::HashMap;
use std::fmt;

use windows_sys::Win32::Devices::Tapi::*;

pub const API_VERSION: u32 = 0x0002_0000;
const MAX_RETRIES: u32 = 3;

/// What went wrong, with the TAPI code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TapiError {{
    pub code: i32,
    pub during: &'static str,
}}

impl fmt::Display for TapiError {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        write!(f, "{{}} failed with {{:#010x}}", self.during, self.code as u32)
    }}
}}

/// Maps a TAPI return code to a `Result`.
fn check(rc: i32, during: &'static str) -> Result<(), TapiError> {{
    if rc == 0 {{ Ok(()) }} else {{ Err(TapiError {{ code: rc, during }}) }}
}}

/// Counters kept per station.
#[derive(Default, Debug)]
pub struct Stats {{
    pub calls: u32,
    pub failures: u32,
    pub by_number: HashMap<String, u32>,
}}

impl Stats {{
    pub fn record(&mut self, number: &str, ok: bool) {{
        self.calls += 1;
        if !ok {{
            self.failures += 1;
        }}
        *self.by_number.entry(number.to_owned()).or_insert(0) += 1;
    }}

    pub fn failure_rate(&self) -> f64 {{
        if self.calls == 0 {{
            return 0.0;
        }}
        f64::from(self.failures) / f64::from(self.calls)
    }}

    pub fn busiest(&self) -> Option<(&str, u32)> {{
        self.by_number
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.as_str(), *n))
    }}
}}

/// A line closed when dropped.
pub struct OpenLine {{
    line: u32,
}}

impl Drop for OpenLine {{
    fn drop(&mut self) {{
        unsafe {{ lineClose(self.line) }};
    }}
}}

/// Initializes a line app.
pub fn init_app() -> Result<u32, TapiError> {{
    let mut app = 0;
    let mut devices = 0;
    let mut version = API_VERSION;
    let rc = unsafe {{
        lineInitializeExW(
            &mut app,
            std::ptr::null_mut(),
            None,
            std::ptr::null(),
            &mut devices,
            &mut version,
            std::ptr::null_mut(),
        )
    }};
    check(rc, "lineInitializeExW")?;
    Ok(app)
}}

/// Opens device `device` for outgoing calls.
pub fn open_line(app: u32, device: u32) -> Result<u32, TapiError> {{
    let mut line = 0;
    let rc = unsafe {{
        lineOpenW(app, device, &mut line, API_VERSION, 0, 0, 1, 4, std::ptr::null())
    }};
    if rc != 0 {{
        return Err(TapiError {{ code: rc, during: "lineOpenW" }});
    }}
    Ok(line)
}}

/// Opens a line that closes itself.
pub fn open_guarded(app: u32, device: u32) -> Result<OpenLine, TapiError> {{
    let line = open_line(app, device)?;
    Ok(OpenLine {{ line }})
}}

/// Dials `number` on a line it opens, waits, and hangs up.
pub fn dial(app: u32, device: u32, number: &str, stats: &mut Stats) -> Result<(), TapiError> {{
    let mut line = 0;
    let rc = unsafe {{
        lineOpenW(app, device, &mut line, API_VERSION, 0, 0, 1, 4, std::ptr::null())
    }};
    check(rc, "lineOpenW")?;
    let wide: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    let mut call = 0;
    let mut attempts = 0;
    let id = loop {{
        let id = unsafe {{ lineMakeCallW(line, &mut call, wide.as_ptr(), 0, std::ptr::null()) }};
        attempts += 1;
        if id > 0 || attempts >= MAX_RETRIES {{
            break id;
        }}
    }};
    if id < 0 {{
        stats.record(number, false);
        // EDIT
{close_on_error}        return Err(TapiError {{ code: id, during: "lineMakeCallW" }});
    }}
    stats.record(number, true);
    unsafe {{ lineDrop(call, std::ptr::null(), 0) }};
    unsafe {{ lineDeallocateCall(call) }};
    unsafe {{ lineClose(line) }};
    Ok(())
}}

/// Counts the devices that open.
pub fn probe(app: u32, devices: u32) -> u32 {{
    let mut usable = 0;
    for device in 0..devices {{
        match open_line(app, device) {{
            Ok(line) => {{
                usable += 1;
                unsafe {{ lineClose(line) }};
            }}
            Err(_) => continue,
        }}
    }}
    usable
}}

/// Formats a report of the station's counters.
pub fn report(stats: &Stats) -> String {{
    let mut out = String::new();
    out.push_str(&format!("station {k}: {{}} calls\n", stats.calls));
    out.push_str(&format!("  failures: {{}}\n", stats.failures));
    out.push_str(&format!("  failure rate: {{:.2}}\n", stats.failure_rate()));
    if let Some((number, n)) = stats.busiest() {{
        out.push_str(&format!("  busiest: {{number}} ({{n}} calls)\n"));
    }}
    let mut numbers: Vec<_> = stats.by_number.keys().collect();
    numbers.sort();
    for number in numbers {{
        out.push_str(&format!("  - {{number}}\n"));
    }}
    out
}}

/// Parses `device=number` lines.
pub fn parse_plan(text: &str) -> Vec<(u32, String)> {{
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {{
            let (device, number) = l.split_once('=')?;
            Some((device.trim().parse().ok()?, number.trim().to_owned()))
        }})
        .collect()
}}

/// Runs a dialing plan on a fresh app.
pub fn run(plan: &str) -> Result<Stats, TapiError> {{
    let app = init_app()?;
    let mut stats = Stats::default();
    for (device, number) in parse_plan(plan) {{
        if let Err(e) = dial(app, device, &number, &mut stats) {{
            eprintln!("{{e}}");
        }}
    }}
    let guarded = open_guarded(app, 0);
    drop(guarded);
    let usable = probe(app, 4);
    if usable == 0 {{
        unsafe {{ lineShutdown(app) }};
        return Ok(stats);
    }}
    println!("{{}}", report(&stats));
    unsafe {{ lineShutdown(app) }};
    Ok(stats)
}}
"#
    )
}

fn write_package(dir: &Path) -> std::io::Result<usize> {
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"lsp-bench\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nwindows-sys = { version = \"0.61.2\", features = [\"Win32_Devices_Tapi\"] }\n\n\
         [workspace]\n",
    )?;
    std::fs::create_dir_all(dir.join("src"))?;
    let mut main = String::new();
    for k in 0..MODULES {
        main.push_str(&format!("mod m{k};\n"));
    }
    main.push_str("\nfn main() {\n");
    for k in 0..MODULES {
        main.push_str(&format!("    let _ = m{k}::run(\"0=100{k}\");\n"));
    }
    main.push_str("}\n");
    let mut lines = main.lines().count();
    std::fs::write(dir.join("src/main.rs"), main)?;
    for k in 0..MODULES {
        let text = module(k);
        lines += text.lines().count();
        std::fs::write(dir.join(format!("src/m{k}.rs")), text)?;
    }
    Ok(lines)
}

/// The editor's side of the connection.
struct Client {
    conn: Connection,
    next_id: i32,
}

impl Client {
    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let n = Notification::new(method.to_owned(), params);
        self.conn
            .sender
            .send(n.into())
            .expect("the server is running");
    }

    fn request(&mut self, method: &str, params: impl serde::Serialize) -> Result<Value, String> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let r = Request::new(id.clone(), method.to_owned(), params);
        self.conn.sender.send(r.into()).map_err(|e| e.to_string())?;
        loop {
            match self.conn.receiver.recv_timeout(TIMEOUT) {
                Ok(Message::Response(resp)) if resp.id == id => {
                    return resp.result.ok_or_else(|| format!("{:?}", resp.error));
                }
                Ok(_) => {}
                Err(e) => return Err(format!("no response to {method}: {e}")),
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&self, uri: &Url, version: i32) -> Result<PublishDiagnosticsParams, String> {
        loop {
            match self.conn.receiver.recv_timeout(TIMEOUT) {
                Ok(Message::Notification(n)) if n.method == PublishDiagnostics::METHOD => {
                    let p: PublishDiagnosticsParams =
                        serde_json::from_value(n.params).map_err(|e| e.to_string())?;
                    if p.uri == *uri && p.version == Some(version) {
                        return Ok(p);
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(format!("no diagnostics for version {version}: {e}")),
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let edits = args
        .iter()
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(if bench { DEFAULT_EDITS } else { 2 });

    let dir = tempfile::Builder::new()
        .prefix("tapi-lint-lsp-bench-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let root = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
    let lines = write_package(&root).map_err(|e| format!("cannot write the package: {e}"))?;
    let edited_path = root.join(format!("src/m{EDITED}.rs"));
    let uri = Url::from_file_path(&edited_path).map_err(|()| "not a file path".to_owned())?;
    let original = std::fs::read_to_string(&edited_path).map_err(|e| e.to_string())?;
    let edit_line = original
        .lines()
        .position(|l| l.trim() == "// EDIT")
        .ok_or("no EDIT marker")? as u32;
    // The line after the marker closes the line: deleting it makes a leak.
    let close_line = original
        .lines()
        .nth(edit_line as usize + 1)
        .unwrap_or_default();
    if close_line.trim() != "unsafe { lineClose(line) };" {
        return Err(format!(
            "module {EDITED} must not leak to begin with: {close_line}"
        ));
    }

    let (server_side, client_side) = Connection::memory();
    let server =
        std::thread::spawn(move || tapi_lint::lsp::serve(&server_side).map_err(|e| e.to_string()));
    let mut client = Client {
        conn: client_side,
        next_id: 0,
    };
    let start = Instant::now();
    client.request(
        Initialize::METHOD,
        json!({"processId": null, "rootUri": Url::from_file_path(&root).ok(), "capabilities": {}}),
    )?;
    client.notify(Initialized::METHOD, json!({}));
    client.notify(
        DidOpenTextDocument::METHOD,
        DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(uri.clone(), "rust".into(), 1, original.clone()),
        },
    );
    let opened = client.diagnostics(&uri, 1)?;
    let cold = start.elapsed();
    let clean = opened.diagnostics.len();

    let mut times = Vec::with_capacity(edits);
    for n in 0..edits {
        let version = n as i32 + 2;
        // Odd edits put the release back, even ones take it out.
        let removing = n.is_multiple_of(2);
        let at = edit_line + 1;
        let change = if removing {
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(at, 0), Position::new(at + 1, 0))),
                range_length: None,
                text: String::new(),
            }
        } else {
            TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(at, 0), Position::new(at, 0))),
                range_length: None,
                text: format!("{close_line}\n"),
            }
        };
        let sent = Instant::now();
        client.notify(
            DidChangeTextDocument::METHOD,
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: vec![change],
            },
        );
        let published = client.diagnostics(&uri, version)?;
        times.push(sent.elapsed());
        let expected = if removing { clean + 1 } else { clean };
        if published.diagnostics.len() != expected {
            return Err(format!(
                "edit {n}: {} diagnostics, expected {expected}",
                published.diagnostics.len()
            ));
        }
    }
    client.request(Shutdown::METHOD, Value::Null)?;
    client.notify(Exit::METHOD, Value::Null);
    server
        .join()
        .map_err(|_| "the server panicked".to_owned())??;

    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{lines} lines in {} files; initialize + first analysis + diagnostics: {:.0} ms",
        MODULES + 1,
        ms(cold)
    );
    println!(
        "didChange -> publishDiagnostics over {edits} edits: median {:.1} ms, fastest {:.1} ms, slowest {:.1} ms (target < {} ms)",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
        TARGET.as_millis()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
