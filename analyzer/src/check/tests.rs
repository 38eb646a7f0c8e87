use super::*;
use crate::lower::lower_file;
use crate::source::{FileId, SourceFile};
use std::path::Path;

/// Lints one file and gives `(line, lint)` for each finding.
fn lint(src: &str) -> Vec<(usize, &'static str)> {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new("t.rs".into(), "t.rs".into(), src.into()));
    let ir = lower_file(file, Path::new("t.rs"), src, vec!["crate".into()]);
    let krate = CrateIr {
        name: "t".into(),
        files: vec![std::sync::Arc::new(ir)],
    };
    let f = sources.get(FileId(0));
    check_crate(&krate, &sources)
        .into_iter()
        .map(|d| (f.line_col(d.primary.span.lo as usize).line, d.lint.name))
        .collect()
}

const PRELUDE: &str = "use windows_sys::Win32::Devices::Tapi::*;\n";

#[test]
fn a_line_not_closed_on_an_error_path_is_reported_at_the_open() {
    let src = format!(
        "{PRELUDE}unsafe fn f(app: u32) -> Result<(), i32> {{
    let mut line = 0;
    let rc = lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null());
    if rc != 0 {{ return Err(rc); }}
    let mut call = 0;
    let id = lineMakeCallW(line, &mut call, std::ptr::null(), 0, std::ptr::null());
    if id < 0 {{ return Err(id); }}
    lineDeallocateCall(call);
    lineClose(line);
    Ok(())
}}"
    );
    assert_eq!(lint(&src), vec![(4, "line_not_closed")]);
}

#[test]
fn a_checked_helper_with_question_mark_is_understood() {
    let src = format!(
        "{PRELUDE}fn check(rc: i32) -> Result<(), i32> {{ if rc == 0 {{ Ok(()) }} else {{ Err(rc) }} }}
unsafe fn f() -> Result<(), i32> {{
    let mut app = 0;
    check(lineInitializeExW(&mut app, 0 as _, None, std::ptr::null(), &mut 0, &mut 0, std::ptr::null_mut()))?;
    let mut line = 0;
    check(lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()))?;
    lineClose(line);
    lineShutdown(app);
    Ok(())
}}"
    );
    assert_eq!(lint(&src), vec![(5, "line_app_not_shut_down")]);
}

#[test]
fn misuse_is_reported_at_the_use() {
    let src = format!(
        "{PRELUDE}unsafe fn f(app: u32) {{
    let mut line = 0;
    if lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()) != 0 {{ return; }}
    lineClose(line);
    lineClose(line);
}}
unsafe fn g() {{
    let mut app = 0;
    if lineInitialize(&mut app, 0 as _, None, std::ptr::null(), &mut 0) != 0 {{ return; }}
    let mut line = 0;
    if lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()) != 0 {{ lineShutdown(app); return; }}
    lineShutdown(app);
    lineClose(line);
    let rc = lineMakeCallW(line, &mut 0, std::ptr::null(), 0, std::ptr::null()) as u32;
    if rc > 0 {{}}
}}"
    );
    assert_eq!(
        lint(&src),
        vec![
            (6, "double_release"),
            (13, "release_order"),
            (14, "use_after_release"),
            (15, "call_not_deallocated"),
            (15, "use_after_release"),
            (15, "result_cast_unsigned"),
        ]
    );
}

#[test]
fn handles_in_a_vec_closed_in_a_later_loop_are_not_leaked() {
    let src = format!(
        "{PRELUDE}unsafe fn f(app: u32, n: u32) {{
    let mut lines = Vec::new();
    for dev in 0..n {{
        let mut h = 0;
        if lineOpenW(app, dev, &mut h, 0x20000, 0, 0, 1, 4, std::ptr::null()) == 0 {{ lines.push(h); }}
    }}
    for h in &lines {{ lineClose(*h); }}
}}"
    );
    assert_eq!(lint(&src), vec![]);
}

#[test]
fn a_line_handed_out_by_a_helper_leaks_at_the_call_in_the_caller() {
    let src = format!(
        "{PRELUDE}unsafe fn open_line(app: u32) -> Result<u32, i32> {{
    let mut line = 0;
    let rc = lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null());
    if rc != 0 {{ return Err(rc); }}
    Ok(line)
}}
unsafe fn close_line(line: u32) {{ lineClose(line); }}
unsafe fn status(line: u32) {{ lineSetStatusMessages(line, 0, 0); }}
unsafe fn good(app: u32) -> Result<(), i32> {{
    let line = open_line(app)?;
    status(line);
    close_line(line);
    Ok(())
}}
unsafe fn bad(app: u32, n: u32) -> Result<(), i32> {{
    let line = open_line(app)?;
    status(line);
    if n == 0 {{ return Err(1); }}
    close_line(line);
    close_line(line);
    Ok(())
}}"
    );
    assert_eq!(
        lint(&src),
        vec![(17, "line_not_closed"), (21, "double_release")]
    );
}

