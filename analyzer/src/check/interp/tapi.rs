//! TAPI calls: what TAPI 2 functions and TAPI 3 methods acquire, release and
//! use, with the checks on uses and releases.

use super::*;

impl Interp<'_> {
    pub(super) fn event(&mut self, span: Span, function: &'static str) -> EvId {
        let next = EvId(self.events.len() as u32);
        let ev = *self.events.entry(span).or_insert(next);
        self.event_functions.insert(ev, function);
        ev
    }

    pub(super) fn site(
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

    pub(super) fn tapi_call(
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
                let mut returned = None;
                for (k, c) in creates.iter().enumerate() {
                    // A shim that returns the handle itself (declared in the
                    // configuration): held when it is non-zero, which is
                    // what `h == 0` refines.
                    if c.out == Slot::Return {
                        let r = self.site(call, k, c.kind, f.name, None);
                        let parent = match c.parent {
                            ParentSlot::Handle(Slot::Arg(j)) => match args.get(j) {
                                Some(Val::Handle(p)) => Some(*p),
                                _ => None,
                            },
                            _ => None,
                        };
                        w.res.insert(
                            r,
                            ResState {
                                status: Status::Held,
                                ev: Some(ev),
                                parent,
                                escaped: false,
                                release_on: None,
                            },
                        );
                        returned = Some(r);
                        continue;
                    }
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
                match returned {
                    Some(r) => Val::Handle(r),
                    None => Val::Code {
                        ev,
                        success,
                        unsigned: None,
                    },
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
    pub(super) fn registration(
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
    pub(super) fn com_call(
        &mut self,
        w: &mut World,
        call: &Call,
        m: &'static tapi_model::Method,
        args: &[Val],
    ) {
        let session = match args.first() {
            Some(Val::Ptr(p)) => Some(p.project(Proj::Field(crate::check::com::SESSION.into()))),
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
                    Some(ev) => ok_when_success(ev),
                    None => Val::Unknown,
                }
            }
            Effect::Acquire { creates, .. } => {
                let ev = self.event(call.span, m.name);
                w.set_outcome(ev, Outcome::Unknown);
                let dest = ok_when_success(ev);
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

    pub(super) fn place_name(&self, op: &Operand) -> Option<String> {
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

    pub(super) fn check_use(&mut self, w: &World, r: ResId, span: Span) {
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

    pub(super) fn release(
        &mut self,
        w: &mut World,
        v: &Val,
        span: Span,
        kind: Option<ResourceKind>,
    ) {
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

    pub(super) fn set_released(&mut self, w: &mut World, r: ResId, span: Span, by_element: bool) {
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
}
