//! Leaving a body: returns, `Drop`s, leak checks, and what a callee leaves
//! its caller (the snapshots summaries are made from).

use super::*;

impl Interp<'_> {
    pub(super) fn ret(&mut self, mut w: World, value: &Operand, span: Span, how: ExitHow) {
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
    pub(super) fn run_drops(&mut self, w: &mut World, value: &Operand, span: Span) {
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
    pub(super) fn drop_local(&mut self, w: &mut World, place: &Place, span: Span) {
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
    pub(super) fn moves(&self, place: &Place) -> bool {
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
    pub(super) fn snapshot(&self, w: &World, value: &Operand, v: &Val) -> ReturnSnapshot {
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
        // Parts of the return value that are what the caller passed.
        let passthrough = match value {
            Operand::Copy(p) => {
                let p = self.canonical(p);
                w.places
                    .range(p.clone()..)
                    .take_while(|(q, _)| q.starts_with(&p))
                    .filter(|(q, _)| q.proj.len() > p.proj.len())
                    .filter_map(|(q, v)| match v {
                        Val::Param(j, path) => {
                            Some((q.proj[p.proj.len()..].to_vec(), (*j, path.clone())))
                        }
                        _ => None,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        // What the caller's memory holds 0 at: written so, or found so.
        let mut zeroed: Vec<summary::ParamPath> = w
            .places
            .iter()
            .filter(|(_, v)| **v == Val::Int(0, 0))
            .filter_map(|(q, _)| self.param_target(w, q))
            .collect();
        zeroed.extend(
            self.param_ids
                .iter()
                .filter(|(_, r)| w.res.get(r).is_some_and(|s| s.status == Status::Absent))
                .map(|(k, _)| k.clone()),
        );
        ReturnSnapshot {
            variant,
            params,
            handed,
            code_conditional,
            returned_param,
            zeroed,
            through_pending: w.through_pending,
            passthrough,
        }
    }

    pub(super) fn leak_check(&mut self, w: &World, span: Span, kind: ExitKind) {
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

    pub(super) fn record_leak(&mut self, r: ResId, span: Span, kind: ExitKind) {
        if !self.checking() {
            return;
        }
        let entry = self.out.leaks.entry(r).or_insert((span, kind));
        if span < entry.0 {
            *entry = (span, kind);
        }
    }
}
