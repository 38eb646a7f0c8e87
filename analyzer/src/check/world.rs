//! The abstract state: one "world" is what the program may look like at a
//! point on one family of paths. Worlds are kept apart (not joined) while
//! there are few, so that a return code tested twice, or a handle tested
//! against 0 after a failed open, is still correlated with what it guards.

use std::collections::{BTreeMap, BTreeSet};

use tapi_model::ResourceKind;

use crate::ir::Place;
use crate::source::Span;

/// An acquisition site: a call (or, for `lineSetupConference`, one of its
/// out-parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId(pub u32);

/// The call whose outcome decides whether resources exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvId(pub u32);

/// Whether an acquiring call succeeded, as far as this world knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Unknown,
    Success,
    Failure,
}

/// The return-code classes a success condition splits integers into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeClass {
    Zero,
    Positive,
    Negative,
}

impl CodeClass {
    pub const ALL: [CodeClass; 3] = [CodeClass::Zero, CodeClass::Positive, CodeClass::Negative];

    /// The class's values as an `i32` interval, or, after a cast to an
    /// unsigned type, as the `u32` interval they turn into.
    pub fn interval(self, unsigned: bool) -> (i128, i128) {
        match (self, unsigned) {
            (CodeClass::Zero, _) => (0, 0),
            (CodeClass::Positive, _) => (1, i32::MAX as i128),
            (CodeClass::Negative, false) => (i32::MIN as i128, -1),
            (CodeClass::Negative, true) => (1 << 31, (1 << 32) - 1),
        }
    }
}

/// How a crate helper maps a return code to its result: for each class of
/// the code, the variant (`Ok|Some` / `Err|None`) or boolean it returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mapper {
    pub results: [Option<Val>; 3],
}

/// An abstract value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Unknown,
    /// An integer in this inclusive interval.
    Int(i128, i128),
    Bool(bool),
    /// The return code of an acquiring call; `unsigned` is the cast that
    /// made it unsigned, if one did.
    Code {
        ev: EvId,
        success: SuccessClass,
        unsigned: Option<Span>,
    },
    /// A handle (or cookie) of a tracked resource.
    Handle(ResId),
    /// Elements of a collection: any of these resources.
    Elements(BTreeSet<ResId>),
    /// A pointer or reference to a place.
    Ptr(Place),
    /// An enum value whose variant is known (fields live in sub-places).
    Variant(String),
    /// A struct, tuple or collection (fields or elements live in
    /// sub-places); `nonempty` for collections.
    Aggregate {
        nonempty: Option<bool>,
    },
    /// The result of a crate helper applied to a return code.
    Mapped {
        ev: EvId,
        success: SuccessClass,
        mapper: Box<Mapper>,
    },
    /// A boolean that tells something when branched on.
    Pred(Box<Pred>),
    /// A closure value capturing these resources.
    Closure(BTreeSet<ResId>),
    /// A closure the analysis can follow: its function and the values it
    /// captured (its first parameters).
    Fn {
        function: usize,
        captures: Vec<Val>,
    },
    /// What parameter `j` holds at this path: owned by the caller.
    Param(usize, Vec<crate::ir::Proj>),
}

/// Which classes of a return code mean success.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuccessClass {
    Zero,
    Positive,
    /// A function that acquires nothing: any class may come back, and the
    /// code decides nothing (it is tracked for `result_cast_unsigned`).
    Any,
}

impl SuccessClass {
    pub fn of(outcome: Outcome, class: CodeClass, success: SuccessClass) -> bool {
        if success == SuccessClass::Any {
            return true;
        }
        let is_success = matches!(
            (class, success),
            (CodeClass::Zero, SuccessClass::Zero) | (CodeClass::Positive, SuccessClass::Positive)
        );
        match outcome {
            Outcome::Unknown => true,
            Outcome::Success => is_success,
            Outcome::Failure => !is_success,
        }
    }