#[test]
fn a_close_method_skipped_on_one_path_leaks_and_params_are_the_callers() {
    let src = format!(
        "{PRELUDE}struct Session {{ line: u32 }}
impl Session {{
    unsafe fn open(&mut self, app: u32) -> i32 {{
        lineOpenW(app, 0, &mut self.line, 0x20000, 0, 0, 1, 4, std::ptr::null())
    }}
    unsafe fn close(&mut self) {{ lineClose(self.line); }}
}}
unsafe fn run(app: u32, quick: bool) {{
    let mut s = Session {{ line: 0 }};
    if s.open(app) != 0 {{ return; }}
    if quick {{ return; }}
    s.close();
}}
unsafe fn twice(h: u32) {{ lineClose(h); lineClose(h); }}"
    );
    assert_eq!(
        lint(&src),
        vec![(11, "line_not_closed"), (15, "double_release")]
    );
}

#[test]
fn tapi3_objects_cookies_and_calls_are_tracked() {
    let src = "use windows::Win32::Devices::Tapi::*;
use windows::Win32::System::Com::*;
unsafe fn run(sink: &ITTAPIEventNotification, cp: &IConnectionPoint) -> windows::core::Result<()> {
    let tapi: ITTAPI = CoCreateInstance(&TAPI, None, CLSCTX_INPROC_SERVER)?;
    tapi.Initialize()?;
    let cookie = cp.Advise(sink)?;
    let reg = tapi.RegisterCallNotifications(None, true, true, 8, 0)?;
    let _addresses = tapi.EnumerateAddresses();
    let _ = tapi.UnregisterNotifications(reg);
    let _ = cp.Unadvise(cookie);
    let _ = tapi.Shutdown();
    Ok(())
}
unsafe fn leaky(cp: &IConnectionPoint, sink: &ITTAPIEventNotification) -> windows::core::Result<()> {
    let tapi = CoCreateInstance::<_, ITTAPI>(&TAPI, None, CLSCTX_INPROC_SERVER)?;
    tapi.Initialize()?;
    let cookie = cp.Advise(sink)?;
    tapi.EnumerateAddresses()?;
    cp.Unadvise(cookie)?;
    tapi.Shutdown()?;
    tapi.Shutdown()?;
    Ok(())
}";
    assert_eq!(
        lint(src),
        // `run` leaks the object and the sink when `RegisterCallNotifications`
        // fails and `?` returns; `leaky` when `EnumerateAddresses` does.
        vec![
            (5, "tapi_not_shut_down"),
            (6, "sink_not_unadvised"),
            (16, "tapi_not_shut_down"),
            (17, "sink_not_unadvised"),
            (21, "double_release")
        ]
    );
}

#[test]
fn a_global_line_app_lives_until_the_end_of_main() {
    let src = format!(
        "{PRELUDE}use std::sync::OnceLock;
static APP: OnceLock<u32> = OnceLock::new();
static mut LINE: u32 = 0;
unsafe fn init() -> i32 {{
    let mut app = 0;
    let rc = lineInitialize(&mut app, 0 as _, None, std::ptr::null(), &mut 0);
    if rc == 0 {{ let _ = APP.set(app); }}
    rc
}}
unsafe fn open() {{
    let app = *APP.get().unwrap();
    lineOpenW(app, 0, &raw mut LINE, 0x20000, 0, 0, 1, 4, std::ptr::null());
}}
unsafe fn shutdown() {{
    if let Some(app) = APP.get() {{ lineShutdown(*app); }}
}}
fn main() {{
    unsafe {{
        if init() != 0 {{ return; }}
        open();
        if std::env::args().count() > 3 {{ std::process::exit(2); }}
        shutdown();
    }}
}}"
    );
    // Leaked at `process::exit`; on the normal path `shutdown()` ends the
    // app while the line is still open.
    assert_eq!(
        lint(&src),
        vec![
            (20, "line_app_not_shut_down"),
            (21, "line_not_closed"),
            (23, "release_order")
        ]
    );
}

#[test]
fn a_struct_whose_drop_closes_its_line_releases_it_when_dropped() {
    let src = format!(
        "{PRELUDE}struct Line {{ h: u32 }}
impl Drop for Line {{
    fn drop(&mut self) {{ unsafe {{ lineClose(self.h); }} }}
}}
unsafe fn open(app: u32) -> Result<Line, i32> {{
    let mut h = 0;
    let rc = lineOpenW(app, 0, &mut h, 0x20000, 0, 0, 1, 4, std::ptr::null());
    if rc != 0 {{ return Err(rc); }}
    Ok(Line {{ h }})
}}
unsafe fn good(app: u32) -> Result<(), i32> {{
    let line = open(app)?;
    lineSetStatusMessages(line.h, 0, 0);
    let moved = line;
    Ok(())
}}
unsafe fn kept(app: u32) -> Result<Line, i32> {{
    let line = open(app)?;
    Ok(line)
}}
unsafe fn exits(app: u32) {{
    let line = open(app).unwrap();
    std::process::exit(0);
}}"
    );
    assert_eq!(lint(&src), vec![(23, "line_not_closed")]);
}

