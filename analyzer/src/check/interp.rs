//! The typestate analysis of one body: abstract interpretation over sets
//! of [`World`]s, path-sensitive on return codes, handle values, variants
//! and collection emptiness.

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
use crate::resolve::{Resolver, tapi_function};
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

    // ----- places and values ------------------------------------------------

    /// Statics are named by their canonical path so every spelling agrees.
    fn canonical(&self, place: &Place) -> Place {
        match &place.base {
            PlaceBase::Path(segs) => match self.resolver.resolve(self.module, segs) {
                Some(c) => Place {
                    base: PlaceBase::Path(c),
                    proj: place.proj.clone(),
                },
                None => place.clone(),
            },
            PlaceBase::Local(_) => place.clone(),
        }
    }

    /// Follows `*p` through pointer values: `*out` where `out = &mut h` is
    /// `h`; `*h` where `h` is a handle bound by iteration is `h` itself.
    fn through_derefs(&self, w: &World, place: &Place) -> Place {
        let mut place = self.canonical(place);
        while let Some(i) = place.proj.iter().position(|p| *p == Proj::Deref) {
            let prefix = Place {
                base: place.base.clone(),
                proj: place.proj[..i].to_vec(),
            };
            let rest = place.proj[i + 1..].to_vec();
            match w.get(&prefix) {
                Val::Ptr(target) => {
                    place = target;
                    place.proj.extend(rest);
                }
                Val::Handle(_) | Val::Elements(_) => {
                    place = prefix;
                    place.proj.extend(rest);
                }
                // `*out` of a parameter is the caller's memory: keep it.
                Val::Param(..) => break,
                _ => break,
            }
        }
        place
    }

    fn is_static_place(&self, place: &Place) -> bool {
        match &place.base {
            PlaceBase::Path(segs) => self.resolver.is_static(segs),
            PlaceBase::Local(_) => false,
        }
    }

    fn read(&self, w: &World, place: &Place) -> Val {
        let place = self.through_derefs(w, place);
        if let PlaceBase::Path(segs) = &place.base
            && !self.resolver.is_static(segs)
        {
            return const_value(segs);
        }
        if let Some(i) = place.proj.iter().position(|p| *p == Proj::AnyIndex) {
            let base = Place {
                base: place.base.clone(),
                proj: place.proj[..i].to_vec(),
            };
            return elements_of(w, &base);
        }
        match w.places.get(&place) {
            Some(v) => v.clone(),
            None => {
                // `Some(x)` read out of a plain value (`APP.get()` gives
                // the handle itself): the option is transparent.
                if let Some(Proj::Variant(k, 0)) = place.proj.last()
                    && k == crate::lower::SUCCESS
                {
                    let inner = Place {
                        base: place.base.clone(),
                        proj: place.proj[..place.proj.len() - 1].to_vec(),
                    };
                    if let v @ (Val::Handle(_) | Val::Param(..) | Val::Elements(_)) = w.get(&inner)
                    {
                        return v;
                    }
                }
                if let Some((j, path)) = self.param_target(w, &place) {
                    return Val::Param(j, path);
                }
                // A part of a collection element (`(dev, line)` bound by a
                // `for`) is any of the element's handles.
                for n in (0..place.proj.len()).rev() {
                    let prefix = Place {
                        base: place.base.clone(),
                        proj: place.proj[..n].to_vec(),
                    };
                    if let Some(v @ Val::Elements(_)) = w.places.get(&prefix) {
                        return v.clone();
                    }
                }
                // `v[0]` of a collection filled through `v[i]`.
                if let Some(Proj::Index(_)) = place.proj.last() {
                    let base = Place {
                        base: place.base.clone(),
                        proj: place.proj[..place.proj.len() - 1].to_vec(),
                    };
                    let any = base.project(Proj::AnyIndex);
                    if let Some(v) = w.places.get(&any) {
                        return v.clone();
                    }
                }
                Val::Unknown
            }
        }
    }

    fn operand(&self, w: &World, op: &Operand) -> Val {
        match op {
            Operand::Copy(p) => self.read(w, p),
            Operand::Const(c) => match c {
                Const::Int(i) => Val::Int(*i, *i),
                Const::Bool(b) => Val::Bool(*b),
                Const::Null => Val::Int(0, 0),
                Const::Path(segs) => const_value(segs),
                Const::Unit | Const::Str => Val::Unknown,
            },
            Operand::Ref { place, .. } => Val::Ptr(self.through_derefs(w, place)),
            Operand::Unknown => Val::Unknown,
        }
    }

    /// Whether writing to `place` hands the value out of the function.
    /// The caller's parameter path `place` lies inside, if it writes into
    /// memory the caller passed (`s.line` where `s` is a `&mut` parameter).
    fn param_target(&self, w: &World, place: &Place) -> Option<(usize, Vec<Proj>)> {
        if let PlaceBase::Path(segs) = &place.base
            && !self.body.attrs.is_main
            && let Some(k) = self.program.statics.iter().position(|s| s == segs)
        {
            let path = place
                .proj
                .iter()
                .filter(|p| !is_transparent(p))
                .cloned()
                .collect();
            return Some((STATIC_BASE + k, path));
        }
        // Storing into a local rebinds it; storing into a static writes the
        // caller's memory.
        let top = match place.base {
            PlaceBase::Path(_) => place.proj.len() + 1,
            PlaceBase::Local(_) => place.proj.len(),
        };
        for n in (0..top).rev() {
            let prefix = Place {
                base: place.base.clone(),
                proj: place.proj[..n].to_vec(),
            };
            if let Val::Param(j, path) = w.get(&prefix) {
                let mut path = path.clone();
                path.extend(
                    place.proj[n..]
                        .iter()
                        .filter(|p| !is_transparent(p))
                        .cloned(),
                );
                return Some((j, path));
            }
        }
        None
    }

    fn escapes_through(&self, w: &World, place: &Place) -> bool {
        if self.param_target(w, place).is_some() {
            return true;
        }
        if self.is_static_place(place) {
            // `main` owns the statics: what it stores there is still its own.
            return !self.body.attrs.is_main;
        }
        let PlaceBase::Local(id) = place.base else {
            return false;
        };
        self.body
            .params
            .iter()
            .any(|p| p.local == id && (p.by_mut_ref || p.is_self) && !place.proj.is_empty())
    }

    fn write(&mut self, w: &mut World, place: &Place, val: Val, span: Span) {
        let place = self.through_derefs(w, place);
        if self.escapes_through(w, &place) {
            self.escape_val(w, &val);
        }
        if let Some(i) = place.proj.iter().position(|p| *p == Proj::AnyIndex) {
            // A write to some element: the collection holds it too.
            let key = Place {
                base: place.base.clone(),
                proj: place.proj[..=i].to_vec(),
            };
            let mut set: BTreeSet<ResId> = World::resources_in(&w.get(&key)).into_iter().collect();
            set.extend(World::resources_in(&val));
            if !set.is_empty() {
                w.places.insert(key, Val::Elements(set));
            }
            return;
        }
        let new_res: BTreeSet<ResId> = World::resources_in(&val).into_iter().collect();
        self.check_overwrite(w, &place, &new_res, span);
        w.clear_within(&place);
        w.places.insert(place, val);
    }

    /// A handle that no variable holds any more is leaked.
    fn check_overwrite(
        &mut self,
        w: &mut World,
        place: &Place,
        keep: &BTreeSet<ResId>,
        span: Span,
    ) {
        let old: Vec<ResId> = w
            .values_within(place)
            .flat_map(World::resources_in)
            .collect();
        for r in old {
            if keep.contains(&r) {
                continue;
            }
            let Some(st) = w.res.get(&r) else { continue };
            if st.status == Status::Held && !st.escaped && !w.held_elsewhere(r, place) {
                self.record_leak(r, span, ExitKind::Overwritten);
                if let Some(st) = w.res.get_mut(&r) {
                    st.status = Status::Lost;
                }
            }
        }
    }

    /// The resources a value stands for, making pseudo-resources for what
    /// the caller passed in.
    fn resources_of(&mut self, w: &mut World, val: &Val, kind: Option<ResourceKind>) -> Vec<ResId> {
        match val {
            Val::Param(j, path) => vec![self.pseudo(w, *j, path, kind)],
            other => World::resources_in(other),
        }
    }

    /// The pseudo-resource for parameter path `(j, path)`: something the
    /// caller owns, tracked so a release, a second release or a hand-over
    /// inside this body is seen.
    fn pseudo(
        &mut self,
        w: &mut World,
        j: usize,
        path: &[Proj],
        kind: Option<ResourceKind>,
    ) -> ResId {
        let key = (j, path.to_vec());
        let id = match self.param_ids.get(&key) {
            Some(id) => *id,
            None => {
                let id = ResId(self.out.sites.len() as u32);
                let name = self.param_name(j, path);
                self.out.sites.push(Site {
                    kind: kind.unwrap_or(ResourceKind::Line),
                    span: self.body.span,
                    function: "",
                    name,
                    param: Some(key.clone()),
                    chain: Vec::new(),
                });
                self.param_ids.insert(key, id);
                id
            }
        };
        if let Some(k) = kind {
            self.out.sites[id.0 as usize].kind = k;
        }
        w.res.entry(id).or_insert(ResState {
            status: Status::Held,
            ev: None,
            parent: None,
            escaped: false,
            release_on: None,
        });
        id
    }

    fn param_name(&self, j: usize, path: &[Proj]) -> Option<String> {
        if j >= STATIC_BASE {
            return self.program.statics.get(j - STATIC_BASE)?.last().cloned();
        }
        let p = self.body.params.get(j)?;
        let mut name = if p.is_self {
            "self".to_string()
        } else {
            // The parameter's own local is unnamed; its binding follows it.
            let next = self.body.locals.get(p.local.0 as usize + 1)?;
            if next.name.is_empty() {
                return None;
            } else {
                next.name.clone()
            }
        };
        for step in path {
            if let Proj::Field(f) = step {
                name.push('.');
                name.push_str(f);
            }
        }
        Some(name)
    }

    fn escape_val(&mut self, w: &mut World, val: &Val) {
        let mut ids = self.resources_of(w, val, None);
        if let Val::Ptr(p) = val {
            let vals: Vec<Val> = w.values_within(p).cloned().collect();
            for v in vals {
                ids.extend(self.resources_of(w, &v, None));
            }
        }
        for r in ids {
            escape(w, r);
        }
    }

    fn escape_place(&mut self, w: &mut World, place: &Place) {
        let vals: Vec<Val> = w.values_within(place).cloned().collect();
        for v in vals {
            for r in self.resources_of(w, &v, None) {
                escape(w, r);
            }
        }
    }

    fn assign(&mut self, w: &mut World, place: &Place, value: &Rvalue, span: Span) {
        match value {
            Rvalue::Use(Operand::Copy(src)) => {
                let src = self.through_derefs(w, src);
                let val = self.read(w, &src);
                let dst = self.through_derefs(w, place);
                // Copy the parts too: `let old = line;` keeps `line.(Some).0`.
                let parts = parts_of(w, &src);
                let mut keep: BTreeSet<ResId> = World::resources_in(&val).into_iter().collect();
                keep.extend(parts.iter().flat_map(|(_, v)| World::resources_in(v)));
                if dst.proj.contains(&Proj::AnyIndex) {
                    self.write(w, &dst, val, span);
                    return;
                }
                if self.escapes_through(w, &dst) {
                    self.escape_val(w, &val);
                    for (_, v) in &parts {
                        self.escape_val(w, v);
                    }
                }
                self.check_overwrite(w, &dst, &keep, span);
                w.clear_within(&dst);
                w.places.insert(dst.clone(), val);
                for (proj, v) in parts {
                    let mut p = dst.clone();
                    p.proj.extend(proj);
                    w.places.insert(p, v);
                }
                // `let b = a;` of a value with `Drop` moves it: only `b`
                // will drop it.
                if self.moves(&src) && src != dst {
                    w.clear_within(&src);
                }
            }
            Rvalue::Aggregate { kind, fields } => {
                let (val, key) = match kind {
                    AggregateKind::Variant(name) => {
                        (Val::Variant(variant_key(name)), Some(variant_key(name)))
                    }
                    AggregateKind::Collection { len } => (
                        Val::Aggregate {
                            nonempty: len.map(|l| l > 0),
                        },
                        None,
                    ),
                    AggregateKind::Tuple | AggregateKind::Struct(_) => {
                        (Val::Aggregate { nonempty: None }, None)
                    }
                };
                let vals: Vec<(String, Val)> = fields
                    .iter()
                    .map(|(n, op)| (n.clone(), self.operand(w, op)))
                    .collect();
                // `Ok(LineSession { app, line })`: the parts of a field that
                // is itself a place come along.
                let field_parts: Vec<Vec<(Vec<Proj>, Val)>> = fields
                    .iter()
                    .map(|(_, op)| match op {
                        Operand::Copy(p) => {
                            let p = self.through_derefs(w, p);
                            parts_of(w, &p)
                        }
                        _ => Vec::new(),
                    })
                    .collect();
                let dst = self.canonical(place);
                let mut keep: BTreeSet<ResId> = vals
                    .iter()
                    .flat_map(|(_, v)| World::resources_in(v))
                    .collect();
                keep.extend(
                    field_parts
                        .iter()
                        .flatten()
                        .flat_map(|(_, v)| World::resources_in(v)),
                );
                if self.escapes_through(w, &dst) {
                    for (_, v) in &vals {
                        self.escape_val(w, v);
                    }
                }
                self.check_overwrite(w, &dst, &keep, span);
                w.clear_within(&dst);
                w.places.insert(dst.clone(), val);
                for (i, (name, v)) in vals.into_iter().enumerate() {
                    let proj = match (kind, &key) {
                        (_, Some(k)) => Proj::Variant(k.clone(), i),
                        (AggregateKind::Collection { .. }, _) => match name.parse::<i64>() {
                            Ok(n) => Proj::Index(n),
                            Err(_) => Proj::AnyIndex,
                        },
                        _ => Proj::Field(name),
                    };
                    let field = dst.project(proj);
                    for (sub, pv) in &field_parts[i] {
                        let mut p = field.clone();
                        p.proj.extend(sub.iter().cloned());
                        if self.escapes_through(w, &dst) {
                            self.escape_val(w, pv);
                        }
                        w.places.insert(p, pv.clone());
                    }
                    if matches!(v, Val::Unknown) {
                        continue;
                    }
                    w.places.insert(field, v);
                }
            }
            other => {
                let v = self.rvalue(w, other, span);
                self.write(w, place, v, span);
            }
        }
    }

    fn rvalue(&mut self, w: &mut World, value: &Rvalue, span: Span) -> Val {
        match value {
            Rvalue::Use(op) => self.operand(w, op),
            Rvalue::Cast { operand, ty, span } => {
                let v = self.operand(w, operand);
                cast(v, ty, *span)
            }
            Rvalue::Cmp { op, lhs, rhs } => {
                let (a, b) = (self.operand(w, lhs), self.operand(w, rhs));
                if op.is_ordering() {
                    for side in [&a, &b] {
                        if let Val::Code {
                            ev,
                            unsigned: Some(cast),
                            ..
                        } = side
                        {
                            let f = self
                                .event_functions
                                .get(ev)
                                .copied()
                                .unwrap_or("a TAPI function");
                            self.out.unsigned_casts.entry(*cast).or_insert(f);
                        }
                    }
                }
                match (&a, &b) {
                    (Val::Int(..), Val::Int(..)) => match compare(&a, *op, &b) {
                        (true, false) => Val::Bool(true),
                        (false, true) => Val::Bool(false),
                        _ => Val::Pred(Box::new(Pred::Cmp(*op, a, b))),
                    },
                    _ => Val::Pred(Box::new(Pred::Cmp(*op, a, b))),
                }
            }
            Rvalue::Not(op) => match self.operand(w, op) {
                Val::Bool(b) => Val::Bool(!b),
                Val::Unknown => Val::Unknown,
                v => Val::Pred(Box::new(Pred::Not(Box::new(v)))),
            },
            Rvalue::Opaque(ops) => {
                for op in ops {
                    // Reading is harmless; a closure passed along escapes.
                    if let Val::Closure(set) = self.operand(w, op) {
                        for r in set {
                            escape(w, r);
                        }
                    }
                }
                Val::Unknown
            }
            Rvalue::Element(op) => match op {
                Operand::Copy(p) => {
                    let p = self.through_derefs(w, p);
                    // An element of what the caller passed (`self.lines`).
                    if let Val::Param(j, mut path) = self.read(w, &p) {
                        path.push(Proj::AnyIndex);
                        return Val::Param(j, path);
                    }
                    elements_of(w, &p)
                }
                _ => Val::Unknown,
            },
            Rvalue::Matches { operand, pat } => match operand {
                Operand::Copy(p) => {
                    Val::Pred(Box::new(Pred::Matches(self.canonical(p), pat.clone())))
                }
                other => Val::Pred(Box::new(Pred::MatchesVal(
                    self.operand(w, other),
                    pat.clone(),
                ))),
            },
            Rvalue::Closure { body, captures, .. } => {
                if let Some(function) = self.program.closure(self.body, *body) {
                    // Its captures are its first parameters, in this order.
                    let captures = captures.iter().map(|c| self.read(w, c)).collect();
                    return Val::Fn { function, captures };
                }
                // A closure the analysis cannot find: what it captures is
                // out of this body's hands.
                let mut set = BTreeSet::new();
                for c in captures {
                    let c = self.canonical(c);
                    set.extend(w.values_within(&c).flat_map(World::resources_in));
                }
                for r in &set {
                    escape(w, *r);
                }
                let _ = span;
                Val::Closure(set)
            }
            Rvalue::Aggregate { .. } => Val::Unknown,
        }
    }

    // ----- calls ----------------------------------------------------------

    fn call(&mut self, w: &mut World, call: &Call) -> Flow {
        let flow = self.call_inner(w, call);
        // A value with `Drop` passed by value moved into the callee.
        for op in &call.args {
            if let Operand::Copy(p) = op
                && self.moves(p)
            {
                w.clear_within(p);
            }
        }
        flow
    }

    fn call_inner(&mut self, w: &mut World, call: &Call) -> Flow {
        let args: Vec<Val> = call.args.iter().map(|a| self.arg_value(w, a)).collect();
        let summaries = self.summaries;
        if let Some(t) = self.program.target(self.module, self.body, call)
            && let Some(Some(summary)) = summaries.get(t)
        {
            self.apply_summary(w, call, summary, &args);
            return Flow::Continue;
        }
        let dest_val = match &call.callee {
            Callee::Path { path, .. } => {
                let canon = self
                    .resolver
                    .resolve(self.module, path)
                    .unwrap_or_else(|| path.clone());
                if let Some(f) = tapi_function(&canon) {
                    self.havoc_out_args(w, call, 0);
                    self.tapi_call(w, call, f, &args)
                } else if is_process_exit(&canon) {
                    self.leak_check(w, call.span, ExitKind::ProcessExit);
                    return Flow::Stop;
                } else if is_diverging(&canon) {
                    return Flow::Stop;
                } else if let Some(v) = self.mapped(&canon, &args) {
                    v
                } else if is_collection_constructor(&canon) {
                    Val::Aggregate {
                        nonempty: Some(false),
                    }
                } else if let Some(kind) = drop_call(&canon) {
                    // `drop(x)` runs `x`'s `Drop` now; `mem::forget(x)` never
                    // does. Either way `x` is gone from its variable.
                    if let Some(Operand::Copy(p)) = call.args.first() {
                        let p = self.through_derefs(w, p);
                        if kind == DropCall::Drop {
                            self.drop_local(w, &p, call.span);
                        }
                        if self.moves(&p) {
                            w.clear_within(&p);
                        }
                    }
                    Val::Unknown
                } else if is_std(&canon) {
                    // `thread::spawn(move || ..)` and the like run the
                    // closure: it happens here, as far as its caller can tell.
                    if self.run_closure_args(w, call, &args) {
                        return Flow::Continue;
                    }
                    self.escape_closures(w, &args);
                    Val::Unknown
                } else {
                    // A function the analysis does not follow (yet): what it
                    // is given is its to release.
                    for a in &args {
                        self.escape_arg(w, a);
                    }
                    self.havoc_out_args(w, call, 0);
                    Val::Unknown
                }
            }
            Callee::Method { name, .. } => {
                match super::com::method(self.program, self.module, self.body, call, name) {
                    Some(m) => {
                        self.com_call(w, call, m, &args);
                        return Flow::Continue;
                    }
                    None => self.method(w, call, name, &args),
                }
            }
            Callee::Local(id) => match self.read(w, &Place::local(*id)) {
                Val::Fn { function, captures } => {
                    self.apply_fn(w, call, function, captures, &args);
                    return Flow::Continue;
                }
                _ => {
                    for a in &args {
                        self.escape_arg(w, a);
                    }
                    self.havoc_out_args(w, call, 0);
                    Val::Unknown
                }
            },
            Callee::Unknown => {
                for a in &args {
                    self.escape_arg(w, a);
                }
                self.havoc_out_args(w, call, 0);
                Val::Unknown
            }
        };
        self.write(w, &call.dest, dest_val, call.span);
        Flow::Continue
    }

    /// A call of a crate function with a summary: its releases, hand-overs
    /// and handed-out resources happen here, in the caller, at the call.
    fn apply_summary(&mut self, w: &mut World, call: &Call, s: &Summary, args: &[Val]) {
        for (j, path) in &s.releases {
            let v = self.value_in_arg(w, call, args, *j, path);
            self.release(w, &v, call.span, None);
        }
        for (j, path) in &s.takes {
            let v = self.value_in_arg(w, call, args, *j, path);
            self.escape_arg(w, &v);
        }
        let ok_function = s
            .handed
            .iter()
            .find(|h| h.when_ok)
            .map(|h| h.function)
            .or((!s.releases_when_ok.is_empty()).then_some("a release"));
        let ev = ok_function.map(|function| {
            let ev = self.event(call.span, function);
            w.set_outcome(ev, Outcome::Unknown);
            ev
        });
        // Released only if the call turns out `Ok`.
        if let Some(ev) = ev {
            for (j, path) in &s.releases_when_ok {
                let v = self.value_in_arg(w, call, args, *j, path);
                for r in self.resources_of(w, &v, None) {
                    if let Some(st) = w.res.get_mut(&r) {
                        st.release_on = Some((ev, call.span));
                    }
                    self.out.released.insert(r);
                }
            }
        }
        let code = s
            .handed
            .iter()
            .find_map(|h| h.when_code.map(|c| (c, h.function)));
        let ev = ev.or_else(|| {
            code.map(|(_, function)| {
                let ev = self.event(call.span, function);
                w.set_outcome(ev, Outcome::Unknown);
                ev
            })
        });
        let dest = match (ev, code) {
            // The callee passed TAPI's code back: it decides, as TAPI's would.
            (Some(ev), Some((success, _))) if !s.handed.iter().any(|h| h.when_ok) => Val::Code {
                ev,
                success,
                unsigned: None,
            },
            // An accessor: what the caller passed comes back.
            (None, _) => match &s.returns_param {
                Some((j, path)) => self.value_in_arg(w, call, args, *j, path),
                None => Val::Unknown,
            },
            // `Ok` exactly when what it acquired exists.
            (Some(ev), _) => Val::Mapped {
                ev,
                success: SuccessClass::Zero,
                mapper: Box::new(Mapper {
                    results: [
                        Some(Val::Variant(crate::lower::SUCCESS.into())),
                        None,
                        Some(Val::Variant(crate::lower::FAILURE.into())),
                    ],
                }),
            },
        };
        self.write(w, &call.dest, dest, call.span);
        for h in &s.handed {
            let r = self.site(call, h.id as usize, h.kind, h.function, None);
            self.out.sites[r.0 as usize].chain = h.chain.clone();
            let parent = match &h.parent {
                Some((j, path)) => match self.value_in_arg(w, call, args, *j, path) {
                    Val::Handle(p) => Some(p),
                    Val::Param(pj, pp) => {
                        Some(self.pseudo(w, pj, &pp, h.kind.parents().first().copied()))
                    }
                    _ => None,
                },
                None => None,
            };
            let state = ResState {
                status: Status::Held,
                ev: if h.when_ok || h.when_code.is_some() {
                    ev
                } else {
                    None
                },
                parent,
                escaped: false,
                release_on: None,
            };
            let target = match &h.to {
                summary::Place::Return(path) => {
                    let mut p = call.dest.clone();
                    p.proj.extend(path.iter().cloned());
                    Some(p)
                }
                summary::Place::Param(j, path) if *j >= STATIC_BASE => {
                    self.program.statics.get(j - STATIC_BASE).map(|s| {
                        let mut p = Place {
                            base: PlaceBase::Path(s.clone()),
                            proj: Vec::new(),
                        };
                        p.proj.extend(path.iter().cloned());
                        p
                    })
                }
                summary::Place::Param(j, path) => match args.get(*j) {
                    Some(Val::Ptr(p)) => {
                        let mut p = p.clone();
                        p.proj.extend(path.iter().cloned());
                        Some(p)
                    }
                    _ => None,
                },
            };
            self.store_acquired(w, r, state, target, call.span);
        }
    }

    /// Calls a closure the analysis can follow: its summary applies here,
    /// with what it captured as its first arguments.
    fn apply_fn(
        &mut self,
        w: &mut World,
        call: &Call,
        function: usize,
        captures: Vec<Val>,
        args: &[Val],
    ) {
        let summaries = self.summaries;
        let Some(Some(summary)) = summaries.get(function) else {
            // Nothing to follow (it touches no TAPI): it may still keep
            // what it was given.
            for v in captures.iter().chain(args) {
                self.escape_arg(w, v);
            }
            self.write(w, &call.dest, Val::Unknown, call.span);
            return;
        };
        let mut all = captures;
        all.extend(args.iter().cloned());
        // No operand stands for a capture: values only.
        let synthetic = Call {
            args: Vec::new(),
            arg_spans: Vec::new(),
            ..call.clone()
        };
        self.apply_summary(w, &synthetic, summary, &all);
    }

    /// Runs every followable closure among a library call's arguments;
    /// whether there was one.
    fn run_closure_args(&mut self, w: &mut World, call: &Call, args: &[Val]) -> bool {
        self.run_closure_args_with(w, call, args, &[])
    }

    /// Likewise, passing `inputs` as the closure's own arguments.
    fn run_closure_args_with(
        &mut self,
        w: &mut World,
        call: &Call,
        args: &[Val],
        inputs: &[Val],
    ) -> bool {
        let mut ran = false;
        for a in args {
            if let Val::Fn { function, captures } = a {
                self.apply_fn(w, call, *function, captures.clone(), inputs);
                ran = true;
            }
        }
        ran
    }

    /// Stores a newly acquired resource where it was handed; handed to
    /// memory the analysis cannot see, it is out of this body's hands.
    fn store_acquired(
        &mut self,
        w: &mut World,
        r: ResId,
        state: ResState,
        target: Option<Place>,
        span: Span,
    ) {
        match target {
            Some(place) => {
                w.res.insert(r, state);
                self.write(w, &place, Val::Handle(r), span);
            }
            None => {
                w.res.insert(
                    r,
                    ResState {
                        escaped: true,
                        ..state
                    },
                );
            }
        }
    }

    /// What argument `j` holds at `path` below it.
    fn value_in_arg(&self, w: &World, call: &Call, args: &[Val], j: usize, path: &[Proj]) -> Val {
        let extend = |p: &Place| {
            let mut p = p.clone();
            p.proj.extend(path.iter().cloned());
            p
        };
        if j >= STATIC_BASE {
            let Some(path) = self.program.statics.get(j - STATIC_BASE) else {
                return Val::Unknown;
            };
            return self.read(
                w,
                &extend(&Place {
                    base: PlaceBase::Path(path.clone()),
                    proj: Vec::new(),
                }),
            );
        }
        match args.get(j) {
            Some(Val::Ptr(p)) => self.read(w, &extend(p)),
            Some(Val::Param(pj, pp)) => {
                let mut pp = pp.clone();
                pp.extend(path.iter().cloned());
                Val::Param(*pj, pp)
            }
            Some(v) if path.is_empty() => v.clone(),
            _ => match call.args.get(j) {
                Some(Operand::Copy(p)) => self.read(w, &extend(p)),
                _ => Val::Unknown,
            },
        }
    }

    /// An argument's value; an aggregate passed by value (`(dev, line)`)
    /// stands for the handles inside it.
    fn arg_value(&self, w: &World, op: &Operand) -> Val {
        let v = self.operand(w, op);
        if let (Val::Aggregate { .. } | Val::Variant(_), Operand::Copy(p)) = (&v, op) {
            let p = self.through_derefs(w, p);
            let set = elements_of_set(w, &p);
            if !set.is_empty() {
                return Val::Elements(set);
            }
        }
        v
    }

    /// What a callee may write through `&mut` arguments (from `first` on)
    /// is no longer known.
    fn havoc_out_args(&self, w: &mut World, call: &Call, first: usize) {
        for op in call.args.iter().skip(first) {
            if let Operand::Ref {
                place,
                mutable: true,
            } = op
            {
                let p = self.through_derefs(w, place);
                w.havoc_within(&p);
            }
        }
    }

    fn escape_arg(&mut self, w: &mut World, a: &Val) {
        match a {
            Val::Ptr(p) => {
                let p = p.clone();
                self.escape_place(w, &p);
            }
            other => self.escape_val(w, other),
        }
    }

    fn escape_closures(&mut self, w: &mut World, args: &[Val]) {
        for a in args {
            if let Val::Closure(set) = a {
                for r in set {
                    escape(w, *r);
                }
            }
        }
    }

    /// `check(rc)` where `check` maps codes to a `Result`.
    fn mapped(&self, canon: &[String], args: &[Val]) -> Option<Val> {
        for (j, a) in args.iter().enumerate() {
            if let Val::Code { ev, success, .. } = a
                && let Some(m) = self.mappers.get(&(canon.to_vec(), j))
            {
                return Some(Val::Mapped {
                    ev: *ev,
                    success: *success,
                    mapper: Box::new(m.clone()),
                });
            }
        }
        None
    }

    fn method(&mut self, w: &mut World, call: &Call, name: &str, args: &[Val]) -> Val {
        let receiver = args.first().cloned().unwrap_or(Val::Unknown);
        let target = match &receiver {
            Val::Ptr(p) => Some(p.clone()),
            _ => None,
        };
        // `OnceLock`, atomics and cells in statics: what they hold is the
        // static's value.
        if let Some(cell) = target.as_ref().filter(|p| self.is_static_place(p)) {
            match name {
                "set" | "store" => {
                    let v = args.get(1).cloned().unwrap_or(Val::Unknown);
                    let cell = cell.clone();
                    self.write(w, &cell, v, call.span);
                    return Val::Unknown;
                }
                "swap" | "replace" | "take" => {
                    // The old value moves out (into the call's result, first,
                    // so it is not mistaken for lost); the new one moves in.
                    let old = self.read(w, cell);
                    self.write(w, &call.dest, old.clone(), call.span);
                    let new = args.get(1).cloned().unwrap_or(Val::Unknown);
                    let cell = cell.clone();
                    self.write(w, &cell, new, call.span);
                    return old;
                }
                "get" | "load" | "get_mut" => return self.read(w, cell),
                "get_or_init" | "get_or_insert_with" | "call_once" => {
                    // The closure's result, if it runs, is what the cell holds.
                    let cell = cell.clone();
                    if self.run_closure_args(w, call, &args[1..]) {
                        let v = self.read(w, &call.dest);
                        self.write(w, &cell, v.clone(), call.span);
                        return v;
                    }
                    return self.read(w, &cell);
                }
                _ => {}
            }
        }
        match name {
            "push" | "push_back" | "push_front" | "insert" | "extend" | "append" | "add" => {
                if let Some(coll) = target {
                    let mut set: BTreeSet<ResId> =
                        World::resources_in(&w.get(&coll.project(Proj::AnyIndex)))
                            .into_iter()
                            .collect();
                    for a in &args[1..] {
                        set.extend(World::resources_in(a));
                        if let Val::Ptr(p) = a {
                            set.extend(elements_of_set(w, p));
                        }
                    }
                    if !set.is_empty() {
                        w.places
                            .insert(coll.project(Proj::AnyIndex), Val::Elements(set));
                    }
                    let nonempty = w.get(&coll);
                    if matches!(nonempty, Val::Aggregate { .. } | Val::Unknown) {
                        w.places.insert(
                            coll,
                            Val::Aggregate {
                                nonempty: Some(true),
                            },
                        );
                    }
                }
                Val::Unknown
            }
            "pop" | "pop_back" | "pop_front" | "first" | "last" | "get" | "get_mut" | "remove"
            | "swap_remove" | "iter" | "iter_mut" | "into_iter" | "drain" | "next" => {
                match target {
                    Some(coll) => elements_of(w, &coll),
                    None => Val::Unknown,
                }
            }
            "len" | "is_empty" | "contains" | "fmt" | "to_string" | "eq" | "ne" | "cmp"
            | "partial_cmp" | "hash" | "min" | "max" | "as_ptr" | "as_mut_ptr" | "encode_utf16"
            | "chain" | "collect" | "join" | "sleep" | "elapsed" | "now" | "wrapping_add"
            | "checked_add" | "saturating_sub" | "recv" | "recv_timeout" | "try_recv" | "wait"
            | "unwrap_or" | "unwrap_or_default" | "unwrap_or_else" | "map" | "map_err" | "ok"
            | "err" | "and_then" | "or_else" | "filter" | "enumerate" | "zip" | "skip"
            | "take_while" | "count" | "any" | "all" | "find" | "position" | "clear" | "retain"
            | "truncate" | "sort" | "dedup" | "reserve" | "resize" | "fill" | "load" | "store"
            | "set" | "get_or_init" | "with" | "replace" | "copy_from_slice" | "write_all"
            | "flush" | "read_line" | "lines" | "trim" | "parse" | "starts_with" | "ends_with"
            | "split" | "to_vec" | "as_slice" | "keys" | "values" | "entry" | "or_insert"
            | "send" => {
                // `map`, `for_each`, `with`, `unwrap_or_else`, ... run the
                // closure they are given, on an element of the receiver.
                let element = match &receiver {
                    Val::Ptr(p) => elements_of(w, p),
                    v @ (Val::Elements(_) | Val::Handle(_) | Val::Param(..)) => v.clone(),
                    _ => Val::Unknown,
                };
                if self.run_closure_args_with(w, call, &args[1..], &[element]) {
                    return self.read(w, &call.dest);
                }
                if matches!(
                    name,
                    "send" | "store" | "set" | "replace" | "with" | "get_or_init"
                ) {
                    // Handed to a channel, an atomic or a global: out of
                    // this body's hands.
                    for a in &args[1..] {
                        self.escape_arg(w, a);
                    }
                }
                self.escape_closures(w, args);
                Val::Unknown
            }
            _ => {
                for a in &args[1..] {
                    self.escape_arg(w, a);
                }
                self.havoc_out_args(w, call, 0);
                Val::Unknown
            }
        }
    }

    fn event(&mut self, span: Span, function: &'static str) -> EvId {
        let next = EvId(self.events.len() as u32);
        let ev = *self.events.entry(span).or_insert(next);
        self.event_functions.insert(ev, function);
        ev
    }

    fn site(
        &mut self,
        call: &Call,
        index: usize,
        kind: ResourceKind,
        function: &'static str,
        name: Option<String>,
    ) -> ResId {
        let next = ResId(self.out.sites.len() as u32);
        let id = *self.site_ids.entry((call.span, index)).or_insert(next);
        if id == next {
            self.out.sites.push(Site {
                kind,
                span: call.span,
                function,
                name,
                param: None,
                chain: Vec::new(),
            });
        }
        id
    }

    fn tapi_call(
        &mut self,
        w: &mut World,
        call: &Call,
        f: &'static tapi_model::Function,
        args: &[Val],
    ) -> Val {
        let released_arg = match f.effect {
            Effect::Release {
                handle: Slot::Arg(i),
                ..
            } => Some(i),
            _ => None,
        };
        for hp in f.handles {
            if Some(hp.index) == released_arg {
                continue;
            }
            match args.get(hp.index) {
                Some(Val::Handle(r)) => self.check_use(w, *r, call.span),
                Some(Val::Param(j, path)) => {
                    let r = self.pseudo(w, *j, path, Some(hp.kind));
                    self.check_use(w, r, call.span);
                }
                _ => {}
            }
        }
        match f.effect {
            Effect::None => {
                let ev = self.event(call.span, f.name);
                Val::Code {
                    ev,
                    success: SuccessClass::Any,
                    unsigned: None,
                }
            }
            Effect::Release { kind, handle } => {
                if let Slot::Arg(i) = handle
                    && let Some(v) = args.get(i)
                {
                    self.release(w, v, call.span, Some(kind));
                }
                Val::Unknown
            }
            Effect::Acquire { creates, success } => {
                let ev = self.event(call.span, f.name);
                w.set_outcome(ev, Outcome::Unknown);
                let success = success_class(success);
                for (k, c) in creates.iter().enumerate() {
                    let Slot::Arg(i) = c.out else { continue };
                    let name = call.args.get(i).and_then(|a| self.place_name(a));
                    let r = self.site(call, k, c.kind, f.name, name);
                    let parent = match c.parent {
                        ParentSlot::None => None,
                        ParentSlot::Handle(Slot::Arg(j)) => match args.get(j) {
                            Some(Val::Handle(p)) => Some(*p),
                            Some(Val::Param(pj, path)) => {
                                Some(self.pseudo(w, *pj, path, c.kind.parents().first().copied()))
                            }
                            _ => None,
                        },
                        ParentSlot::ParentOf(Slot::Arg(j)) => match args.get(j) {
                            Some(Val::Handle(p)) => w.res.get(p).and_then(|s| s.parent),
                            _ => None,
                        },
                        _ => None,
                    };
                    // A site acquired again while its earlier handle is
                    // still held elsewhere (a loop filling a Vec) stands for
                    // many resources; the older ones stay held.
                    let earlier_held = w.res.get(&r).is_some_and(|s| s.status == Status::Held);
                    let state = ResState {
                        status: Status::Held,
                        ev: if earlier_held { None } else { Some(ev) },
                        parent,
                        escaped: false,
                        release_on: None,
                    };
                    // An out-pointer that is itself a parameter writes the
                    // caller's memory: `*out`.
                    let out_place = match (args.get(i), call.args.get(i)) {
                        (Some(Val::Ptr(place)), _) => Some(place.clone()),
                        (Some(Val::Param(..)), Some(Operand::Copy(p))) => {
                            Some(p.project(Proj::Deref))
                        }
                        _ => None,
                    };
                    match out_place {
                        Some(place) => {
                            let prior = w.res.insert(r, state);
                            if let Some(prior) = prior
                                && prior.status == Status::Held
                                && !w.held_elsewhere(r, &place)
                                && !prior.escaped
                                && w.values_within(&place)
                                    .any(|v| World::resources_in(v).contains(&r))
                            {
                                // The previous handle from this call is lost.
                                self.record_leak(r, call.span, ExitKind::Overwritten);
                            }
                            self.write(w, &place, Val::Handle(r), call.span);
                        }
                        _ => {
                            // Written somewhere we cannot see.
                            w.res.insert(
                                r,
                                ResState {
                                    escaped: true,
                                    ..state
                                },
                            );
                        }
                    }
                }
                Val::Code {
                    ev,
                    success,
                    unsigned: None,
                }
            }
            Effect::Registration {
                owner,
                key_arg: _,
                enable_arg,
                success,
            } => {
                let owner = match owner {
                    Slot::Arg(o) => match args.get(o) {
                        Some(Val::Handle(r)) => Some(*r),
                        _ => None,
                    },
                    _ => None,
                };
                let enable = args.get(enable_arg).cloned().unwrap_or(Val::Unknown);
                self.registration(w, call, owner, &enable, f.name)
                    .map(|ev| Val::Code {
                        ev,
                        success: success_class(success),
                        unsigned: None,
                    })
                    .unwrap_or(Val::Unknown)
            }
        }
    }

    /// `lineRegisterRequestRecipient` / `ITTAPI::RegisterRequestRecipient`:
    /// registers when `enable` is non-zero (giving the event that decides
    /// whether it happened), unregisters the owner's registration when zero.
    fn registration(
        &mut self,
        w: &mut World,
        call: &Call,
        owner: Option<ResId>,
        enable: &Val,
        function: &'static str,
    ) -> Option<EvId> {
        match truthiness(enable)? {
            false => {
                let target = w
                    .res
                    .iter()
                    .filter(|(id, st)| {
                        self.out.sites[id.0 as usize].kind == ResourceKind::RequestRecipient
                            && (owner.is_none() || st.parent == owner)
                    })
                    .map(|(id, _)| *id)
                    .max();
                if let Some(r) = target {
                    self.release(
                        w,
                        &Val::Handle(r),
                        call.span,
                        Some(ResourceKind::RequestRecipient),
                    );
                }
                None
            }
            true => {
                let ev = self.event(call.span, function);
                w.set_outcome(ev, Outcome::Unknown);
                let r = self.site(call, 0, ResourceKind::RequestRecipient, function, None);
                w.res.insert(
                    r,
                    ResState {
                        status: Status::Held,
                        ev: Some(ev),
                        parent: owner,
                        escaped: false,
                        release_on: None,
                    },
                );
                Some(ev)
            }
        }
    }

    /// A TAPI 3 method call (see `com`). Its `Result` is `Ok` exactly when
    /// what it acquires exists. Writes the call's destination.
    fn com_call(
        &mut self,
        w: &mut World,
        call: &Call,
        m: &'static tapi_model::Method,
        args: &[Val],
    ) {
        let session = match args.first() {
            Some(Val::Ptr(p)) => Some(p.project(Proj::Field(super::com::SESSION.into()))),
            _ => None,
        };
        let on_receiver = session
            .as_ref()
            .map(|p| self.read(w, p))
            .unwrap_or(Val::Unknown);
        // Any method of an object that was shut down is a use after release;
        // a release is judged by `release` itself.
        let releases_receiver = matches!(
            m.effect,
            Effect::Release {
                handle: Slot::Receiver,
                ..
            }
        );
        if let Val::Handle(r) = on_receiver
            && !releases_receiver
        {
            self.check_use(w, r, call.span);
        }
        for hp in m.handles {
            let releases_this =
                matches!(m.effect, Effect::Release { handle: Slot::Arg(i), .. } if i == hp.index);
            if let Some(Val::Handle(r)) = args.get(hp.index + 1)
                && !releases_this
            {
                self.check_use(w, *r, call.span);
            }
        }
        let arg = |slot: Slot| match slot {
            Slot::Arg(i) => args.get(i + 1).cloned().unwrap_or(Val::Unknown),
            Slot::Receiver => on_receiver.clone(),
            Slot::Return => Val::Unknown,
        };
        let ok_mapper = |ev| Val::Mapped {
            ev,
            success: SuccessClass::Zero,
            mapper: Box::new(Mapper {
                results: [
                    Some(Val::Variant(crate::lower::SUCCESS.into())),
                    None,
                    Some(Val::Variant(crate::lower::FAILURE.into())),
                ],
            }),
        };
        let dest = match m.effect {
            Effect::None => Val::Unknown,
            Effect::Release { kind, handle } => {
                self.release(w, &arg(handle), call.span, Some(kind));
                Val::Unknown
            }
            Effect::Registration {
                owner, enable_arg, ..
            } => {
                let owner = match arg(owner) {
                    Val::Handle(r) => Some(r),
                    _ => None,
                };
                let enable = arg(Slot::Arg(enable_arg));
                match self.registration(w, call, owner, &enable, m.name) {
                    Some(ev) => ok_mapper(ev),
                    None => Val::Unknown,
                }
            }
            Effect::Acquire { creates, .. } => {
                let ev = self.event(call.span, m.name);
                w.set_outcome(ev, Outcome::Unknown);
                let dest = ok_mapper(ev);
                self.write(w, &call.dest, dest, call.span);
                let name = call.args.first().and_then(|a| self.place_name(a));
                for (k, c) in creates.iter().enumerate() {
                    let r = self.site(call, k, c.kind, m.name, name.clone());
                    let parent = match c.parent {
                        ParentSlot::Handle(slot) => match arg(slot) {
                            Val::Handle(p) => Some(p),
                            _ => None,
                        },
                        _ => None,
                    };
                    let state = ResState {
                        status: Status::Held,
                        ev: Some(ev),
                        parent,
                        escaped: false,
                        release_on: None,
                    };
                    let target = match c.out {
                        Slot::Receiver => session.clone(),
                        Slot::Return => Some(
                            call.dest
                                .project(Proj::Variant(crate::lower::SUCCESS.into(), 0)),
                        ),
                        Slot::Arg(i) => match args.get(i + 1) {
                            Some(Val::Ptr(p)) => Some(p.clone()),
                            _ => None,
                        },
                    };
                    self.store_acquired(w, r, state, target, call.span);
                }
                // The destination was written above, with its parts.
                return;
            }
        };
        self.write(w, &call.dest, dest, call.span);
    }

    fn place_name(&self, op: &Operand) -> Option<String> {
        let Operand::Ref { place, .. } = op else {
            return None;
        };
        let PlaceBase::Local(id) = place.base else {
            return None;
        };
        let base = &self.body.locals[id.0 as usize].name;
        if base.is_empty() {
            return None;
        }
        let mut s = base.clone();
        for p in &place.proj {
            match p {
                Proj::Field(f) => {
                    s.push('.');
                    s.push_str(f);
                }
                Proj::Index(i) => s.push_str(&format!("[{i}]")),
                Proj::AnyIndex => s.push_str("[..]"),
                Proj::Deref => s = format!("*{s}"),
                Proj::Variant(..) => {}
            }
        }
        Some(s)
    }

    fn check_use(&mut self, w: &World, r: ResId, span: Span) {
        if !self.checking() {
            return;
        }
        match w.res.get(&r).map(|s| &s.status) {
            Some(Status::Released {
                at,
                by_element: false,
            }) => {
                self.out
                    .use_after_release
                    .entry(span)
                    .or_insert((r, *at, false));
            }
            Some(Status::ReleasedByParent { at }) => {
                self.out
                    .use_after_release
                    .entry(span)
                    .or_insert((r, *at, true));
            }
            _ => {}
        }
    }

    fn release(&mut self, w: &mut World, v: &Val, span: Span, kind: Option<ResourceKind>) {
        if let Val::Param(j, path) = v {
            let r = self.pseudo(w, *j, path, kind);
            return self.release(w, &Val::Handle(r), span, kind);
        }
        match v {
            Val::Handle(r) => {
                let r = *r;
                let Some(st) = w.res.get(&r).cloned() else {
                    return;
                };
                match st.status {
                    Status::Held => {
                        self.set_released(w, r, span, false);
                    }
                    Status::Released {
                        at,
                        by_element: false,
                    } if at != span && self.checking() => {
                        self.out.double_release.entry(span).or_insert((r, at));
                    }
                    Status::ReleasedByParent { at } if self.checking() => {
                        self.out
                            .use_after_release
                            .entry(span)
                            .or_insert((r, at, true));
                    }
                    _ => {}
                }
            }
            Val::Elements(set) => {
                for r in set.clone() {
                    if w.res.get(&r).is_some_and(|s| s.status == Status::Held) {
                        self.set_released(w, r, span, true);
                    }
                }
            }
            _ => {}
        }
    }

    fn set_released(&mut self, w: &mut World, r: ResId, span: Span, by_element: bool) {
        if let Some(st) = w.res.get_mut(&r) {
            st.status = Status::Released {
                at: span,
                by_element,
            };
            st.ev = None;
        }
        self.out.released.insert(r);
        let held_children: BTreeSet<ResId> = w
            .descendants(r)
            .into_iter()
            .filter(|c| w.res.get(c).is_some_and(|s| s.status == Status::Held))
            .collect();
        if !held_children.is_empty() && self.checking() {
            let entry = self
                .out
                .release_order
                .entry(span)
                .or_insert((r, BTreeSet::new()));
            entry.1.extend(held_children.iter().copied());
        }
        for c in w.descendants(r) {
            if let Some(st) = w.res.get_mut(&c)
                && st.status == Status::Held
            {
                st.status = Status::ReleasedByParent { at: span };
                st.ev = None;
            }
        }
    }

    // ----- exits ------------------------------------------------------------

    fn ret(&mut self, mut w: World, value: &Operand, span: Span, how: ExitHow) {
        self.run_drops(&mut w, value, span);
        let v = self.operand(&w, value);
        if let Mode::Callee = self.mode {
            let snapshot = self.snapshot(&w, value, &v);
            self.out.snapshots.push(snapshot);
            return;
        }
        match value {
            Operand::Copy(p) => {
                let p = self.canonical(p);
                self.escape_place(&mut w, &p);
            }
            _ => self.escape_arg(&mut w, &v),
        }
        if !self.checking() {
            self.out.returns.push(v);
            return;
        }
        let kind = match how {
            ExitHow::Return => ExitKind::Return,
            ExitHow::Try => ExitKind::Try,
            ExitHow::End => ExitKind::End,
        };
        self.leak_check(&w, span, kind);
    }

    /// Runs the `Drop` impls of the locals going out of scope, latest
    /// first, as Rust does; the returned value moves out instead.
    fn run_drops(&mut self, w: &mut World, value: &Operand, span: Span) {
        let returned = match value {
            Operand::Copy(p) => match p.base {
                PlaceBase::Local(l) => Some(l),
                PlaceBase::Path(_) => None,
            },
            _ => None,
        };
        for (i, local) in self.body.locals.iter().enumerate().rev() {
            let id = crate::ir::LocalId(i as u32);
            // A variable bound to a borrowed parameter is not the owner.
            let borrowed = matches!(w.get(&Place::local(id)), Val::Param(j, ref p)
                if p.is_empty() && self.body.params.get(j).is_some_and(|p| p.by_ref));
            if local.name.is_empty()
                || Some(id) == returned
                || borrowed
                || self.body.params.iter().any(|p| p.local == id)
            {
                continue;
            }
            self.drop_local(w, &Place::local(id), span);
        }
    }

    /// Runs the `Drop` impl of the value at `place` (a whole local), if its
    /// type has one and the value was not moved away.
    fn drop_local(&mut self, w: &mut World, place: &Place, span: Span) {
        let PlaceBase::Local(id) = place.base else {
            return;
        };
        if !place.proj.is_empty() {
            return;
        }
        let summaries = self.summaries;
        let ty = self.program.local_type(self.module, self.body, id);
        let Some(summary) = ty
            .as_deref()
            .and_then(|ty| self.program.drop_impl(ty))
            .and_then(|d| summaries.get(d))
            .and_then(Option::as_ref)
        else {
            return;
        };
        // Moved away (handed on, stored elsewhere): not dropped here.
        let moved = w
            .values_within(place)
            .flat_map(World::resources_in)
            .any(|r| w.res.get(&r).is_some_and(|s| s.escaped));
        if moved {
            return;
        }
        for (j, path) in &summary.releases {
            if *j != 0 {
                continue;
            }
            let mut p = place.clone();
            p.proj.extend(path.iter().cloned());
            let v = self.read(w, &p);
            self.release(w, &v, span, None);
        }
    }

    /// Whether a local's value moves (rather than copies) when assigned:
    /// its type has a `Drop` impl.
    fn moves(&self, place: &Place) -> bool {
        let PlaceBase::Local(id) = place.base else {
            return false;
        };
        place.proj.is_empty()
            && self
                .program
                .local_type(self.module, self.body, id)
                .is_some_and(|ty| self.program.drop_impl(&ty).is_some())
    }

    /// What this return leaves for the caller (callee mode).
    fn snapshot(&self, w: &World, value: &Operand, v: &Val) -> ReturnSnapshot {
        let variant = match v {
            Val::Variant(k) => Some(k.clone()),
            _ => None,
        };
        let params = self
            .param_ids
            .iter()
            .map(|(key, r)| {
                let st = w.res.get(r);
                let under_empty = self.param_ids.iter().any(|(k, q)| {
                    k.0 == key.0
                        && key.1.starts_with(&k.1)
                        && w.res.get(q).is_some_and(|s| s.status == Status::Absent)
                });
                let fate = match st {
                    _ if under_empty => ParamFate::Empty,
                    Some(st) if st.status == Status::Absent => ParamFate::Empty,
                    Some(st)
                        if matches!(
                            st.status,
                            Status::Released { .. } | Status::ReleasedByParent { .. }
                        ) =>
                    {
                        ParamFate::Released
                    }
                    Some(st) if st.escaped => ParamFate::Taken,
                    _ => ParamFate::Kept,
                };
                let at = match st.map(|s| &s.status) {
                    Some(Status::Released { at, .. } | Status::ReleasedByParent { at }) => {
                        Some(*at)
                    }
                    _ => None,
                };
                (key.clone(), fate, at)
            })
            .collect();
        let own = |r: &ResId| {
            let st = w.res.get(r);
            self.out.sites[r.0 as usize].param.is_none()
                && st.is_some_and(|s| s.status == Status::Held)
        };
        let parent_of = |r: &ResId| {
            w.res
                .get(r)
                .and_then(|s| s.parent)
                .and_then(|p| self.out.sites[p.0 as usize].param.clone())
        };
        let mut handed = Vec::new();
        match value {
            Operand::Copy(p) => {
                let p = self.canonical(p);
                for (q, val) in w
                    .places
                    .range(p.clone()..)
                    .take_while(|(q, _)| q.starts_with(&p))
                {
                    for r in World::resources_in(val).iter().filter(|r| own(r)) {
                        let path = q.proj[p.proj.len()..].to_vec();
                        handed.push((*r, summary::Place::Return(path), parent_of(r)));
                    }
                }
            }
            _ => {
                for r in World::resources_in(v).iter().filter(|r| own(r)) {
                    handed.push((*r, summary::Place::Return(Vec::new()), parent_of(r)));
                }
            }
        }
        for (q, val) in &w.places {
            let Some((j, path)) = self.param_target(w, q) else {
                continue;
            };
            for r in World::resources_in(val).iter().filter(|r| own(r)) {
                handed.push((*r, summary::Place::Param(j, path.clone()), parent_of(r)));
            }
        }
        let code_conditional = match v {
            Val::Code { ev, success, .. } => handed
                .iter()
                .filter(|(r, _, _)| w.res.get(r).is_some_and(|st| st.ev == Some(*ev)))
                .map(|(r, _, _)| (*r, *success))
                .collect(),
            _ => Vec::new(),
        };
        let returned_param = match v {
            Val::Param(j, path) => Some((*j, path.clone())),
            _ => None,
        };
        ReturnSnapshot {
            variant,
            params,
            handed,
            code_conditional,
            returned_param,
        }
    }

    fn leak_check(&mut self, w: &World, span: Span, kind: ExitKind) {
        if !self.checking() {
            return;
        }
        for (r, st) in &w.res {
            if st.status != Status::Held || st.escaped {
                continue;
            }
            let site = &self.out.sites[r.0 as usize];
            if site.param.is_some() {
                // The caller's: its lifetime does not end here.
                continue;
            }
            if site.kind == ResourceKind::RequestRecipient {
                // A registration lives as long as its line app: it leaks
                // only with an app that leaks here.
                let owner_leaks = st
                    .parent
                    .and_then(|p| w.res.get(&p))
                    .is_some_and(|p| p.status == Status::Held && !p.escaped);
                if !owner_leaks {
                    continue;
                }
            }
            self.record_leak(*r, span, kind);
        }
    }

    fn record_leak(&mut self, r: ResId, span: Span, kind: ExitKind) {
        if !self.checking() {
            return;
        }
        let entry = self.out.leaks.entry(r).or_insert((span, kind));
        if span < entry.0 {
            *entry = (span, kind);
        }
    }

    // ----- branches ------------------------------------------------------

    fn for_each(
        &mut self,
        mut w: World,
        collection: &Operand,
        first: bool,
        body: NodeIndex,
        exit: NodeIndex,
    ) -> Vec<(NodeIndex, World)> {
        if !first {
            return vec![(body, w.clone()), (exit, w)];
        }
        // Looping over what the caller passed: when the loop is skipped,
        // the collection was empty and its elements need no release.
        if let Operand::Copy(p) = collection {
            let p = self.through_derefs(&w, p);
            if let Val::Param(j, mut path) = self.read(&w, &p) {
                path.push(Proj::AnyIndex);
                let mut empty = w.clone();
                let r = self.pseudo(&mut empty, j, &path, None);
                if let Some(st) = empty.res.get_mut(&r) {
                    st.status = Status::Absent;
                }
                return vec![(body, w), (exit, empty)];
            }
        }
        let place = match collection {
            Operand::Copy(p) => Some(self.canonical(p)),
            _ => None,
        };
        let v = self.operand(&w, collection);
        let nonempty = match &v {
            Val::Aggregate { nonempty } => *nonempty,
            Val::Int(lo, hi) if *lo > 0 => {
                let _ = hi;
                Some(true)
            }
            Val::Int(0, 0) => Some(false),
            _ => None,
        };
        match nonempty {
            Some(true) => vec![(body, w)],
            Some(false) => vec![(exit, w)],
            None => {
                let mut empty = w.clone();
                if let Some(p) = &place
                    && p.proj.is_empty()
                    && matches!(p.base, PlaceBase::Local(_))
                {
                    // Remember which way this went: a later loop over the
                    // same collection (or bound) goes the same way.
                    let (full, none) = match v {
                        Val::Int(_, hi) => (Val::Int(1, hi.max(1)), Val::Int(0, 0)),
                        _ => (
                            Val::Aggregate {
                                nonempty: Some(true),
                            },
                            Val::Aggregate {
                                nonempty: Some(false),
                            },
                        ),
                    };
                    w.places.insert(p.clone(), full);
                    empty.places.insert(p.clone(), none);
                }
                vec![(body, w), (exit, empty)]
            }
        }
    }

    /// The world on the side of a branch where `v` is `truth`, or `None`
    /// when that side cannot happen.
    fn refine(&mut self, mut w: World, v: &Val, truth: bool) -> Option<World> {
        match v {
            Val::Bool(b) => (*b == truth).then_some(w),
            Val::Pred(p) => match &**p {
                Pred::Not(inner) => self.refine(w, inner, !truth),
                Pred::Cmp(op, a, b) => self.refine_cmp(w, *op, a, b, truth),
                Pred::Matches(place, pat) => {
                    let val = self.read(&w, place);
                    self.refine_test(w, &val, Some(place), pat, truth)
                }
                Pred::MatchesVal(val, pat) => self.refine_test(w, val, None, pat, truth),
            },
            Val::Mapped {
                ev,
                success,
                mapper,
            } => {
                // `if ok(rc)` with a helper returning `bool`.
                let classes = self.classes(&w, *ev, *success);
                let keep: Vec<CodeClass> = classes
                    .into_iter()
                    .filter(|c| match &mapper.results[*c as usize] {
                        Some(Val::Bool(b)) => *b == truth,
                        _ => true,
                    })
                    .collect();
                self.restrict(&mut w, *ev, *success, &keep).then_some(w)
            }
            _ => Some(w),
        }
    }

    /// The classes a code can be in on this path.
    fn classes(&self, w: &World, ev: EvId, success: SuccessClass) -> Vec<CodeClass> {
        // Synchronous functions return 0 or an error, asynchronous ones a
        // request id or an error.
        let possible: &[CodeClass] = match success {
            SuccessClass::Zero => &[CodeClass::Zero, CodeClass::Negative],
            SuccessClass::Positive => &[CodeClass::Positive, CodeClass::Negative],
            SuccessClass::Any => &CodeClass::ALL,
        };
        let outcome = w.outcome(ev);
        possible
            .iter()
            .copied()
            .filter(|c| SuccessClass::of(outcome, *c, success))
            .collect()
    }

    /// Keeps only the paths where the code is in one of `keep`.
    fn restrict(&self, w: &mut World, ev: EvId, success: SuccessClass, keep: &[CodeClass]) -> bool {
        if success == SuccessClass::Any {
            return !keep.is_empty();
        }
        let outcomes: BTreeSet<Outcome> = keep.iter().map(|c| success.outcome(*c)).collect();
        match outcomes.len() {
            0 => false,
            1 => {
                let o = *outcomes.iter().next().expect("one");
                if w.outcome(ev) != o {
                    w.set_outcome(ev, o);
                }
                true
            }
            _ => true,
        }
    }

    fn refine_cmp(
        &mut self,
        mut w: World,
        op: CmpOp,
        a: &Val,
        b: &Val,
        truth: bool,
    ) -> Option<World> {
        let (op, a, b) = match (a, b) {
            (Val::Int(..), Val::Code { .. } | Val::Handle(_)) => (op.flip(), b, a),
            _ => (op, a, b),
        };
        match (a, b) {
            (
                Val::Code {
                    ev,
                    success,
                    unsigned,
                },
                Val::Int(..),
            ) => {
                let keep: Vec<CodeClass> = self
                    .classes(&w, *ev, *success)
                    .into_iter()
                    .filter(|c| {
                        let (lo, hi) = c.interval(unsigned.is_some());
                        let (can_true, can_false) = compare(&Val::Int(lo, hi), op, b);
                        if truth { can_true } else { can_false }
                    })
                    .collect();
                self.restrict(&mut w, *ev, *success, &keep).then_some(w)
            }
            (Val::Param(j, path), Val::Int(0, 0))
                if matches!(op, CmpOp::Eq | CmpOp::Ne) && ((op == CmpOp::Eq) == truth) =>
            {
                // The caller passed nothing on this path.
                let r = self.pseudo(&mut w, *j, path, None);
                if let Some(st) = w.res.get_mut(&r) {
                    st.status = Status::Absent;
                }
                Some(w)
            }
            (Val::Handle(r), Val::Int(0, 0)) => {
                let is_zero = (op == CmpOp::Eq) == truth;
                if matches!(op, CmpOp::Eq | CmpOp::Ne) && is_zero {
                    // A handle that holds 0 holds nothing.
                    if let Some(st) = w.res.get(r).cloned() {
                        match (st.status, st.ev) {
                            (Status::Held, Some(ev)) => w.set_outcome(ev, Outcome::Failure),
                            (Status::Held, None) => {
                                if let Some(s) = w.res.get_mut(r) {
                                    s.status = Status::Absent;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Some(w)
            }
            (Val::Int(..), Val::Int(..)) => {
                let (can_true, can_false) = compare(a, op, b);
                (if truth { can_true } else { can_false }).then_some(w)
            }
            _ => Some(w),
        }
    }

    fn refine_test(
        &mut self,
        mut w: World,
        v: &Val,
        place: Option<&Place>,
        pat: &Pat,
        truth: bool,
    ) -> Option<World> {
        match pat {
            Pat::Any => truth.then_some(w),
            Pat::Unknown => Some(w),
            Pat::Int(k) => self.refine_cmp(w, CmpOp::Eq, v, &Val::Int(*k, *k), truth),
            Pat::Bool(b) => self.refine(w, v, *b == truth),
            Pat::Const(path) => match const_value(path) {
                Val::Int(lo, hi) if lo == hi => {
                    self.refine_cmp(w, CmpOp::Eq, v, &Val::Int(lo, hi), truth)
                }
                // One of a family of error codes: matching it means failure;
                // not matching tells nothing.
                c @ Val::Int(..) if truth => self.refine_cmp(w, CmpOp::Eq, v, &c, true),
                _ => Some(w),
            },
            Pat::Range(lo, hi) => {
                let lo = lo.unwrap_or(i128::MIN / 4);
                let hi = hi.unwrap_or(i128::MAX / 4);
                if truth {
                    let w = self.refine_cmp(w, CmpOp::Ge, v, &Val::Int(lo, lo), true)?;
                    self.refine_cmp(w, CmpOp::Le, v, &Val::Int(hi, hi), true)
                } else {
                    // Outside: below or above; keep the path unless both are impossible.
                    let below = self.refine_cmp(w.clone(), CmpOp::Lt, v, &Val::Int(lo, lo), true);
                    let above = self.refine_cmp(w.clone(), CmpOp::Gt, v, &Val::Int(hi, hi), true);
                    match (below, above) {
                        (Some(b), None) => Some(b),
                        (None, Some(a)) => Some(a),
                        (None, None) => None,
                        (Some(_), Some(_)) => Some(w),
                    }
                }
            }
            Pat::Or(cases) => {
                if truth {
                    let feasible: Vec<World> = cases
                        .iter()
                        .filter_map(|c| self.refine_test(w.clone(), v, place, c, true))
                        .collect();
                    match feasible.len() {
                        0 => None,
                        1 => feasible.into_iter().next(),
                        _ => Some(w),
                    }
                } else {
                    cases
                        .iter()
                        .try_fold(w, |w, c| self.refine_test(w, v, place, c, false))
                }
            }
            Pat::Variant(key, subpats) => {
                let key = variant_key(key);
                let subpats_trivial = subpats.iter().all(|p| matches!(p, Pat::Any));
                match v {
                    Val::Variant(k) => {
                        let same = variant_matches(&key, k);
                        if same {
                            if truth || !subpats_trivial {
                                Some(w)
                            } else {
                                None
                            }
                        } else {
                            (!truth).then_some(w)
                        }
                    }
                    Val::Mapped {
                        ev,
                        success,
                        mapper,
                    } => {
                        let keep: Vec<CodeClass> = self
                            .classes(&w, *ev, *success)
                            .into_iter()
                            .filter(|c| match &mapper.results[*c as usize] {
                                Some(Val::Variant(k)) => {
                                    let same = variant_matches(&key, k);
                                    if truth {
                                        same
                                    } else {
                                        !same || !subpats_trivial
                                    }
                                }
                                _ => true,
                            })
                            .collect();
                        self.restrict(&mut w, *ev, *success, &keep).then_some(w)
                    }
                    Val::Param(j, path) => {
                        // `None`/`Err` from what the caller passed: nothing
                        // is held on this path.
                        let empty = (key == crate::lower::FAILURE) == truth;
                        if empty && subpats_trivial {
                            let r = self.pseudo(&mut w, *j, path, None);
                            if let Some(st) = w.res.get_mut(&r) {
                                st.status = Status::Absent;
                            }
                        }
                        Some(w)
                    }
                    Val::Unknown => {
                        if let Some(p) = place
                            && subpats_trivial
                        {
                            let known = if truth {
                                Some(key.clone())
                            } else {
                                opposite_variant(&key)
                            };
                            if let Some(k) = known {
                                w.places.insert(p.clone(), Val::Variant(k));
                            }
                        }
                        Some(w)
                    }
                    _ => Some(w),
                }
            }
        }
    }
}

/// Drops values of locals no later code reads, unless they hold handles
/// (a dead variable still holds its handle until the function ends).
fn forget_dead(w: &mut World, live: &BTreeSet<crate::ir::LocalId>) {
    w.places.retain(|p, v| match p.base {
        PlaceBase::Local(l) => live.contains(&l) || !World::resources_in(v).is_empty(),
        PlaceBase::Path(_) => true,
    });
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DropCall {
    /// `drop(x)`, `mem::drop(x)`.
    Drop,
    /// `mem::forget(x)`.
    Forget,
}

fn drop_call(path: &[String]) -> Option<DropCall> {
    match path {
        [.., m, f] if m == "mem" && f == "drop" => Some(DropCall::Drop),
        [.., m, f] if m == "mem" && f == "forget" => Some(DropCall::Forget),
        _ => None,
    }
}

/// Steps that do not change which handle a path names: a dereference, or
/// the payload of `Some`/`Ok` (what a `OnceLock::get` hands back).
fn is_transparent(p: &Proj) -> bool {
    match p {
        Proj::Deref => true,
        Proj::Variant(k, 0) => k == crate::lower::SUCCESS,
        _ => false,
    }
}

/// The values stored inside `place`, by their path below it.
fn parts_of(w: &World, place: &Place) -> Vec<(Vec<Proj>, Val)> {
    w.places
        .range(place.clone()..)
        .take_while(|(p, _)| p.starts_with(place))
        .filter(|(p, _)| p.proj.len() > place.proj.len())
        .map(|(p, v)| (p.proj[place.proj.len()..].to_vec(), v.clone()))
        .collect()
}

fn escape(w: &mut World, r: ResId) {
    if let Some(st) = w.res.get_mut(&r) {
        st.escaped = true;
    }
}

fn elements_of_set(w: &World, coll: &Place) -> BTreeSet<ResId> {
    w.values_within(coll)
        .flat_map(World::resources_in)
        .collect()
}

/// Any element of the collection at `coll`.
fn elements_of(w: &World, coll: &Place) -> Val {
    // An element of what the caller passed is the caller's, at `[..]`.
    if let Val::Param(j, mut path) = w.get(coll) {
        path.push(Proj::AnyIndex);
        return Val::Param(j, path);
    }
    let set = elements_of_set(w, coll);
    if set.is_empty() {
        Val::Unknown
    } else {
        Val::Elements(set)
    }
}

fn success_class(s: Success) -> SuccessClass {
    match s {
        Success::Positive => SuccessClass::Positive,
        Success::Zero | Success::Ok => SuccessClass::Zero,
    }
}

fn variant_key(name: &str) -> String {
    crate::lower::variant_key(name)
}

fn variant_matches(pattern: &str, value: &str) -> bool {
    pattern == value
}

fn opposite_variant(key: &str) -> Option<String> {
    let (s, f) = (crate::lower::SUCCESS, crate::lower::FAILURE);
    if key == s {
        Some(f.to_string())
    } else if key == f {
        Some(s.to_string())
    } else {
        None
    }
}

/// Whether a flag argument is non-zero (`TRUE`, `1`, `VARIANT_TRUE`).
fn truthiness(v: &Val) -> Option<bool> {
    match v {
        Val::Int(0, 0) | Val::Bool(false) => Some(false),
        Val::Int(lo, hi) if *lo > 0 || *hi < 0 => Some(true),
        Val::Bool(true) => Some(true),
        _ => None,
    }
}

/// Whether `a op b` can be true, and whether it can be false, for values in
/// the intervals.
fn compare(a: &Val, op: CmpOp, b: &Val) -> (bool, bool) {
    let (Val::Int(al, ah), Val::Int(bl, bh)) = (a, b) else {
        return (true, true);
    };
    let (al, ah, bl, bh) = (*al, *ah, *bl, *bh);
    let lt_possible = al < bh;
    let lt_certain = ah < bl;
    let eq_possible = al <= bh && bl <= ah;
    let eq_certain = al == ah && bl == bh && al == bl;
    let gt_possible = ah > bl;
    let gt_certain = al > bh;
    match op {
        CmpOp::Eq => (eq_possible, !eq_certain),
        CmpOp::Ne => (!eq_certain, eq_possible),
        CmpOp::Lt => (lt_possible, !lt_certain),
        CmpOp::Le => (
            lt_possible || eq_possible,
            !(lt_certain || eq_certain || ah <= bl),
        ),
        CmpOp::Gt => (gt_possible, !gt_certain),
        CmpOp::Ge => (gt_possible || eq_possible, !(gt_certain || al >= bh)),
    }
}

fn cast(v: Val, ty: &str, span: Span) -> Val {
    let unsigned = matches!(
        ty,
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "DWORD" | "HRESULT_U"
    );
    let signed = matches!(ty, "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "LONG");
    match v {
        Val::Code { ev, success, .. } if unsigned => Val::Code {
            ev,
            success,
            unsigned: Some(span),
        },
        Val::Code { ev, success, .. } if signed => Val::Code {
            ev,
            success,
            unsigned: None,
        },
        Val::Int(lo, hi) if ty == "i32" && lo > i32::MAX as i128 && hi <= u32::MAX as i128 => {
            Val::Int(lo - (1 << 32), hi - (1 << 32))
        }
        Val::Int(lo, hi) if ty == "u32" && hi < 0 && lo >= i32::MIN as i128 => {
            Val::Int(lo + (1 << 32), hi + (1 << 32))
        }
        v @ (Val::Int(..) | Val::Ptr(_) | Val::Handle(_) | Val::Elements(_)) => v,
        _ => Val::Unknown,
    }
}

/// The value of a named constant the analysis knows: TAPI error codes are
/// families (`LINEERR_*` are `0x8000_00xx` as `u32`).
fn const_value(segs: &[String]) -> Val {
    let Some(name) = segs.last() else {
        return Val::Unknown;
    };
    let name = name.as_str();
    if name.starts_with("LINEERR_") {
        Val::Int(0x8000_0001, 0x8000_0FFF)
    } else if name.starts_with("PHONEERR_") {
        Val::Int(0x9000_0001, 0x9000_0FFF)
    } else if name.starts_with("TAPIERR_") {
        Val::Int(-100, -1)
    } else {
        match name {
            "TRUE" => Val::Int(1, 1),
            "FALSE" | "VARIANT_FALSE" | "S_OK" | "NO_ERROR" | "ERROR_SUCCESS" => Val::Int(0, 0),
            "VARIANT_TRUE" => Val::Int(-1, -1),
            _ => Val::Unknown,
        }
    }
}

fn is_process_exit(path: &[String]) -> bool {
    let n = path.len();
    n >= 2 && path[n - 2] == "process" && matches!(path[n - 1].as_str(), "exit" | "abort")
}

/// Calls that never return and are not a leak path.
fn is_diverging(path: &[String]) -> bool {
    let n = path.len();
    n >= 2
        && path[n - 2] == "panic"
        && matches!(path[n - 1].as_str(), "panic_any" | "resume_unwind")
}

fn is_collection_constructor(path: &[String]) -> bool {
    let n = path.len();
    n >= 2
        && matches!(
            path[n - 2].as_str(),
            "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet"
        )
        && matches!(path[n - 1].as_str(), "new" | "with_capacity" | "default")
}

/// The standard library: it does not take ownership of a handle to release
/// it (a handle passed to `drop` or `mem::forget` is not released either).
fn is_std(path: &[String]) -> bool {
    path.first()
        .is_some_and(|s| matches!(s.as_str(), "std" | "core" | "alloc"))
        || (path.len() == 2
            && matches!(
                path[0].as_str(),
                "Vec"
                    | "String"
                    | "Box"
                    | "Option"
                    | "Result"
                    | "u32"
                    | "i32"
                    | "usize"
                    | "u64"
                    | "i64"
            ))
}
