//! Function summaries: what a crate function does to the resources it is
//! given and what it hands back, so calls to it can be analyzed without
//! re-analyzing its body.
//!
//! A summary comes from running the interpreter on the callee with each
//! parameter bound to a symbolic value (`Val::Param`), once, and reading
//! what every normal return left behind. Summaries are computed bottom-up
//! over the strongly connected components of the call graph, iterating
//! inside recursion until they stop changing.

use std::collections::BTreeSet;

use petgraph::algo::tarjan_scc;
use tapi_model::ResourceKind;

use super::interp::{Interp, Mappers, Mode};
use super::program::Program;
use super::world::{ResId, SuccessClass};
use crate::diagnostic::Label;
use crate::ir::{Proj, Rvalue, Stmt};
use crate::source::Span;

/// Where a handed-out resource ends up, relative to the callee's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Inside the return value, at this path (`[Variant(Ok, 0), Field(line)]`).
    Return(Vec<Proj>),
    /// Written through parameter `j`, at this path below it.
    Param(usize, Vec<Proj>),
}

/// A resource the callee acquires and hands to its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handed {
    /// Which resource of the callee it is: one resource can be handed out
    /// in several places (returned and stored in a static).
    pub id: u32,
    pub kind: ResourceKind,
    pub to: Place,
    /// Handed out only when the callee returns `Ok`/`Some`.
    pub when_ok: bool,
    /// Handed out only when the TAPI return code the callee passes back
    /// means success (`fn open(&mut self) -> i32 { lineOpenW(..) }`).
    pub when_code: Option<SuccessClass>,
    /// Its parent, as a parameter path (`open_line(app)`: parameter 0).
    pub parent: Option<(usize, Vec<Proj>)>,
    /// The TAPI function that acquired it, at the end of the chain.
    pub function: &'static str,
    /// Where it was acquired inside the callee (and its callees).
    pub chain: Vec<Label>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Parameter paths released on every normal return.
    pub releases: Vec<(usize, Vec<Proj>)>,
    /// Parameter paths released exactly when the callee returns `Ok`/`Some`
    /// (and kept when it returns `Err`/`None`).
    pub releases_when_ok: Vec<(usize, Vec<Proj>)>,
    /// Parameter paths the callee takes over: stored where the caller cannot
    /// see, or released on some paths only.
    pub takes: Vec<(usize, Vec<Proj>)>,
    pub handed: Vec<Handed>,
    /// The function returns what the caller passed at this path (an
    /// accessor such as `fn app(&self) -> u32 { self.app }`).
    pub returns_param: Option<ParamPath>,
    /// The function never returns normally: every path exits the process
    /// or panics.
    pub never_returns: Option<Ending>,
    /// Parameter paths it leaves holding 0 (`*line = 0` after a close).
    pub zeroes: Vec<ParamPath>,
    /// A placeholder for a member of a recursive cycle not summarised yet.
    pub pending: bool,
    /// Where the caller's own values come back in the return value
    /// (`Err((station, rc))`): a return path and the parameter path.
    pub passthrough: Vec<(Vec<Proj>, ParamPath)>,
}

/// How a function that never returns ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `process::exit` on some path (what is held leaks).
    Exit,
    /// Only panics (not a leak path).
    Panic,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
            && self.releases_when_ok.is_empty()
            && self.takes.is_empty()
            && self.handed.is_empty()
            && self.returns_param.is_none()
            && self.never_returns.is_none()
            && self.zeroes.is_empty()
            && !self.pending
            && self.passthrough.is_empty()
    }
}

/// A path below one of the callee's parameters.
pub type ParamPath = (usize, Vec<Proj>);

