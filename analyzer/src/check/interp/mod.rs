//! The typestate analysis of one body: abstract interpretation over sets
//! of [`World`]s, path-sensitive on return codes, handle values, variants
//! and collection emptiness.
//!
//! This module holds the state and the worklist over blocks; its children
//! hold the transfer functions: `values` (places and rvalues), `calls`
//! (crate functions through summaries, closures, library methods), `tapi`
//! (TAPI 2 functions and TAPI 3 methods), `exits` (returns, drops, leaks,
//! snapshots for summaries), `branches` (refinement) and `known` (what
//! names, constants and casts mean).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use petgraph::graph::NodeIndex;
use tapi_model::{Effect, ParentSlot, ResourceKind, Slot, Success};

use super::program::{Program, STATIC_BASE};
use super::summary::{self, ParamFate, ReturnSnapshot, Summary};
use super::world::{
    CodeClass, EvId, Mapper, Outcome, Pred, ResId, ResState, Site, Status, SuccessClass, Val, World,
};
use crate::ir::{
    AggregateKind, Body, Call, Callee, CmpOp, Const, ExitHow, Operand, Pat, Place, PlaceBase, Proj,
    Rvalue, Stmt, Terminator,
};
use crate::resolve::Resolver;
use crate::source::Span;

/// Worlds kept apart per block before extra ones are joined.
const MAX_WORLDS_PER_BLOCK: usize = 48;
/// Block visits per body before the analysis gives up on it (a safety net
/// against pathological inputs; real functions need far fewer).
const MAX_VISITS: usize = 50_000;

/// Crate helpers that map a return code to a `Result`/`Option`/`bool`,
/// keyed by canonical path and the parameter that takes the code.
pub type Mappers = HashMap<(Vec<String>, usize), Mapper>;

pub enum Mode {
    Check,
    /// Runs the body with parameter `param` holding a code of `class`, to
    /// learn what it returns for it.
    Summarize {
        param: usize,
        class: CodeClass,
    },
    /// Runs a crate function with symbolic parameters, to summarise what it
    /// does to them and what it hands back (see `summary`).
    Callee,
}

/// Why a resource's lifetime ended at an exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitKind {
    Return,
    Try,
    End,
    ProcessExit,
    Overwritten,
}

/// What one body's analysis found.
#[derive(Default, Debug)]
pub struct Outcomes {
    pub sites: Vec<Site>,
    /// Leaked resource → the first exit (by position) it leaks through.
    pub leaks: BTreeMap<ResId, (Span, ExitKind)>,
    /// A use after release: use span → (resource, where it was released).
    pub use_after_release: BTreeMap<Span, (ResId, Span, bool)>,
    /// A second release: its span → (resource, the first release).
    pub double_release: BTreeMap<Span, (ResId, Span)>,
    /// A parent released with children held: release span → (parent, children).
    pub release_order: BTreeMap<Span, (ResId, BTreeSet<ResId>)>,
    /// Casts of return codes to unsigned types that reach a sign test.
    pub unsigned_casts: BTreeMap<Span, &'static str>,
    /// Resources released explicitly somewhere.
    pub released: BTreeSet<ResId>,
    /// Values returned (summary mode).
    pub returns: Vec<Val>,
    /// What each normal return left behind (callee mode).
    pub snapshots: Vec<super::summary::ReturnSnapshot>,
    /// The analysis hit its budget and stopped early.
    pub incomplete: bool,
    /// Some path called `process::exit` (callee mode: the callee may end
    /// the program).
    pub exits_process: bool,
}

pub struct Interp<'a> {
    program: &'a Program<'a>,
    resolver: &'a Resolver<'a>,
    summaries: &'a [Option<Summary>],
    /// Pseudo-resources standing for what the caller passed in, by
    /// parameter path.
    param_ids: HashMap<(usize, Vec<Proj>), ResId>,
    module: &'a [String],
    body: &'a Body,
    mappers: &'a Mappers,
    mode: Mode,
    out: Outcomes,
    site_ids: HashMap<(Span, usize), ResId>,
    events: HashMap<Span, EvId>,
    /// The function whose code a `Code` value came from, by event.
    event_functions: HashMap<EvId, &'static str>,
}

enum Flow {
    Continue,
    /// The path ends here (the program exits or panics).
    Stop,
}

