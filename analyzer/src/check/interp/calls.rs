//! Calls: of crate functions (through their summaries), of closures, and of
//! the standard library's collection and cell methods.

use super::*;

impl Interp<'_> {
    pub(super) fn call(&mut self, w: &mut World, call: &Call) -> Flow {
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

    pub(super) fn call_inner(&mut self, w: &mut World, call: &Call) -> Flow {
        let args: Vec<Val> = call.args.iter().map(|a| self.arg_value(w, a)).collect();
        let summaries = self.summaries;
        if let Some(t) = self.program.target(self.module, self.body, call)
            && let Some(Some(summary)) = summaries.get(t)
        {
            if summary.pending {
                // A recursive partner still being summarised: no effect yet,
                // and this path is left out of the verdict on parameters.
                w.through_pending = true;
                self.write(w, &call.dest, Val::Unknown, call.span);
                return Flow::Continue;
            }
            match summary.never_returns {
                // `fatal()` that calls `process::exit`: the program ends here.
                Some(summary::Ending::Exit) => {
                    self.out.exits_process = true;
                    self.leak_check(w, call.span, ExitKind::ProcessExit);
                    return Flow::Stop;
                }
                Some(summary::Ending::Panic) => return Flow::Stop,
                None => {}
            }
            self.apply_summary(w, call, summary, &args);
            return Flow::Continue;
        }
        let dest_val = match &call.callee {
            Callee::Path { path, .. } => {
                let canon = self
                    .resolver
                    .resolve(self.module, path)
                    .unwrap_or_else(|| path.clone());
                if let Some(f) = self.program.tapi_function(&canon) {
                    self.havoc_out_args(w, call, 0);
                    self.tapi_call(w, call, f, &args)
                } else if is_process_exit(&canon) {
                    self.out.exits_process = true;
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
                match crate::check::com::method(self.program, self.module, self.body, call, name) {
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
    pub(super) fn apply_summary(&mut self, w: &mut World, call: &Call, s: &Summary, args: &[Val]) {
        for (j, path) in &s.releases {
            let v = self.value_in_arg(w, call, args, *j, path);
            self.release(w, &v, call.span, None);
        }
        for (j, path) in &s.takes {
            let v = self.value_in_arg(w, call, args, *j, path);
            self.escape_arg(w, &v);
        }
        // What the callee left at 0 in the caller's memory.
        for (j, path) in &s.zeroes {
            let target = if *j >= STATIC_BASE {
                self.program.statics.get(j - STATIC_BASE).map(|st| Place {
                    base: PlaceBase::Path(st.clone()),
                    proj: Vec::new(),
                })
            } else {
                match args.get(*j) {
                    Some(Val::Ptr(p)) => Some(p.clone()),
                    _ => None,
                }
            };
            if let Some(mut place) = target {
                place.proj.extend(path.iter().cloned());
                self.write(w, &place, Val::Int(0, 0), call.span);
            }
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
            (Some(ev), _) => ok_when_success(ev),
        };
        self.write(w, &call.dest, dest, call.span);
        // The caller's own values handed back inside the result.
        for (rpath, (j, ppath)) in &s.passthrough {
            let source = match (args.get(*j), call.args.get(*j)) {
                (Some(Val::Ptr(p)), _) | (_, Some(Operand::Copy(p))) if *j < STATIC_BASE => {
                    let mut p = p.clone();
                    p.proj.extend(ppath.iter().cloned());
                    Some(p)
                }
                _ => None,
            };
            if let Some(source) = source {
                let mut target = call.dest.clone();
                target.proj.extend(rpath.iter().cloned());
                self.assign(w, &target, &Rvalue::Use(Operand::Copy(source)), call.span);
            }
        }
        // What it acquired goes on top (`station.line = new_line`).
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
                summary::Place::Param(j, path) => match (args.get(*j), call.args.get(*j)) {
                    (Some(Val::Ptr(p)), _) => {
                        let mut p = p.clone();
                        p.proj.extend(path.iter().cloned());
                        Some(p)
                    }
                    // Forwarded from this body's own `&mut` parameter: the
                    // resource lands in our caller's memory, `*out`.
                    (Some(Val::Param(..)), Some(Operand::Copy(p))) => {
                        let mut p = p.project(Proj::Deref);
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
    pub(super) fn apply_fn(
        &mut self,
        w: &mut World,
        call: &Call,
        function: usize,
        captures: Vec<Val>,
        args: &[Val],
    ) {
        let summaries = self.summaries;
        let Some(Some(summary)) = summaries.get(function) else {
            // No summary: it calls no TAPI, releases nothing and stores
            // nothing into a static (see `touches_tapi`), so what it was
            // given is still the caller's.
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
    pub(super) fn run_closure_args(&mut self, w: &mut World, call: &Call, args: &[Val]) -> bool {
        self.run_closure_args_with(w, call, args, &[])
    }

    /// Likewise, passing `inputs` as the closure's own arguments.
    pub(super) fn run_closure_args_with(
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
    pub(super) fn store_acquired(
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
    pub(super) fn value_in_arg(
        &self,
        w: &World,
        call: &Call,
        args: &[Val],
        j: usize,
        path: &[Proj],
    ) -> Val {
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
    pub(super) fn arg_value(&self, w: &World, op: &Operand) -> Val {
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
    pub(super) fn havoc_out_args(&self, w: &mut World, call: &Call, first: usize) {
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

    pub(super) fn escape_arg(&mut self, w: &mut World, a: &Val) {
        match a {
            Val::Ptr(p) => {
                let p = p.clone();
                self.escape_place(w, &p);
            }
            other => self.escape_val(w, other),
        }
    }

    pub(super) fn escape_closures(&mut self, w: &mut World, args: &[Val]) {
        for a in args {
            if let Val::Closure(set) = a {
                for r in set {
                    escape(w, *r);
                }
            }
        }
    }

    /// `check(rc)` where `check` maps codes to a `Result`.
    pub(super) fn mapped(&self, canon: &[String], args: &[Val]) -> Option<Val> {
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

    pub(super) fn method(&mut self, w: &mut World, call: &Call, name: &str, args: &[Val]) -> Val {
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
                    // It returns a reference to the cell.
                    let cell = cell.clone();
                    if self.run_closure_args(w, call, &args[1..]) {
                        let result = Rvalue::Use(Operand::Copy(call.dest.clone()));
                        self.assign(w, &cell, &result, call.span);
                    }
                    return Val::Ptr(cell);
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
            | "send" | "for_each" | "try_for_each" | "inspect" | "filter_map" | "flat_map"
            | "map_while" | "then" | "then_some" | "is_some_and" | "is_ok_and"
            | "or_insert_with" | "get_or_insert_with" => {
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
}
