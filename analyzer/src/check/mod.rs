//! Checking: resolves names across a crate and runs the typestate analysis
//! over every body, in parallel.
//!
//! Before the bodies are checked, the crate's helpers that turn a TAPI
//! return code into a `Result`, `Option` or `bool` are summarised by running
//! the same analysis on them once per class of code (zero, positive,
//! negative), so `check(lineOpenW(..))?` is understood.

mod com;
mod findings;
mod graph;
mod incremental;
mod interp;
mod liveness;
mod program;
mod suggest;
mod summary;
mod world;

use rayon::prelude::*;

use crate::config::Wrappers;
use crate::diagnostic::Finding;
use crate::ir::{Body, BodyKind, Call, Callee, CrateIr, Stmt};
use crate::source::SourceMap;

pub use incremental::CheckMemo;
use interp::{Interp, Mappers, Mode};
use program::Program;
use world::{CodeClass, Mapper, Val};

/// Every finding in one crate, before lint levels are applied.
pub fn check_crate(krate: &CrateIr, sources: &SourceMap) -> Vec<Finding> {
    check_crate_with(krate, sources, &Wrappers::default())
}

/// [`check_crate`], with the program's own FFI shims from the
/// configuration treated as TAPI functions.
pub fn check_crate_with(krate: &CrateIr, sources: &SourceMap, wrappers: &Wrappers) -> Vec<Finding> {
    check(krate, sources, wrappers, false).0
}

/// [`check_crate_with`], and the crate's call graph as DOT (`--emit
/// call-graph`) drawn from the same summaries.
pub fn check_crate_and_graph(
    krate: &CrateIr,
    sources: &SourceMap,
    wrappers: &Wrappers,
) -> (Vec<Finding>, String) {
    let (findings, dot) = check(krate, sources, wrappers, true);
    (findings, dot.unwrap_or_default())
}

fn check(
    krate: &CrateIr,
    sources: &SourceMap,
    wrappers: &Wrappers,
    draw: bool,
) -> (Vec<Finding>, Option<String>) {
    let program = Program::new(krate, wrappers);
    // Only bodies that call TAPI, or functions that hand resources around,
    // can acquire, release, use or mis-test anything; a crate with none
    // costs nothing more to check.
    if !program
        .bodies
        .par_iter()
        .any(|(module, body)| calls_tapi(&program, module, body))
    {
        // Summaries only for the picture (which then shows no resource).
        let dot = draw.then(|| {
            let summaries = summary::compute(&program, &Mappers::new());
            graph::call_graph_dot(&krate.name, &program, &summaries, &[])
        });
        return (Vec::new(), dot);
    }
    let mappers = summarize_mappers(&program);
    let summaries = summary::compute(&program, &mappers);
    let mut out: Vec<Finding> = (0..program.functions.len())
        .into_par_iter()
        .flat_map_iter(|i| check_function(&program, i, &mappers, &summaries, sources))
        .collect();
    sort_findings(&mut out);
    let dot = draw.then(|| graph::call_graph_dot(&krate.name, &program, &summaries, &out));
    (out, dot)
}

/// The findings in function `i`, once every summary is known.
fn check_function(
    program: &Program,
    i: usize,
    mappers: &Mappers,
    summaries: &[Option<summary::Summary>],
    sources: &SourceMap,
) -> Vec<Finding> {
    let f = &program.functions[i];
    // Only the crate's own code: a library read for it is reported when
    // the library itself is checked.
    let own = f.module.first().is_some_and(|m| m == "crate");
    if !own
        || !(calls_tapi(program, f.module, f.body)
            || summary::touches_tapi(program, f.index, summaries))
    {
        return Vec::new();
    }
    let outcome = Interp::new(program, f.module, f.body, mappers, summaries, Mode::Check).run();
    findings::build(program, f.module, f.body, outcome, sources)
}

fn sort_findings(out: &mut [Finding]) {
    out.sort_by_key(|f| (f.primary.span, f.lint.name));
}

pub(super) fn calls_tapi(program: &Program, module: &[String], body: &Body) -> bool {
    body.cfg
        .node_weights()
        .flat_map(|b| &b.stmts)
        .any(|s| match s {
            Stmt::Call(call) => is_tapi_call(program, module, body, call),
            _ => false,
        })
}

/// A call of a TAPI 2 function or a TAPI 3 method.
pub(super) fn is_tapi_call(program: &Program, module: &[String], body: &Body, call: &Call) -> bool {
    match &call.callee {
        Callee::Path { path, .. } => program
            .resolver
            .resolve(module, path)
            .is_some_and(|c| program.tapi_function(&c).is_some()),
        Callee::Method { name, .. } => com::method(program, module, body, call, name).is_some(),
        _ => false,
    }
}

/// Whether a parameter is declared with an integer type, as a return code is.
fn is_integer_param(body: &Body, param: usize) -> bool {
    let ty = body
        .params
        .get(param)
        .and_then(|p| body.locals[p.local.0 as usize].ty.as_deref());
    matches!(
        ty,
        Some("i32" | "u32" | "i64" | "u64" | "isize" | "usize" | "LONG" | "HRESULT" | "DWORD")
    )
}

/// Finds the free functions that map a return code to a result.
fn summarize_mappers(program: &Program) -> Mappers {
    (0..program.bodies.len())
        .into_par_iter()
        .flat_map_iter(|i| mappers_in(program, i))
        .collect()
}

/// A helper mapping one of its parameters, a return code, to a result.
type MapperEntry = ((Vec<String>, usize), Mapper);

/// The mappers body `i` of the program is (one per integer parameter that
/// it maps), learned from the body alone.
fn mappers_in(program: &Program, i: usize) -> Vec<MapperEntry> {
    let (module, body) = program.bodies[i];
    if !(body.kind == BodyKind::Fn && !body.params.is_empty() && body.params.len() <= 3) {
        return Vec::new();
    }
    let mut path = module.to_vec();
    path.push(body.name.clone());
    let empty = Mappers::new();
    (0..body.params.len())
        .filter(|j| is_integer_param(body, *j))
        .filter_map(|j| {
            let mut results: [Option<Val>; 3] = [None, None, None];
            for class in CodeClass::ALL {
                let mode = Mode::Summarize { param: j, class };
                let out = Interp::new(program, module, body, &empty, &[], mode).run();
                results[class as usize] = agreed_result(&out.returns);
            }
            let distinct: std::collections::BTreeSet<_> = results.iter().flatten().collect();
            (distinct.len() >= 2).then(|| ((path.clone(), j), Mapper { results }))
        })
        .collect()
}

/// The variant or boolean every return agrees on, if they agree.
fn agreed_result(returns: &[Val]) -> Option<Val> {
    let first = returns.first()?;
    let keep = matches!(first, Val::Variant(_) | Val::Bool(_));
    (keep && returns.iter().all(|r| r == first)).then(|| first.clone())
}

#[cfg(test)]
mod tests;
