//! Static against dynamic: every resource a fixture program really leaks
//! must be one the analyzer reports.
//!
//! The fixture programs (the bins of the fixtures package and the
//! standalone crates under `fixtures/crates`) are built against the TAPI
//! simulator (`tapi-sim`, see `tests/src/dynamic.rs`) and run: once
//! normally, then once with each acquiring call of the normal run failing
//! in turn (`TAPI_SIM_FAIL`, `LINEERR_RESOURCEUNAVAIL` or
//! `PHONEERR_RESOURCEUNAVAIL` by family), so that error paths run too.
//! Most leaks hide behind a failing query or wait (`?` on
//! `lineGetDevCaps`, a `break` when `lineGetMessage` fails), so every other
//! function the normal run called that neither acquires nor releases also
//! fails, at its first and at its last call (`…ERR_OPERATIONFAILED`, or
//! `TAPIERR_REQUESTFAILED`). Releases never fail: a release counts as one
//! whatever it returns (spec §1), so a failed one would be no leak.
//! Each run is in virtual time, with an outside world that calls in, hangs
//! up and lifts handsets (`TAPI_SIM_WORLD`), under a timeout, with stdin
//! closed. The simulator's exit report lists what the program still held
//! when it exited. A resource of kind K held at exit counts as reported if
//! the analyzer reported a leak lint for K, or for one of K's ancestors
//! (`ResourceKind::parents`, transitively: a leaked line app takes its
//! lines and their calls with it), anywhere in that fixture's files.
//!
//! A run that ends in a panic (the process exits with Rust's panic status,
//! 101, after "panicked at") is not a leak path by the contract (spec §2:
//! "A path that ends in a panic ... is not a leak path"): what it held is
//! counted apart, not compared.
//!
//! The test fails on any run-time leak the analyzer did not report, on a
//! program that cannot run (it hangs, or dies without its exit report)
//! unless listed in [`CANNOT_RUN`] with the reason, and on an injected
//! failure that did not strike (the program took another path: it is not
//! deterministic, and the comparison would mean nothing).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tapi_lint::lints::leak_lint;
use tapi_lint_tests::dynamic::{
    ExitReport, HeldResource, Outcome, Program, ProgramRun, build_fixture_crate,
    build_fixture_package, build_simulator, fail_spec, fixture_crates, run_program, table,
    target_directory,
};
use tapi_lint_tests::{
    analyzer_bin, parse_stream, plan_runs, resolve_file, run_analyzer, workspace_root,
};
use tapi_model::{Effect, ResourceKind};
use windows_sys::Win32::Devices::Tapi::{
    LINEERR_OPERATIONFAILED, LINEERR_RESOURCEUNAVAIL, PHONEERR_OPERATIONFAILED,
    PHONEERR_RESOURCEUNAVAIL, TAPIERR_REQUESTFAILED,
};

/// Fixture programs that cannot run under the simulator, with the reason.
/// Every one can today.
const CANNOT_RUN: &[(&str, &str)] = &[];

/// Events the outside world offers each app: enough for the longest
/// serving loop among the fixtures (ten answered calls), few enough that a
/// pump waiting for "nothing more" ends.
const WORLD_EVENTS: &str = "60";

/// Per run. Under virtual time a run takes milliseconds; this only catches
/// a program that spins.
const RUN_TIMEOUT: Duration = Duration::from_secs(20);

fn kind_named(name: &str) -> Option<ResourceKind> {
    ResourceKind::ALL
        .iter()
        .copied()
        .find(|k| format!("{k:?}") == name)
}

/// `kind` and every kind whose release ends it implicitly.
fn kind_and_ancestors(kind: ResourceKind) -> BTreeSet<ResourceKind> {
    let mut out = BTreeSet::from([kind]);
    let mut todo = vec![kind];
    while let Some(k) = todo.pop() {
        for &p in k.parents() {
            if out.insert(p) {
                todo.push(p);
            }
        }
    }
    out
}

/// What another call fails with: "operation failed", in its family.
fn other_failure_code(function: &str) -> i32 {
    if function.starts_with("phone") {
        PHONEERR_OPERATIONFAILED as i32
    } else if function.starts_with("tapi") {
        TAPIERR_REQUESTFAILED
    } else {
        LINEERR_OPERATIONFAILED as i32
    }
}

/// Whether a call of `function` neither acquires nor releases (then it
/// may fail in a run of its own).
fn neither_acquires_nor_releases(function: &str) -> bool {
    tapi_model::function(function).is_some_and(|f| matches!(f.effect, Effect::None))
}

