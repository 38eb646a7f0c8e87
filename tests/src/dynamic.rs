//! Running the fixture programs against the TAPI simulator (`tapi-sim`),
//! for the static-versus-dynamic test (`tests/static_vs_dynamic.rs`).
//!
//! * [`build_simulator`] builds the simulator's cdylib;
//!   [`build_fixture_package`] and [`build_fixture_crate`] link the fixture
//!   programs against it (through `fixtures/build.rs` and `TAPI_SIM_LIB_DIR`
//!   for the fixtures package, through `RUSTFLAGS` for the standalone
//!   crates under `fixtures/crates`), each in a target directory of its own
//!   so that normal builds are not invalidated.
//! * [`run_program`] runs one with the simulator's environment
//!   (`TAPI_SIM_REPORT`, virtual time, the outside world, injected
//!   failures), a timeout and stdin closed, and reads its [`ExitReport`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Captured, cargo, key_of};

/// A fixture program, built against the simulator.
#[derive(Clone, Debug)]
pub struct Program {
    /// `clean_dialer`, or `crate line_watch` for a crate's binary.
    pub name: String,
    pub executable: PathBuf,
    /// The source files the analyzer's findings for it come from (keys
    /// relative to the workspace root): the bin's file, or every file of
    /// its crate.
    pub files: Vec<String>,
}

/// What the simulator saw still held when a program exited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldResource {
    /// The `tapi_model::ResourceKind` name (`"Line"`).
    pub kind: String,
    pub handle: u64,
    /// The function that created it (`"lineOpenW"`), and which call of it.
    pub function: String,
    pub occurrence: u64,
    /// (kind, handle) of the resource whose release would have ended it.
    pub parent: Option<(String, u64)>,
}

/// One acquiring call a program made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcquiringCall {
    pub function: String,
    pub occurrence: u64,
    pub result: i64,
}

/// The simulator's exit report (see `tapi_sim::report`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExitReport {
    pub held: Vec<HeldResource>,
    pub acquisitions: Vec<AcquiringCall>,
    /// How many times the program called each TAPI function.
    pub calls: BTreeMap<String, u64>,
}

impl ExitReport {
    pub fn parse(text: &str) -> Result<ExitReport, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        let str_field = |o: &Value, k: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("no string `{k}` in {o}"))
        };
        let num_field = |o: &Value, k: &str| {
            o.get(k)
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("no number `{k}` in {o}"))
        };
        let list = |k: &str| {
            v.get(k)
                .and_then(Value::as_array)
                .ok_or_else(|| format!("no `{k}` list"))
        };
        let mut report = ExitReport::default();
        for h in list("held")? {
            let parent = match h.get("parent") {
                Some(Value::Null) | None => None,
                Some(p) => Some((str_field(p, "kind")?, num_field(p, "handle")? as u64)),
            };
            report.held.push(HeldResource {
                kind: str_field(h, "kind")?,
                handle: num_field(h, "handle")? as u64,
                function: str_field(h, "function")?,
                occurrence: num_field(h, "occurrence")? as u64,
                parent,
            });
        }
        for a in list("acquisitions")? {
            report.acquisitions.push(AcquiringCall {
                function: str_field(a, "function")?,
                occurrence: num_field(a, "occurrence")? as u64,
                result: num_field(a, "result")?,
            });
        }
        let calls = v
            .get("calls")
            .and_then(Value::as_object)
            .ok_or_else(|| "no `calls` map".to_owned())?;
        for (function, n) in calls {
            let n = n
                .as_u64()
                .ok_or_else(|| format!("`calls` of {function} is not a count"))?;
            report.calls.insert(function.clone(), n);
        }
        Ok(report)
    }
}

/// How a run ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Exited(ExitStatus),
    /// Killed after the timeout.
    TimedOut(Duration),
}

/// One run of a program.
#[derive(Clone, Debug)]
pub struct ProgramRun {
    pub outcome: Outcome,
    pub stdout: String,
    pub stderr: String,
    /// The exit report, or why there is none.
    pub report: Result<ExitReport, String>,
    pub elapsed: Duration,
}