    /// The outcome a code in `class` means.
    pub fn outcome(self, class: CodeClass) -> Outcome {
        match (class, self) {
            (_, SuccessClass::Any) => Outcome::Unknown,
            (CodeClass::Zero, SuccessClass::Zero)
            | (CodeClass::Positive, SuccessClass::Positive) => Outcome::Success,
            _ => Outcome::Failure,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pred {
    Cmp(crate::ir::CmpOp, Val, Val),
    Matches(Place, crate::ir::Pat),
    MatchesVal(Val, crate::ir::Pat),
    Not(Box<Val>),
}

/// Where a resource is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Acquired (or, while its event's outcome is unknown, maybe acquired).
    Held,
    /// Never acquired on this path (the call failed, or the handle is 0).
    Absent,
    /// Released by an explicit call at `at`; `by_element` when released
    /// through a collection element (one of many).
    Released { at: Span, by_element: bool },
    /// Released implicitly when its parent was released at `at`.
    ReleasedByParent { at: Span },
    /// No variable holds it any more (its handle was overwritten); already
    /// reported as a leak there.
    Lost,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResState {
    pub status: Status,
    /// The acquiring call, while its outcome decides whether this exists.
    pub ev: Option<EvId>,
    pub parent: Option<ResId>,
    /// Handed out of the function: returned, stored through a pointer
    /// parameter or into a static, moved to code not analyzed.
    pub escaped: bool,
    /// A call that releases it if it succeeds (`attend(&mut line)?` where
    /// `attend` closes the line before returning `Ok`), and where.
    pub release_on: Option<(EvId, Span)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct World {
    pub places: BTreeMap<Place, Val>,
    pub res: BTreeMap<ResId, ResState>,
    pub outcomes: BTreeMap<EvId, Outcome>,
    /// The path went through a call of a recursive partner whose summary
    /// is still being computed: it says nothing about the parameters yet.
    pub through_pending: bool,
}

impl World {
    pub fn get(&self, place: &Place) -> Val {
        self.places.get(place).cloned().unwrap_or(Val::Unknown)
    }

    /// Every value stored at `place` or inside it.
    pub fn values_within<'a>(&'a self, place: &'a Place) -> impl Iterator<Item = &'a Val> + 'a {
        self.places
            .range(place.clone()..)
            .take_while(move |(p, _)| p.starts_with(place))
            .map(|(_, v)| v)
    }

    /// Forgets what a callee may have written through `&mut place`: every
    /// value inside it except handles (which the callee is assumed to
    /// leave, or to have taken over when it escapes).
    pub fn havoc_within(&mut self, place: &Place) {
        let keys: Vec<Place> = self
            .places
            .range(place.clone()..)
            .take_while(|(p, _)| p.starts_with(place))
            .filter(|(_, v)| World::resources_in(v).is_empty())
            .map(|(p, _)| p.clone())
            .collect();
        for k in keys {
            self.places.remove(&k);
        }
    }

    /// Removes `place` and everything inside it.
    pub fn clear_within(&mut self, place: &Place) {
        let keys: Vec<Place> = self
            .places
            .range(place.clone()..)
            .take_while(|(p, _)| p.starts_with(place))
            .map(|(p, _)| p.clone())
            .collect();
        for k in keys {
            self.places.remove(&k);
        }
    }

    pub fn outcome(&self, ev: EvId) -> Outcome {
        self.outcomes.get(&ev).copied().unwrap_or(Outcome::Unknown)
    }

    /// Records what an event's outcome is on this path: resources of a
    /// failed call never existed.
    pub fn set_outcome(&mut self, ev: EvId, outcome: Outcome) {
        self.outcomes.insert(ev, outcome);
        let released: Vec<(ResId, Span)> = self
            .res
            .iter()
            .filter_map(|(id, r)| match r.release_on {
                Some((e, at)) if e == ev => Some((*id, at)),
                _ => None,
            })
            .collect();
        for (id, at) in released {
            if let Some(r) = self.res.get_mut(&id) {
                r.release_on = None;
                if outcome == Outcome::Success && r.status == Status::Held {
                    r.status = Status::Released {
                        at,
                        by_element: false,
                    };
                    for c in self.descendants(id) {
                        if let Some(c) = self.res.get_mut(&c)
                            && c.status == Status::Held
                        {
                            c.status = Status::ReleasedByParent { at };
                        }
                    }
                }
            }
        }
        for r in self.res.values_mut() {
            if r.ev == Some(ev) {
                match outcome {
                    Outcome::Failure => {
                        r.status = Status::Absent;
                        r.ev = None;
                    }
                    Outcome::Success => r.ev = None,
                    Outcome::Unknown => {}
                }
            }
        }
    }

    /// Resources a value refers to directly.
    pub fn resources_in(val: &Val) -> Vec<ResId> {
        match val {
            Val::Handle(r) => vec![*r],
            Val::Elements(set) | Val::Closure(set) => set.iter().copied().collect(),
            Val::Fn { captures, .. } => captures.iter().flat_map(World::resources_in).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether any place other than those inside `except` holds `r`.
    pub fn held_elsewhere(&self, r: ResId, except: &Place) -> bool {
        self.places
            .iter()
            .any(|(p, v)| !p.starts_with(except) && World::resources_in(v).contains(&r))
    }

    /// Marks `r` and every resource whose ancestor is `r`... the reverse:
    /// `r`'s descendants (in acquisition order).
    pub fn descendants(&self, r: ResId) -> Vec<ResId> {
        let mut out = Vec::new();
        let mut stack = vec![r];
        while let Some(p) = stack.pop() {
            for (id, st) in &self.res {
                if st.parent == Some(p) && !out.contains(id) && *id != r {
                    out.push(*id);
                    stack.push(*id);
                }
            }
        }
        out
    }

    /// The kinds of the ancestors are not needed; this joins two worlds that
    /// exceed the per-block budget into one that over-approximates both.
    pub fn join(&self, other: &World) -> World {
        let mut out = World::default();
        for (p, v) in &self.places {
            if other.places.get(p) == Some(v) {
                out.places.insert(p.clone(), v.clone());
            } else {
                out.places
                    .insert(p.clone(), join_val(v, other.places.get(p)));
            }
        }
        for (p, v) in &other.places {
            out.places
                .entry(p.clone())
                .or_insert_with(|| join_val(v, None));
        }
        let ids: BTreeSet<ResId> = self.res.keys().chain(other.res.keys()).copied().collect();
        for id in ids {
            let st = match (self.res.get(&id), other.res.get(&id)) {
                (Some(a), Some(b)) if a == b => a.clone(),
                (Some(a), Some(b)) => {
                    let status = if a.status == Status::Held || b.status == Status::Held {
                        Status::Held
                    } else if a.status == Status::Absent {
                        b.status.clone()
                    } else {
                        a.status.clone()
                    };
                    ResState {
                        status,
                        ev: if a.ev == b.ev { a.ev } else { None },
                        parent: a.parent.or(b.parent),
                        escaped: a.escaped && b.escaped,
                        release_on: if a.release_on == b.release_on {
                            a.release_on
                        } else {
                            None
                        },
                    }
                }
                (Some(a), None) | (None, Some(a)) => a.clone(),
                (None, None) => continue,
            };
            out.res.insert(id, st);
        }
        out.through_pending = self.through_pending || other.through_pending;
        for (ev, o) in self.outcomes.iter() {
            if other.outcomes.get(ev) == Some(o) {
                out.outcomes.insert(*ev, *o);
            }
        }
        out
    }
}

fn join_val(a: &Val, b: Option<&Val>) -> Val {
    let mut set = BTreeSet::new();
    for v in [Some(a), b].into_iter().flatten() {
        set.extend(World::resources_in(v));
    }
    match set.len() {
        0 => Val::Unknown,
        1 if matches!(a, Val::Handle(_)) && matches!(b, Some(Val::Handle(_)) | None) => {
            Val::Handle(*set.iter().next().expect("one"))
        }
        _ => Val::Elements(set),
    }
}

/// What the analysis needs to know about an acquisition site.
#[derive(Clone, Debug)]
pub struct Site {
    pub kind: ResourceKind,
    /// The call that acquired it.
    pub span: Span,
    /// The function called (`lineOpenW`).
    pub function: &'static str,
    /// How the program names the handle (`h_line`, `st.line`), if it does.
    pub name: Option<String>,
    /// For a pseudo-resource: the parameter path it stands for.
    pub param: Option<(usize, Vec<crate::ir::Proj>)>,
    /// Where a callee acquired it, for resources handed out by calls.
    pub chain: Vec<crate::diagnostic::Label>,
}