/// What an acquiring call fails with: "resources unavailable", in the
/// family of what it acquires.
fn injected_code(function: &str) -> i32 {
    let kind = tapi_model::function(function).and_then(|f| match f.effect {
        Effect::Acquire { creates, .. } => creates.first().map(|c| c.kind),
        Effect::Registration { .. } => Some(ResourceKind::RequestRecipient),
        _ => None,
    });
    match kind {
        Some(ResourceKind::PhoneApp | ResourceKind::Phone) => PHONEERR_RESOURCEUNAVAIL as i32,
        _ => LINEERR_RESOURCEUNAVAIL as i32,
    }
}

/// A leak finding: its kind and where (`file:line`).
#[derive(Clone, Debug)]
struct Reported {
    kind: ResourceKind,
    lint: String,
    at: String,
}

/// Runs the analyzer over the fixtures package and crates; the leak
/// findings per fixture file.
fn analyzer_leaks() -> (BTreeMap<String, Vec<Reported>>, Duration) {
    let root = workspace_root();
    let started = Instant::now();
    analyzer_bin();
    let lint_kinds: BTreeMap<String, ResourceKind> = ResourceKind::ALL
        .iter()
        .map(|&k| (leak_lint(k).code(), k))
        .collect();
    let runs = plan_runs(root);
    let known: BTreeSet<String> = runs.iter().flat_map(|r| r.files.iter().cloned()).collect();
    let mut leaks: BTreeMap<String, Vec<Reported>> = BTreeMap::new();
    // The loose TAPI 3 files are source only: no program to run.
    for run in runs.iter().filter(|r| r.package) {
        let output = run_analyzer(&run.args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stream =
            parse_stream(&stdout).unwrap_or_else(|e| panic!("analyzer run `{}`: {e}", run.name));
        let bases: Vec<&str> = run.bases.iter().map(String::as_str).collect();
        for finding in stream.findings {
            let Some(&kind) = lint_kinds.get(&finding.lint) else {
                continue;
            };
            let file = resolve_file(&finding.file, root, &bases, &known);
            leaks.entry(file.clone()).or_default().push(Reported {
                kind,
                lint: finding.lint,
                at: format!("{file}:{}", finding.line),
            });
        }
    }
    (leaks, started.elapsed())
}

/// Which run of a program: the normal one, or one call failing.
#[derive(Clone, Debug)]
enum Variant {
    Normal,
    Failing {
        function: String,
        occurrence: u64,
        code: i32,
        /// An acquiring call (else one that neither acquires nor releases).
        acquiring: bool,
    },
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Variant::Normal => f.write_str("normal run"),
            Variant::Failing {
                function,
                occurrence,
                code,
                ..
            } => write!(f, "{function} call #{occurrence} failing with {code:#x}"),
        }
    }
}

struct Observed {
    variant: Variant,
    run: ProgramRun,
}

/// The normal run of `program`, then one per acquiring call of it, then
/// one per first and last call of each other function it called that
/// neither acquires nor releases.
fn run_all(program: &Program, scratch: &std::path::Path) -> Vec<Observed> {
    let env = |fail: Option<String>| {
        let mut env = vec![
            ("TAPI_SIM_VIRTUAL_TIME", "1".to_owned()),
            ("TAPI_SIM_WORLD", WORLD_EVENTS.to_owned()),
        ];
        env.extend(fail.map(|f| ("TAPI_SIM_FAIL", f)));
        env
    };
    let normal = run_program(program, &env(None), scratch, RUN_TIMEOUT);
    let report = normal.report.clone().unwrap_or_default();
    let mut failures: Vec<(String, u64, i32, bool)> = report
        .acquisitions
        .iter()
        .map(|a| {
            (
                a.function.clone(),
                a.occurrence,
                injected_code(&a.function),
                true,
            )
        })
        .collect();
    for (function, &count) in &report.calls {
        if neither_acquires_nor_releases(function) {
            let code = other_failure_code(function);
            let occurrences = BTreeSet::from([1, count]);
            failures.extend(
                occurrences
                    .into_iter()
                    .map(|n| (function.clone(), n, code, false)),
            );
        }
    }
    let mut observed = vec![Observed {
        variant: Variant::Normal,
        run: normal,
    }];
    for (function, occurrence, code, acquiring) in failures {
        let spec = fail_spec(&function, occurrence, code);
        observed.push(Observed {
            variant: Variant::Failing {
                function,
                occurrence,
                code,
                acquiring,
            },
            run: run_program(program, &env(Some(spec)), scratch, RUN_TIMEOUT),
        });
    }
    observed
}