/// Runs `program` with `env` (on top of `TAPI_SIM_REPORT`, which points
/// into `scratch`), stdin closed; kills it after `timeout`.
pub fn run_program(
    program: &Program,
    env: &[(&str, String)],
    scratch: &Path,
    timeout: Duration,
) -> ProgramRun {
    let report_path = scratch.join("report.json");
    let _ = std::fs::remove_file(&report_path);
    let mut cmd = Command::new(&program.executable);
    // `cargo test` points LD_LIBRARY_PATH at its own target directories,
    // which may hold another build of libtapi_sim.so; the programs' rpath
    // names the one they were linked against.
    cmd.env_remove("LD_LIBRARY_PATH")
        .env("TAPI_SIM_REPORT", &report_path)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(scratch);
    let started = Instant::now();
    let mut run = match Captured::spawn(&mut cmd) {
        Ok(run) => run,
        Err(e) => {
            return ProgramRun {
                outcome: Outcome::TimedOut(Duration::ZERO),
                stdout: String::new(),
                stderr: format!("cannot start {}: {e}", program.executable.display()),
                report: Err("not started".into()),
                elapsed: Duration::ZERO,
            };
        }
    };
    let outcome = match run.wait(timeout, Duration::from_millis(2)) {
        Ok(Some(status)) => Outcome::Exited(status),
        Ok(None) => Outcome::TimedOut(timeout),
        Err(e) => panic!("waiting for {}: {e}", program.executable.display()),
    };
    let elapsed = started.elapsed();
    // After a kill, a process the program started may still hold the pipes
    // open: the readers are left to finish on their own.
    let (stdout, stderr) = match outcome {
        Outcome::TimedOut(_) => ("(killed)".to_owned(), "(killed)".to_owned()),
        Outcome::Exited(_) => {
            let (out, err) = run.output();
            (
                String::from_utf8_lossy(&out).into_owned(),
                String::from_utf8_lossy(&err).into_owned(),
            )
        }
    };
    let report = match &outcome {
        Outcome::TimedOut(_) => Err("killed before it exited".to_owned()),
        Outcome::Exited(_) => match std::fs::read_to_string(&report_path) {
            Ok(json) => ExitReport::parse(&json).map_err(|e| {
                let head: String = json.chars().take(300).collect();
                format!("unreadable report ({e}): {head}")
            }),
            Err(e) => Err(format!(
                "no exit report ({e}): the program died before exit"
            )),
        },
    };
    ProgramRun {
        outcome,
        stdout,
        stderr,
        report,
        elapsed,
    }
}

/// The `compiler-artifact` messages of `cargo build --message-format json`.
fn artifacts(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("reason").and_then(Value::as_str) == Some("compiler-artifact"))
        .collect()
}

/// Runs a `cargo build` and returns its artifacts, or cargo's stderr.
fn cargo_build(mut cmd: Command) -> Result<Vec<Value>, String> {
    cmd.arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null());
    let description = format!("{cmd:?}");
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {description}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{description} failed with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(artifacts(&String::from_utf8_lossy(&output.stdout)))
}

/// Builds `tapi-sim`'s cdylib into `target_dir`; returns the directory that
/// holds `libtapi_sim.so`.
pub fn build_simulator(root: &Path, target_dir: &Path) -> Result<PathBuf, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "tapi-sim", "--lib", "--target-dir"])
        .arg(target_dir);
    let artifacts = cargo_build(cmd)?;
    artifacts
        .iter()
        .filter(|a| a.pointer("/target/name").and_then(Value::as_str) == Some("tapi_sim"))
        .flat_map(|a| a["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libtapi_sim.") && !n.ends_with(".rlib"))
        })
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .ok_or_else(|| "cargo reported no libtapi_sim shared library".to_owned())
}

/// The bin targets among `artifacts`: (name, executable, source file).
fn executables(artifacts: &[Value]) -> Vec<(String, PathBuf, PathBuf)> {
    artifacts
        .iter()
        .filter(|a| {
            a.pointer("/target/kind")
                .and_then(Value::as_array)
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|a| {
            Some((
                a.pointer("/target/name")?.as_str()?.to_owned(),
                PathBuf::from(a.get("executable")?.as_str()?),
                PathBuf::from(a.pointer("/target/src_path")?.as_str()?),
            ))
        })
        .collect()
}

/// Builds every bin of the fixtures package against the simulator in
/// `lib_dir` (`fixtures/build.rs` links it when `TAPI_SIM_LIB_DIR` is set).
pub fn build_fixture_package(
    root: &Path,
    target_dir: &Path,
    lib_dir: &Path,
) -> Result<Vec<Program>, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "tapi-fixtures", "--bins", "--target-dir"])
        .arg(target_dir)
        .env("TAPI_SIM_LIB_DIR", lib_dir);
    let mut programs: Vec<Program> = executables(&cargo_build(cmd)?)
        .into_iter()
        .map(|(name, executable, src)| Program {
            name,
            executable,
            files: vec![key_of(&src, root)],
        })
        .collect();
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(programs)
}

