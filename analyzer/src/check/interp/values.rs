//! Places and values: reading, writing, escaping, and what an rvalue
//! evaluates to.

use super::*;

impl Interp<'_> {
    /// Statics are named by their canonical path so every spelling agrees.
    pub(super) fn canonical(&self, place: &Place) -> Place {
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
    pub(super) fn through_derefs(&self, w: &World, place: &Place) -> Place {
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
                // `*out` of a parameter is the caller's memory: keep it.
                Val::Param(..) => break,
                // `*h` of a handle bound by iteration, `*boxed` of a value
                // behind a smart pointer: the value itself.
                _ => {
                    place = prefix;
                    place.proj.extend(rest);
                }
            }
        }
        // Auto-deref: `t.app` where `t` holds a reference to a place.
        for _ in 0..8 {
            let through = (0..place.proj.len()).rev().find_map(|i| {
                let prefix = Place {
                    base: place.base.clone(),
                    proj: place.proj[..i].to_vec(),
                };
                match w.get(&prefix) {
                    Val::Ptr(mut target) => {
                        target.proj.extend(place.proj[i..].iter().cloned());
                        Some(target)
                    }
                    _ => None,
                }
            });
            match through {
                Some(p) => place = p,
                None => break,
            }
        }
        place
    }

    pub(super) fn is_static_place(&self, place: &Place) -> bool {
        match &place.base {
            PlaceBase::Path(segs) => self.resolver.is_static(segs),
            PlaceBase::Local(_) => false,
        }
    }

    pub(super) fn read(&self, w: &World, place: &Place) -> Val {
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

    pub(super) fn operand(&self, w: &World, op: &Operand) -> Val {
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
    pub(super) fn param_target(&self, w: &World, place: &Place) -> Option<(usize, Vec<Proj>)> {
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

    pub(super) fn escapes_through(&self, w: &World, place: &Place) -> bool {
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

    pub(super) fn write(&mut self, w: &mut World, place: &Place, val: Val, span: Span) {
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
    pub(super) fn check_overwrite(
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
    pub(super) fn resources_of(
        &mut self,
        w: &mut World,
        val: &Val,
        kind: Option<ResourceKind>,
    ) -> Vec<ResId> {
        match val {
            Val::Param(j, path) => vec![self.pseudo(w, *j, path, kind)],
            other => World::resources_in(other),
        }
    }

    /// The pseudo-resource for parameter path `(j, path)`: something the
    /// caller owns, tracked so a release, a second release or a hand-over
    /// inside this body is seen.
    pub(super) fn pseudo(
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

    pub(super) fn param_name(&self, j: usize, path: &[Proj]) -> Option<String> {
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

    pub(super) fn escape_val(&mut self, w: &mut World, val: &Val) {
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

    pub(super) fn escape_place(&mut self, w: &mut World, place: &Place) {
        let vals: Vec<Val> = w.values_within(place).cloned().collect();
        for v in vals {
            for r in self.resources_of(w, &v, None) {
                escape(w, r);
            }
        }
    }

    pub(super) fn assign(&mut self, w: &mut World, place: &Place, value: &Rvalue, span: Span) {
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
                    AggregateKind::Variant(name) => (
                        Val::Variant(crate::lower::variant_key(name)),
                        Some(crate::lower::variant_key(name)),
                    ),
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

    pub(super) fn rvalue(&mut self, w: &mut World, value: &Rvalue, span: Span) -> Val {
        match value {
            Rvalue::Use(op) => self.operand(w, op),
            Rvalue::Cast {
                operand, ty, span, ..
            } => {
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
}

/// Drops values of locals no later code reads, unless they hold handles
/// (a dead variable still holds its handle until the function ends).
pub(super) fn forget_dead(w: &mut World, live: &BTreeSet<crate::ir::LocalId>) {
    // What was written behind a pointer (`*out = 0`) is the caller's memory,
    // and so is the parameter it went through: both outlive the variable.
    w.places.retain(|p, v| match p.base {
        PlaceBase::Local(l) => {
            live.contains(&l)
                || !World::resources_in(v).is_empty()
                || p.proj.contains(&Proj::Deref)
                || matches!(v, Val::Param(..))
        }
        PlaceBase::Path(_) => true,
    });
}

/// Steps that do not change which handle a path names: a dereference, or
/// the payload of `Some`/`Ok` (what a `OnceLock::get` hands back).
pub(super) fn is_transparent(p: &Proj) -> bool {
    match p {
        Proj::Deref => true,
        Proj::Variant(k, 0) => k == crate::lower::SUCCESS,
        _ => false,
    }
}

/// The values stored inside `place`, by their path below it.
pub(super) fn parts_of(w: &World, place: &Place) -> Vec<(Vec<Proj>, Val)> {
    w.places
        .range(place.clone()..)
        .take_while(|(p, _)| p.starts_with(place))
        .filter(|(p, _)| p.proj.len() > place.proj.len())
        .map(|(p, v)| (p.proj[place.proj.len()..].to_vec(), v.clone()))
        .collect()
}

pub(super) fn escape(w: &mut World, r: ResId) {
    if let Some(st) = w.res.get_mut(&r) {
        st.escaped = true;
    }
}

pub(super) fn elements_of_set(w: &World, coll: &Place) -> BTreeSet<ResId> {
    w.values_within(coll)
        .flat_map(World::resources_in)
        .collect()
}

/// Any element of the collection at `coll`.
pub(super) fn elements_of(w: &World, coll: &Place) -> Val {
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