/// What one normal return of the callee left behind.
#[derive(Clone, Debug)]
pub struct ReturnSnapshot {
    /// The returned value's variant (`Ok|Some`, `Err|None`), when known.
    pub variant: Option<String>,
    /// Parameter paths and what happened to them on this path.
    pub params: Vec<(ParamPath, ParamFate, Option<Span>)>,
    /// Resources acquired in the callee and handed out on this path.
    pub handed: Vec<(ResId, Place, Option<ParamPath>)>,
    /// Handed resources whose existence still hangs on the returned code.
    pub code_conditional: Vec<(ResId, SuccessClass)>,
    /// The returned value, when it is what the caller passed.
    pub returned_param: Option<ParamPath>,
    /// Parameter paths holding 0 when it returns.
    pub zeroed: Vec<ParamPath>,
    /// The path went through a recursive call still being summarised.
    pub through_pending: bool,
    /// Parts of the return value that are the caller's own values.
    pub passthrough: Vec<(Vec<Proj>, ParamPath)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamFate {
    Released,
    Taken,
    Kept,
    /// The callee found it empty on this path (`None`, 0): nothing to do.
    Empty,
}

/// Summaries for every function of the program that touches TAPI, directly
/// or through the functions it calls; `None` for the rest (calls to them
/// are treated as handing ownership over).
pub fn compute(program: &Program, mappers: &Mappers) -> Vec<Option<Summary>> {
    let graph = program.call_graph();
    let mut summaries: Vec<Option<Summary>> = vec![None; program.functions.len()];
    // Tarjan yields components callees-first.
    for component in components(&graph) {
        summarize_component(program, &component, &mut summaries, mappers);
    }
    summaries
}

/// One strongly connected component of the call graph: its functions, and
/// whether they call each other (or one calls itself).
pub struct Component {
    pub members: Vec<usize>,
    pub recursive: bool,
}

/// The components of `graph` (from [`Program::call_graph`]), callees first.
pub fn components(graph: &petgraph::graph::DiGraph<usize, ()>) -> Vec<Component> {
    tarjan_scc(graph)
        .into_iter()
        .map(|scc| Component {
            members: scc.iter().map(|n| graph[*n]).collect(),
            recursive: scc.len() > 1 || graph.contains_edge(scc[0], scc[0]),
        })
        .collect()
}

/// Summarises the members of one component, given the summaries of the
/// components before it.
pub fn summarize_component(
    program: &Program,
    component: &Component,
    summaries: &mut [Option<Summary>],
    mappers: &Mappers,
) {
    let (members, recursive) = (&component.members, component.recursive);
    // A cycle whose members touch no resource outside it has nothing to
    // summarise. Asked before the pending placeholders exist, which would
    // make every recursive call look like one (and send a recursive parser
    // through the interpreter, rounds times).
    if recursive && !members.iter().any(|&i| touches_tapi(program, i, summaries)) {
        return;
    }
    if recursive {
        // Calls inside the cycle are left out of the first verdicts, so
        // that a release at the bottom of the recursion is found.
        for &i in members {
            summaries[i] = Some(Summary {
                pending: true,
                ..Summary::default()
            });
        }
    }
    for _round in 0..if recursive { 6 } else { 1 } {
        let mut changed = false;
        for &i in members {
            if !touches_tapi(program, i, summaries) {
                continue;
            }
            let s = summarize(program, i, summaries, mappers);
            if summaries[i].as_ref() != Some(&s) {
                summaries[i] = Some(s);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for &i in members {
        if summaries[i].as_ref().is_some_and(|s| s.pending) {
            summaries[i] = None;
        }
    }
}

/// Whether a function calls TAPI or a function whose summary says it does
/// something to resources.
pub fn touches_tapi(program: &Program, i: usize, summaries: &[Option<Summary>]) -> bool {
    let f = &program.functions[i];
    // Dropping a local whose `Drop` releases something is an implicit call.
    let drops = (0..f.body.locals.len()).any(|l| {
        program
            .local_type(f.module, f.body, crate::ir::LocalId(l as u32))
            .and_then(|ty| program.drop_impl(&ty))
            .is_some_and(|d| d != i && has_effects(summaries, d))
    });
    if drops {
        return true;
    }
    f.body
        .cfg
        .node_weights()
        .flat_map(|b| &b.stmts)
        .any(|s| match s {
            Stmt::Call(call) => {
                if super::is_tapi_call(program, f.module, f.body, call)
                    || exits_process(program, f.module, call)
                {
                    return true;
                }
                // `CELL.set(h)`, `ATOMIC.store(h, ..)`: a method on a static.
                if let crate::ir::Callee::Method { .. } = call.callee
                    && let Some(crate::ir::Operand::Ref { place, .. }) = call.args.first()
                    && program
                        .resolver
                        .resolve(f.module, path_of(place))
                        .is_some_and(|p| program.resolver.is_static(&p))
                {
                    return true;
                }
                program
                    .target(f.module, f.body, call)
                    .is_some_and(|j| has_effects(summaries, j))
            }
            // A closure written here runs from here (`get_or_init`, `spawn`).
            Stmt::Assign {
                value: Rvalue::Closure { body, .. },
                ..
            } => program
                .closure(f.body, *body)
                .is_some_and(|j| has_effects(summaries, j)),
            // Stores into a static hand a resource over to `main`.
            Stmt::Assign { place, .. } => program
                .resolver
                .resolve(f.module, path_of(place))
                .is_some_and(|p| program.resolver.is_static(&p)),
        })
}

/// The path of a place rooted at a named item (empty for locals).
fn path_of(place: &crate::ir::Place) -> &[String] {
    match &place.base {
        crate::ir::PlaceBase::Path(p) => p,
        crate::ir::PlaceBase::Local(_) => &[],
    }
}

/// A call of `process::exit`: a helper that makes it ends its callers' paths.
fn exits_process(program: &Program, module: &[String], call: &crate::ir::Call) -> bool {
    let crate::ir::Callee::Path { path, .. } = &call.callee else {
        return false;
    };
    program.resolver.resolve(module, path).is_some_and(|c| {
        let n = c.len();
        n >= 2 && c[n - 2] == "process" && matches!(c[n - 1].as_str(), "exit" | "abort")
    })
}

fn has_effects(summaries: &[Option<Summary>], j: usize) -> bool {
    summaries[j].as_ref().is_some_and(|s| !s.is_empty())
}

fn summarize(
    program: &Program,
    i: usize,
    summaries: &[Option<Summary>],
    mappers: &Mappers,
) -> Summary {
    let f = &program.functions[i];
    let name = f.key.last().cloned().unwrap_or_default();
    let out = Interp::new(program, f.module, f.body, mappers, summaries, Mode::Callee).run();
    let snaps = &out.snapshots;
    let mut summary = Summary::default();
    if snaps.is_empty() {
        // No normal return: the caller's path ends at the call. (A body the
        // analysis gave up on says nothing.)
        if !out.incomplete {
            summary.never_returns = Some(if out.exits_process {
                Ending::Exit
            } else {
                Ending::Panic
            });
        }
        return summary;
    }
    // Parameters: released on every return, or taken on some.
    // Paths through a recursive call still being summarised say nothing
    // about the parameters yet.
    let settled: Vec<&ReturnSnapshot> = snaps.iter().filter(|s| !s.through_pending).collect();
    if settled.is_empty() {
        // Every path went through the cycle: nothing is known yet.
        summary.pending = true;
        return summary;
    }
    let snaps_for_params: &[&ReturnSnapshot] = &settled;
    // In the order the callee releases them (a line before its app), by
    // where each release happens; untouched paths last.
    let mut ordered: Vec<(Option<Span>, ParamPath)> = snaps_for_params
        .iter()
        .flat_map(|s| s.params.iter().map(|(p, _, at)| (*at, p.clone())))
        .collect();
    ordered.sort_by_key(|(at, p)| (at.is_none(), *at, p.clone()));
    let mut paths: Vec<(usize, Vec<Proj>)> = Vec::new();
    for (_, p) in ordered {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    for p in paths {
        let fate = |s: &ReturnSnapshot| {
            s.params
                .iter()
                .find(|(q, _, _)| *q == p)
                .map(|(_, f, _)| *f)
                .unwrap_or(ParamFate::Kept)
        };
        // Paths where the callee found nothing there say nothing.
        let fates: BTreeSet<u8> = snaps_for_params
            .iter()
            .map(|s| fate(s) as u8)
            .filter(|f| *f != ParamFate::Empty as u8)
            .collect();
        // Released on every `Ok` return, kept on every `Err` one.
        let success = crate::lower::SUCCESS;
        let when_ok = snaps_for_params.iter().all(|s| {
            let f = fate(s);
            match s.variant.as_deref() {
                Some(v) if v == success => matches!(f, ParamFate::Released | ParamFate::Empty),
                Some(_) => matches!(f, ParamFate::Kept | ParamFate::Empty),
                None => false,
            }
        });
        if fates == BTreeSet::from([ParamFate::Released as u8]) {
            summary.releases.push(p);
        } else if when_ok && fates.contains(&(ParamFate::Released as u8)) {
            summary.releases_when_ok.push(p);
        } else if fates.iter().any(|f| *f != ParamFate::Kept as u8) {
            summary.takes.push(p);
        }
    }
    for s in snaps {
        for p in &s.passthrough {
            if !summary.passthrough.contains(p) {
                summary.passthrough.push(p.clone());
            }
        }
    }
    let mut zeroes: Vec<ParamPath> = snaps[0].zeroed.clone();
    zeroes.retain(|p| snaps.iter().all(|s| s.zeroed.contains(p)));
    summary.zeroes = zeroes;
    let first = snaps[0].returned_param.clone();
    if first.is_some() && snaps.iter().all(|s| s.returned_param == first) {
        summary.returns_param = first;
    }
    // Handed-out resources, with whether they come only with `Ok`.
    let mut seen: Vec<(ResId, &Place)> = Vec::new();
    for s in snaps {
        for (r, to, parent) in &s.handed {
            if seen.contains(&(*r, to)) {
                continue;
            }
            seen.push((*r, to));
            let site = &out.sites[r.0 as usize];
            let success = crate::lower::SUCCESS;
            let when_ok = snaps.iter().all(|t| {
                let handed_here = t.handed.iter().any(|(q, _, _)| q == r);
                match t.variant.as_deref() {
                    Some(v) if v == success => true,
                    Some(_) => !handed_here,
                    None => !handed_here,
                }
            }) && snaps.iter().any(|t| t.variant.as_deref() == Some(success));
            // Conditional on the returned code on every path that hands it out.
            let codes: BTreeSet<Option<SuccessClass>> = snaps
                .iter()
                .filter(|t| t.handed.iter().any(|(q, _, _)| q == r))
                .map(|t| {
                    t.code_conditional
                        .iter()
                        .find(|(q, _)| q == r)
                        .map(|(_, c)| *c)
                })
                .collect();
            let when_code = match codes.into_iter().collect::<Vec<_>>().as_slice() {
                [Some(c)] if !when_ok => Some(*c),
                _ => None,
            };
            let mut chain = site.chain.clone();
            chain.push(Label::new(
                site.span,
                format!(
                    "{} {} here, in `{name}`",
                    site.kind.noun(),
                    super::findings::acquired_verb(site.kind)
                ),
            ));
            summary.handed.push(Handed {
                id: r.0,
                kind: site.kind,
                to: to.clone(),
                when_ok,
                when_code,
                parent: parent.clone(),
                function: site.function,
                chain,
            });
        }
    }
    summary
}
