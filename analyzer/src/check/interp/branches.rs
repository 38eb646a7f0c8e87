//! Branches: how a condition, a pattern or a loop head refines the worlds on
//! each side.

use super::*;

impl Interp<'_> {
    pub(super) fn for_each(
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
    pub(super) fn refine(&mut self, mut w: World, v: &Val, truth: bool) -> Option<World> {
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
    pub(super) fn classes(&self, w: &World, ev: EvId, success: SuccessClass) -> Vec<CodeClass> {
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
    pub(super) fn restrict(
        &self,
        w: &mut World,
        ev: EvId,
        success: SuccessClass,
        keep: &[CodeClass],
    ) -> bool {
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

    pub(super) fn refine_cmp(
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

    pub(super) fn refine_test(
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
                let key = crate::lower::variant_key(key);
                let subpats_trivial = subpats.iter().all(|p| matches!(p, Pat::Any));
                match v {
                    Val::Variant(k) => {
                        let same = &key == k;
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
                                    let same = &key == k;
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
