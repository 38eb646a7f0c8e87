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
        files: vec![ir],
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
#[ignore = "scratch: compares the fixtures' expectations while the harness is built"]
fn scratch_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/src/bin");
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let (mut ok, mut bad) = (0, 0);
    for path in entries {
        let src = std::fs::read_to_string(&path).unwrap();
        let mut expected: Vec<(usize, String)> = Vec::new();
        let mut last = 0;
        for (i, line) in src.lines().enumerate() {
            if let Some(pos) = line.find("//~") {
                let rest = &line[pos + 3..];
                let carets = rest.chars().take_while(|c| *c == '^').count();
                let target = if rest.starts_with('|') {
                    last
                } else {
                    i + 1 - carets
                };
                last = target;
                let name = rest
                    .split_whitespace()
                    .find(|w| w.starts_with("tapi::"))
                    .unwrap_or("?");
                expected.push((target, name.trim_start_matches("tapi::").to_string()));
            }
        }
        expected.sort();
        let mut actual: Vec<(usize, String)> = lint(&src)
            .into_iter()
            .map(|(l, n)| (l, n.to_string()))
            .collect();
        actual.sort();
        if actual == expected {
            ok += 1;
        } else {
            bad += 1;
            println!(
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                path.file_name().unwrap().to_string_lossy()
            );
        }
    }
    println!("{ok} ok, {bad} differ");
}

#[test]
#[ignore = "scratch"]
fn scratch_one() {
    let src = std::fs::read_to_string("/tmp/dbg.rs").unwrap();
    println!("{:?}", lint(&src));
}

#[test]
#[ignore = "scratch"]
fn scratch_registry() {
    let home = std::env::var("HOME").unwrap();
    let root = format!("{home}/.cargo/registry/src");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let start = std::time::Instant::now();
    let failures = std::sync::Mutex::new(Vec::new());
    let bytes = std::sync::atomic::AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(1 << 30)
        .build()
        .unwrap();
    pool.install(|| {
        use rayon::prelude::*;
        files.par_iter().for_each(|p| {
            let Ok(src) = std::fs::read_to_string(p) else {
                return;
            };
            bytes.fetch_add(src.len(), std::sync::atomic::Ordering::Relaxed);
            let t = std::time::Instant::now();
            let r = std::panic::catch_unwind(|| {
                let mut sources = SourceMap::default();
                let file = sources.add(SourceFile::new(
                    p.clone(),
                    String::new(),
                    src.as_str().into(),
                ));
                let ir = lower_file(file, p, &src, vec!["crate".into()]);
                let krate = CrateIr {
                    name: "t".into(),
                    files: vec![ir],
                };
                check_crate(&krate, &sources).len()
            });
            let el = t.elapsed();
            if el.as_secs_f64() > 2.0 {
                println!("slow {:?}: {:?}", p, el);
            }
            if r.is_err() {
                failures.lock().unwrap().push(p.clone());
            }
            proc_macro2::extra::invalidate_current_thread_spans();
        });
    });
    let f = failures.into_inner().unwrap();
    println!(
        "{} files, {} MB, {:?}, {} panics: {:?}",
        files.len(),
        bytes.into_inner() >> 20,
        start.elapsed(),
        f.len(),
        f.iter().take(10).collect::<Vec<_>>()
    );
}