impl<'a> Interp<'a> {
    pub fn new(
        program: &'a Program<'a>,
        module: &'a [String],
        body: &'a Body,
        mappers: &'a Mappers,
        summaries: &'a [Option<Summary>],
        mode: Mode,
    ) -> Interp<'a> {
        Interp {
            program,
            resolver: &program.resolver,
            summaries,
            param_ids: HashMap::new(),
            module,
            body,
            mappers,
            mode,
            out: Outcomes::default(),
            site_ids: HashMap::new(),
            events: HashMap::new(),
            event_functions: HashMap::new(),
        }
    }

    fn checking(&self) -> bool {
        matches!(self.mode, Mode::Check)
    }

    pub fn run(mut self) -> Outcomes {
        let n = self.body.cfg.node_count();
        let live = super::liveness::live_in(self.body);
        let mut seen: Vec<Vec<World>> = vec![Vec::new(); n];
        let mut queue: VecDeque<(NodeIndex, World)> = VecDeque::new();
        let init = self.initial_world();
        seen[self.body.entry.index()].push(init.clone());
        queue.push_back((self.body.entry, init));
        let mut visits = 0;
        while let Some((block, world)) = queue.pop_front() {
            visits += 1;
            if visits > MAX_VISITS {
                self.out.incomplete = true;
                break;
            }
            for (succ, mut w) in self.exec_block(block, world) {
                forget_dead(&mut w, &live[succ.index()]);
                let set = &mut seen[succ.index()];
                if set.contains(&w) {
                    continue;
                }
                if set.len() < MAX_WORLDS_PER_BLOCK {
                    set.push(w.clone());
                    queue.push_back((succ, w));
                } else {
                    let last = set.last_mut().expect("non-empty");
                    let joined = last.join(&w);
                    if joined != *last {
                        *last = joined.clone();
                        queue.push_back((succ, joined));
                    }
                }
            }
        }
        self.out
    }

    fn initial_world(&self) -> World {
        let mut w = World::default();
        for (j, p) in self.body.params.iter().enumerate() {
            w.places
                .insert(Place::local(p.local), Val::Param(j, Vec::new()));
        }
        // What the statics hold belongs to `main`; anywhere else it is
        // the caller's, like a parameter's.
        if !self.body.attrs.is_main {
            for (k, path) in self.program.statics.iter().enumerate() {
                let place = Place {
                    base: PlaceBase::Path(path.clone()),
                    proj: Vec::new(),
                };
                w.places
                    .insert(place, Val::Param(STATIC_BASE + k, Vec::new()));
            }
        }
        if let Mode::Summarize { param, class } = self.mode
            && let Some(p) = self.body.params.get(param)
        {
            let (lo, hi) = class.interval(false);
            w.places.insert(Place::local(p.local), Val::Int(lo, hi));
        }
        w
    }

    fn exec_block(&mut self, block: NodeIndex, mut w: World) -> Vec<(NodeIndex, World)> {
        let bb = &self.body.cfg[block];
        for stmt in &bb.stmts {
            let flow = match stmt {
                Stmt::Assign { place, value, span } => {
                    self.assign(&mut w, place, value, *span);
                    Flow::Continue
                }
                Stmt::Call(call) => self.call(&mut w, call),
            };
            if let Flow::Stop = flow {
                return Vec::new();
            }
        }
        match &bb.term {
            Terminator::Goto(t) => vec![(*t, w)],
            Terminator::If {
                cond,
                then,
                otherwise,
            } => {
                let v = self.operand(&w, cond);
                let mut out = Vec::new();
                if let Some(t) = self.refine(w.clone(), &v, true) {
                    out.push((*then, t));
                }
                if let Some(f) = self.refine(w, &v, false) {
                    out.push((*otherwise, f));
                }
                out
            }
            Terminator::Test {
                scrutinee,
                pat,
                then,
                otherwise,
            } => {
                let place = match scrutinee {
                    Operand::Copy(p) => Some(self.canonical(p)),
                    _ => None,
                };
                let v = self.operand(&w, scrutinee);
                let mut out = Vec::new();
                if let Some(t) = self.refine_test(w.clone(), &v, place.as_ref(), pat, true) {
                    out.push((*then, t));
                }
                if let Some(f) = self.refine_test(w, &v, place.as_ref(), pat, false) {
                    out.push((*otherwise, f));
                }
                out
            }
            Terminator::ForEach {
                collection,
                first,
                body,
                exit,
            } => self.for_each(w, collection, *first, *body, *exit),
            Terminator::Return { value, span, how } => {
                self.ret(w, value, *span, *how);
                Vec::new()
            }
            Terminator::Exit { span } => {
                self.leak_check(&w, *span, ExitKind::ProcessExit);
                Vec::new()
            }
            Terminator::Panic | Terminator::Unreachable => Vec::new(),
        }
    }
}

mod branches;
mod calls;
mod exits;
mod known;
mod tapi;
mod values;

use known::*;
use values::{elements_of, elements_of_set, escape, forget_dead};
