//! Configuration end to end: `tapi-lint.toml` found upward, the manifest
//! tables, levels, excludes, the program's own FFI wrappers, and malformed
//! files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cargo-tapi-lint");

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("tapi-lint")
        .args(["--message-format", "short"])
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO_TERM_COLOR")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `file:line: level[lint]` of every finding (the short format prints
/// them on standard error, as rustc does), sorted.
fn findings(o: &Output) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.contains("[tapi::"))
        .map(|l| {
            let mut parts = l.splitn(4, ':');
            let (file, line) = (parts.next().unwrap(), parts.next().unwrap());
            let rest = l.split_once(": ").unwrap().1;
            let head = rest.split(": ").next().unwrap();
            format!("{file}:{line}: {head}")
        })
        .collect();
    v.sort();
    v
}

/// A workspace with two packages. `app` opens a line through its own C
/// shim and leaks it on one path, and shuts its app down while a line is
/// open (release_order, a warning by default); `tool` has the same
/// release-order problem; `app/src/generated.rs` leaks a line app.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"tool\"]\nresolver = \"2\"\n",
    );
    let order = "use windows_sys::Win32::Devices::Tapi::*;\n\
                 pub fn order(app: u32) {\n    let mut line = 0u32;\n    \
                 if unsafe { lineOpenW(app, 0, &mut line, 0, 0, 0, 0, 0, std::ptr::null()) } != 0 { return; }\n    \
                 unsafe { lineShutdown(app) };\n}\n";
    write(
        d,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        d,
        "app/src/main.rs",
        &format!(
            "mod generated;\n{order}\
             extern \"C\" {{\n    fn shim_open_line(app: u32, device: u32) -> u32;\n    fn shim_close_line(line: u32) -> i32;\n}}\n\
             fn dial(app: u32, busy: bool) -> Result<(), i32> {{\n    \
             let line = unsafe {{ shim_open_line(app, 0) }};\n    \
             if line == 0 {{ return Err(-1); }}\n    \
             if busy {{ return Err(-2); }}\n    \
             unsafe {{ shim_close_line(line) }};\n    Ok(())\n}}\n\
             fn main() {{ order(1); let _ = dial(1, false); generated::init(); }}\n"
        ),
    );
    write(
        d,
        "app/src/generated.rs",
        "use windows_sys::Win32::Devices::Tapi::*;\n\
         pub fn init() {\n    let mut app = 0u32;\n    let (mut n, mut v) = (0, 0);\n    \
         unsafe { lineInitializeExW(&mut app, std::ptr::null_mut(), None, std::ptr::null(), &mut n, &mut v, std::ptr::null_mut()) };\n}\n",
    );
    write(
        d,
        "tool/Cargo.toml",
        "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(d, "tool/src/lib.rs", order);
    dir
}

#[test]
fn without_configuration_the_defaults_apply() {
    let ws = workspace();
    let out = run(ws.path(), &[]);
    assert_eq!(
        findings(&out),
        [
            "app/src/generated.rs:5: error[tapi::line_app_not_shut_down]",
            "app/src/main.rs:6: warning[tapi::release_order]",
            "tool/src/lib.rs:5: warning[tapi::release_order]",
        ],
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn tapi_lint_toml_sets_levels_excludes_and_wrappers_and_the_command_line_wins() {
    let ws = workspace();
    write(
        ws.path(),
        "tapi-lint.toml",
        "exclude = [\"app/src/generated.rs\"]\n\n[lints]\nrelease_order = \"deny\"\n\n\
         [[wrapper]]\nfunction = \"shim_open_line\"\nacquires = \"line\"\nhandle = \"return\"\n\n\
         [[wrapper]]\nfunction = \"shim_close_line\"\nreleases = \"line\"\nhandle = \"arg0\"\n",
    );
    // Found upward from a member's directory (which selects that member).
    let member = ws.path().join("app");
    let out = run(&member, &[]);
    assert_eq!(
        findings(&out),
        [
            "app/src/main.rs:13: error[tapi::line_not_closed]",
            "app/src/main.rs:6: error[tapi::release_order]",
        ],
        "{}",
        stdout(&out)
    );
    let out = run(&member, &["-A", "tapi::release_order"]);
    assert_eq!(
        findings(&out),
        ["app/src/main.rs:13: error[tapi::line_not_closed]"]
    );
    // From the root: both members.
    let out = run(ws.path(), &[]);
    assert_eq!(
        findings(&out).len(),
        3,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn manifest_tables_apply_to_the_workspace_and_to_their_package() {
    let ws = workspace();
    let root = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    write(
        ws.path(),
        "Cargo.toml",
        &format!("{root}\n[workspace.metadata.tapi-lint]\nexclude = [\"app/src/generated.rs\"]\n"),
    );
    let tool = std::fs::read_to_string(ws.path().join("tool/Cargo.toml")).unwrap();
    write(
        ws.path(),
        "tool/Cargo.toml",
        &format!("{tool}\n[package.metadata.tapi-lint.lints]\nrelease_order = \"allow\"\n"),
    );
    let out = run(ws.path(), &[]);
    assert_eq!(
        findings(&out),
        ["app/src/main.rs:6: warning[tapi::release_order]"],
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_malformed_configuration_is_an_error_with_its_location_and_exit_status_2() {
    let ws = workspace();
    let file = write(
        ws.path(),
        "tapi-lint.toml",
        "[lints]\nrelease_order = \"deny\"\n\n[[wrapper]]\nfunction = \"shim_open_line\"\nacquires = \"lines\"\nhandle = \"return\"\n",
    );
    let out = run(ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = std::fs::canonicalize(&file).unwrap_or(file);
    assert!(
        stderr.contains(&format!(
            "{}:6:12: unknown resource kind `lines`",
            file.display()
        )) || stderr.contains(":6:12: unknown resource kind `lines`"),
        "{stderr}"
    );
    assert!(findings(&out).is_empty());

    let manifest = ws.path().join("tool/Cargo.toml");
    std::fs::remove_file(ws.path().join("tapi-lint.toml")).unwrap();
    let tool = std::fs::read_to_string(&manifest).unwrap();
    write(
        ws.path(),
        "tool/Cargo.toml",
        &format!("{tool}\n[package.metadata.tapi-lint]\nlevels = 1\n"),
    );
    let out = run(ws.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tool/Cargo.toml:7:1: unknown field `levels`"),
        "{stderr}"
    );
}