/// Builds the standalone fixture crate in `crate_dir` against the
/// simulator in `lib_dir`. These packages have no build script of their
/// own, so the link flags go through `RUSTFLAGS` (which is also why they
/// get their own target directory).
pub fn build_fixture_crate(
    root: &Path,
    crate_dir: &Path,
    target_dir: &Path,
    lib_dir: &Path,
) -> Result<Vec<Program>, String> {
    let lib = lib_dir.display();
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--bins", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .env(
            "RUSTFLAGS",
            format!("-L native={lib} -l dylib=tapi_sim -C link-arg=-Wl,-rpath,{lib}"),
        );
    let files: Vec<String> = crate::rust_files_under(crate_dir)
        .iter()
        .map(|p| key_of(p, root))
        .collect();
    let crate_name = crate_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(executables(&cargo_build(cmd)?)
        .into_iter()
        .map(|(name, executable, _)| Program {
            name: if name == crate_name {
                format!("crate {crate_name}")
            } else {
                format!("crate {crate_name} ({name})")
            },
            executable,
            files: files.clone(),
        })
        .collect())
}

/// The workspace's target directory (`cargo metadata`'s, so
/// `CARGO_TARGET_DIR` and config are honoured).
pub fn target_directory(root: &Path) -> Result<PathBuf, String> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    metadata
        .get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata has no target_directory".to_owned())
}

/// `TAPI_SIM_FAIL` for one failure.
pub fn fail_spec(function: &str, occurrence: u64, code: i32) -> String {
    format!("{function}:{occurrence}:{code}")
}

/// The fixture crates (directories with a `Cargo.toml` under
/// `fixtures/crates`), sorted.
pub fn fixture_crates(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/crates"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.toml").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Rows of a plain text table, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone()));
        out.push('\n');
    }
    out
}

/// Counts per key, for summaries.
pub fn tally<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_simulators_exit_report() {
        let report = ExitReport::parse(
            r#"{"held":[{"kind":"Line","handle":33554434,"function":"lineOpenW","occurrence":2,
                "parent":{"kind":"LineApp","handle":16777217}},
               {"kind":"LineApp","handle":16777217,"function":"lineInitializeExW","occurrence":1,"parent":null}],
               "acquisitions":[{"function":"lineOpenW","occurrence":2,"result":-2147483573}],
               "calls":{"lineOpenW":2,"lineGetMessage":7}}"#,
        )
        .unwrap();
        assert_eq!(
            report.held[0],
            HeldResource {
                kind: "Line".into(),
                handle: 33554434,
                function: "lineOpenW".into(),
                occurrence: 2,
                parent: Some(("LineApp".into(), 16777217)),
            }
        );
        assert_eq!(report.held[1].parent, None);
        assert_eq!(
            report.acquisitions,
            vec![AcquiringCall {
                function: "lineOpenW".into(),
                occurrence: 2,
                result: -2147483573
            }]
        );
        assert_eq!(report.calls["lineGetMessage"], 7);
        assert!(ExitReport::parse("{}").is_err());
        assert!(
            ExitReport::parse(r#"{"held":[{"kind":1}],"acquisitions":[],"calls":{}}"#).is_err()
        );
        assert!(ExitReport::parse(r#"{"held":[],"acquisitions":[]}"#).is_err());
    }

    #[test]
    fn formats_a_table() {
        let t = table(
            &["fixture", "runs"],
            &[
                vec!["a".into(), "10".into()],
                vec!["long name".into(), "2".into()],
            ],
        );
        assert_eq!(
            t,
            "fixture    runs\n---------------\na            10\nlong name     2\n"
        );
        assert_eq!(fail_spec("lineOpenW", 2, -5), "lineOpenW:2:-5");
    }

    #[cfg(unix)]
    #[test]
    fn a_run_that_hangs_is_killed_and_one_without_a_report_says_so() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            Program {
                name: name.into(),
                executable: path,
                files: vec![],
            }
        };
        let hangs = script("hangs", "sleep 30 & exec sleep 30");
        let run = run_program(&hangs, &[], dir.path(), Duration::from_millis(300));
        assert!(
            matches!(run.outcome, Outcome::TimedOut(_)),
            "{:?}",
            run.outcome
        );
        assert!(run.elapsed < Duration::from_secs(20));
        assert!(run.report.is_err());

        let silent = script("silent", "echo out; exit 3");
        let run = run_program(
            &silent,
            &[("X", "1".into())],
            dir.path(),
            Duration::from_secs(20),
        );
        assert!(matches!(run.outcome, Outcome::Exited(s) if s.code() == Some(3)));
        assert_eq!(run.stdout, "out\n");
        assert!(run.report.unwrap_err().contains("no exit report"));

        let reports = script(
            "reports",
            r#"echo '{"held":[],"acquisitions":[],"calls":{}}' > "$TAPI_SIM_REPORT""#,
        );
        let run = run_program(&reports, &[], dir.path(), Duration::from_secs(20));
        assert_eq!(run.report, Ok(ExitReport::default()));
    }
}