/// Why a run says nothing, if it does not.
fn unusable(run: &ProgramRun) -> Option<String> {
    let tail = |s: &str| s.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
    match (&run.outcome, &run.report) {
        (Outcome::TimedOut(limit), _) => Some(format!(
            "did not exit within {limit:?} (killed); last output: {}",
            tail(&run.stdout)
        )),
        (Outcome::Exited(status), Err(e)) => Some(format!(
            "{e} (exit: {status}); stderr: {}",
            tail(&run.stderr)
        )),
        (Outcome::Exited(_), Ok(_)) => None,
    }
}

fn describe(h: &HeldResource) -> String {
    let parent = match &h.parent {
        Some((kind, handle)) => format!(", child of {kind} {handle:#x}"),
        None => String::new(),
    };
    format!(
        "{} {:#x} (from {} call #{}{parent})",
        h.kind, h.handle, h.function, h.occurrence
    )
}

/// Whether the program ended by panicking in its main thread.
fn panicked(run: &ProgramRun) -> bool {
    matches!(run.outcome, Outcome::Exited(status) if status.code() == Some(101))
        && run.stderr.contains("panicked at")
}

#[derive(Default)]
struct Row {
    runs: usize,
    normal: usize,
    acquiring: usize,
    other: usize,
    panics: usize,
    leaks: usize,
    reported: usize,
    missed: usize,
}