mod incremental {
    //! [`CheckMemo`] must give exactly what a fresh [`check_crate`] gives,
    //! while checking again only what an edit can have changed.

    use std::sync::Arc;

    use super::*;
    use crate::ir::FileIr;

    const LIB: &str = "use windows_sys::Win32::Devices::Tapi::*;
pub mod lines;
pub mod calls;
pub fn run(app: u32) -> Result<(), i32> {
    let line = lines::open(app)?;
    calls::dial(line)?;
    unsafe { lineClose(line) };
    Ok(())
}
";

    const LINES: &str = "use windows_sys::Win32::Devices::Tapi::*;
pub fn open(app: u32) -> Result<u32, i32> {
    let mut line = 0;
    let rc = unsafe { lineOpenW(app, 0, &mut line, 0x20000, 0, 0, 1, 4, std::ptr::null()) };
    if rc != 0 {
        return Err(rc);
    }
    Ok(line)
}
";

    const CALLS: &str = "use windows_sys::Win32::Devices::Tapi::*;
pub fn dial(line: u32) -> Result<(), i32> {
    let mut call = 0;
    let id = unsafe { lineMakeCallW(line, &mut call, std::ptr::null(), 0, std::ptr::null()) };
    if id < 0 {
        return Err(id);
    }
    unsafe { lineDeallocateCall(call) };
    Ok(())
}
pub fn idle() {}
";

    struct Crate {
        sources: SourceMap,
        files: Vec<Arc<FileIr>>,
    }

    fn module_path(i: usize) -> Vec<String> {
        match i {
            0 => vec!["crate".into()],
            1 => vec!["crate".into(), "lines".into()],
            _ => vec!["crate".into(), "calls".into()],
        }
    }

    /// The crate with `texts`, lowering again only the files whose text
    /// differs from `before`'s.
    fn build(texts: [&str; 3], before: Option<&Crate>) -> Crate {
        let mut sources = SourceMap::default();
        let mut files = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let name = format!("f{i}.rs");
            let id = sources.add(SourceFile::new(
                name.clone().into(),
                name.clone(),
                (*text).into(),
            ));
            let same = before.filter(|b| &*b.sources.get(id).text == *text);
            files.push(match same {
                Some(b) => b.files[i].clone(),
                None => Arc::new(lower_file(id, Path::new(&name), text, module_path(i))),
            });
        }
        Crate { sources, files }
    }

    fn render(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| format!("{f:?}")).collect()
    }

    #[test]
    fn incremental_checks_agree_with_fresh_ones() {
        // Each step edits one file; the comment says what changes.
        let lines_closes = LINES.replace(
            "    Ok(line)",
            "    unsafe { lineClose(line) };\n    Ok(line)",
        );
        let calls_leaks = CALLS.replace("    unsafe { lineDeallocateCall(call) };\n", "");
        let calls_shifted = format!("// a comment shifts every span\n{calls_leaks}");
        let idle_calls = CALLS.replace("pub fn idle() {}", "pub fn idle() { let _x = 1; }");
        let lib_more = format!("{LIB}pub fn more() {{}}\n");
        let steps: Vec<[&str; 3]> = vec![
            [LIB, LINES, CALLS],
            // A body edit that changes nothing else.
            [LIB, LINES, &idle_calls],
            // `open` now closes what it returns: its summary changes, so
            // `run`, in another file, must be checked again.
            [LIB, &lines_closes, &idle_calls],
            // Back.
            [LIB, LINES, &idle_calls],
            // A leak in `dial`.
            [LIB, LINES, &calls_leaks],
            [LIB, LINES, &calls_shifted],
            // A new function: the outline changes.
            [&lib_more, LINES, &calls_shifted],
        ];
        let mut memo = CheckMemo::default();
        let wrappers = Arc::default();
        let mut before: Option<Crate> = None;
        let mut reused_somewhere = false;
        let mut saw_findings = false;
        for (n, texts) in steps.iter().enumerate() {
            let c = build(*texts, before.as_ref());
            let krate = CrateIr {
                name: "t".into(),
                files: c.files.clone(),
            };
            let fresh = check_crate(&krate, &c.sources);
            let (incremental, reuse) = memo.check_counting(&krate, &c.sources, &wrappers);
            assert_eq!(render(&incremental), render(&fresh), "step {n}");
            saw_findings |= !fresh.is_empty();
            reused_somewhere |= n > 0 && reuse.checked < reuse.functions;
            if n == 2 {
                // `open`'s summary changed: `run` is checked again too.
                assert!(reuse.checked >= 2, "{reuse:?}");
            }
            if n == 1 {
                // Only `calls.rs` changed and no summary did: `run` and
                // `open` are neither summarised nor checked again.
                assert_eq!((reuse.summarized, reuse.checked), (2, 2), "{reuse:?}");
            }
            before = Some(c);
        }
        assert!(saw_findings && reused_somewhere);
    }
}