#[test]
fn every_leak_seen_at_run_time_is_reported_by_the_analyzer() {
    let started = Instant::now();
    let root = workspace_root();

    // Build the simulator and the programs, apart from normal builds.
    let target = target_directory(root)
        .unwrap_or_else(|e| panic!("{e}"))
        .join("tapi-sim-runs");
    let lib_dir = build_simulator(root, &target).unwrap_or_else(|e| panic!("{e}"));
    let mut programs =
        build_fixture_package(root, &target, &lib_dir).unwrap_or_else(|e| panic!("{e}"));
    for dir in fixture_crates(root) {
        let built = build_fixture_crate(root, &dir, &target.join("crates"), &lib_dir)
            .unwrap_or_else(|e| panic!("{e}"));
        programs.extend(built);
    }
    assert!(
        programs.len() > 50,
        "only {} fixture programs were built",
        programs.len()
    );
    let build_time = started.elapsed();

    let (leaks, analyzer_time) = analyzer_leaks();

    // Run every program in all its variants, two at a time.
    let run_started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<Observed>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let scratch = tempfile::tempdir().expect("scratch directory");
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(program) = programs.get(i) else {
                        break;
                    };
                    let observed = run_all(program, scratch.path());
                    results.lock().unwrap().push((i, observed));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let run_time = run_started.elapsed();

    // Compare.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut total = Row::default();
    let mut missed: Vec<String> = Vec::new();
    let mut cannot_run: Vec<String> = Vec::new();
    let mut not_struck: Vec<String> = Vec::new();
    let mut expected_not_running: BTreeSet<&str> = BTreeSet::new();
    for (i, observed) in &results {
        let program = &programs[*i];
        let reported: Vec<&Reported> = program
            .files
            .iter()
            .filter_map(|f| leaks.get(f))
            .flatten()
            .collect();
        let reported_kinds: BTreeSet<ResourceKind> = reported.iter().map(|r| r.kind).collect();
        let what_was_reported = if reported.is_empty() {
            "no leak".to_owned()
        } else {
            reported
                .iter()
                .map(|r| format!("{} at {}", r.lint, r.at))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut row = Row::default();
        let excuse = CANNOT_RUN.iter().find(|(name, _)| *name == program.name);
        for o in observed {
            row.runs += 1;
            if let Some(why) = unusable(&o.run) {
                match excuse {
                    Some((name, _)) => {
                        expected_not_running.insert(name);
                    }
                    None => cannot_run.push(format!("{} ({}): {why}", program.name, o.variant)),
                }
                continue;
            }
            let report: &ExitReport = o.run.report.as_ref().expect("checked above");
            let struck = match &o.variant {
                Variant::Normal => true,
                Variant::Failing {
                    function,
                    occurrence,
                    code,
                    acquiring: true,
                } => report.acquisitions.iter().any(|a| {
                    a.function == *function
                        && a.occurrence == *occurrence
                        && a.result == i64::from(*code)
                }),
                Variant::Failing {
                    function,
                    occurrence,
                    acquiring: false,
                    ..
                } => report.calls.get(function).is_some_and(|n| n >= occurrence),
            };
            match &o.variant {
                Variant::Normal => row.normal += 1,
                Variant::Failing {
                    acquiring: true, ..
                } => row.acquiring += 1,
                Variant::Failing { .. } => row.other += 1,
            }
            if !struck {
                not_struck.push(format!(
                    "{} ({}): the program did not make that call this time",
                    program.name, o.variant
                ));
            }
            if panicked(&o.run) {
                row.panics += 1;
                continue;
            }
            for held in &report.held {
                row.leaks += 1;
                let Some(kind) = kind_named(&held.kind) else {
                    missed.push(format!(
                        "{}: {}: unknown resource kind in the exit report: {}",
                        program.name,
                        o.variant,
                        describe(held)
                    ));
                    row.missed += 1;
                    continue;
                };
                if kind_and_ancestors(kind)
                    .iter()
                    .any(|k| reported_kinds.contains(k))
                {
                    row.reported += 1;
                } else {
                    row.missed += 1;
                    missed.push(format!(
                        "{} ({}): {} still held at exit ({}), but the analyzer reported {} in {}",
                        program.name,
                        o.variant,
                        describe(held),
                        leak_lint(kind).code(),
                        what_was_reported,
                        program.files.join(", ")
                    ));
                }
            }
        }
        total.runs += row.runs;
        total.normal += row.normal;
        total.acquiring += row.acquiring;
        total.other += row.other;
        total.panics += row.panics;
        total.leaks += row.leaks;
        total.reported += row.reported;
        total.missed += row.missed;
        rows.push(vec![
            program.name.clone(),
            row.runs.to_string(),
            row.panics.to_string(),
            row.leaks.to_string(),
            row.reported.to_string(),
            row.missed.to_string(),
        ]);
    }
    rows.push(vec![
        format!("total: {} fixtures", programs.len()),
        total.runs.to_string(),
        total.panics.to_string(),
        total.leaks.to_string(),
        total.reported.to_string(),
        total.missed.to_string(),
    ]);
    for (name, why) in CANNOT_RUN {
        if !expected_not_running.contains(name) {
            cannot_run.push(format!(
                "{name} is listed in CANNOT_RUN ({why}) but ran: take it off the list"
            ));
        }
    }

    let summary = format!(
        "static vs dynamic: {} fixture programs, {} runs ({} normal, {} with an acquiring call \
         failing, {} with another call failing; {} ended in a panic), {} run-time leaks, {} \
         reported by the analyzer, {} missed\n\n{}\nbuild {:.1}s, analyzer {:.1}s, runs {:.1}s ({} workers), \
         total {:.1}s",
        programs.len(),
        total.runs,
        total.normal,
        total.acquiring,
        total.other,
        total.panics,
        total.leaks,
        total.reported,
        total.missed,
        table(
            &[
                "fixture",
                "runs",
                "ended in panic",
                "run-time leaks",
                "reported",
                "missed"
            ],
            &rows
        ),
        build_time.as_secs_f64(),
        analyzer_time.as_secs_f64(),
        run_time.as_secs_f64(),
        workers,
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");

    let mut problems = String::new();
    let mut section = |title: &str, items: &[String]| {
        if !items.is_empty() {
            problems.push_str(&format!("\n{title} ({}):\n", items.len()));
            for item in items {
                problems.push_str(&format!("  - {item}\n"));
            }
        }
    };
    section("run-time leaks the analyzer did not report", &missed);
    section("fixture programs that could not run", &cannot_run);
    section("injected failures that did not strike", &not_struck);
    assert!(problems.is_empty(), "{summary}\n{problems}");
}

/// The pieces of the comparison, on their own.
#[test]
fn ancestors_and_injected_codes() {
    assert_eq!(
        kind_and_ancestors(ResourceKind::Call),
        BTreeSet::from([
            ResourceKind::Call,
            ResourceKind::Line,
            ResourceKind::LineApp
        ])
    );
    assert_eq!(
        kind_and_ancestors(ResourceKind::Phone),
        BTreeSet::from([
            ResourceKind::Phone,
            ResourceKind::PhoneApp,
            ResourceKind::Tapi
        ])
    );
    assert_eq!(
        kind_and_ancestors(ResourceKind::LineApp),
        BTreeSet::from([ResourceKind::LineApp])
    );
    assert_eq!(injected_code("phoneOpen"), PHONEERR_RESOURCEUNAVAIL as i32);
    assert_eq!(
        injected_code("phoneInitializeExW"),
        PHONEERR_RESOURCEUNAVAIL as i32
    );
    assert_eq!(
        injected_code("lineMakeCallW"),
        LINEERR_RESOURCEUNAVAIL as i32
    );
    assert_eq!(
        injected_code("lineRegisterRequestRecipient"),
        LINEERR_RESOURCEUNAVAIL as i32
    );
    assert_eq!(
        kind_named("RequestRecipient"),
        Some(ResourceKind::RequestRecipient)
    );
    assert_eq!(kind_named("Nothing"), None);
}
