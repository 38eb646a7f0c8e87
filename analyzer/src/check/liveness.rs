//! Live variables per block, so worlds forget what no later code reads.
//! Without this, stale temporaries from earlier loop iterations make
//! otherwise equal worlds differ and the world sets explode.

use std::collections::BTreeSet;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::ir::{Body, Callee, LocalId, Operand, Place, PlaceBase, Rvalue, Stmt, Terminator};

/// The locals read at or after the start of each block.
pub fn live_in(body: &Body) -> Vec<BTreeSet<LocalId>> {
    let n = body.cfg.node_count();
    let mut uses = vec![BTreeSet::new(); n];
    let mut defs = vec![BTreeSet::new(); n];
    for ix in body.cfg.node_indices() {
        let (u, d) = (&mut uses[ix.index()], &mut defs[ix.index()]);
        let bb = &body.cfg[ix];
        for stmt in &bb.stmts {
            match stmt {
                Stmt::Assign { place, value, .. } => {
                    rvalue_uses(value, &mut |l| {
                        if !d.contains(&l) {
                            u.insert(l);
                        }
                    });
                    define(place, u, d);
                }
                Stmt::Call(c) => {
                    for a in &c.args {
                        operand_uses(a, &mut |l| {
                            if !d.contains(&l) {
                                u.insert(l);
                            }
                        });
                    }
                    if let Callee::Local(l) = c.callee
                        && !d.contains(&l)
                    {
                        u.insert(l);
                    }
                    define(&c.dest, u, d);
                }
            }
        }
        let mut term_use = |l| {
            if !d.contains(&l) {
                u.insert(l);
            }
        };
        match &bb.term {
            Terminator::If { cond: op, .. }
            | Terminator::Test { scrutinee: op, .. }
            | Terminator::ForEach { collection: op, .. }
            | Terminator::Return { value: op, .. } => operand_uses(op, &mut term_use),
            _ => {}
        }
    }
    let mut live = vec![BTreeSet::new(); n];
    let mut changed = true;
    while changed {
        changed = false;
        for ix in body.cfg.node_indices().rev() {
            let mut out: BTreeSet<LocalId> = BTreeSet::new();
            for e in body.cfg.edges_directed(ix, Direction::Outgoing) {
                out.extend(live[e.target().index()].iter().copied());
            }
            let mut inn: BTreeSet<LocalId> = out.difference(&defs[ix.index()]).copied().collect();
            inn.extend(uses[ix.index()].iter().copied());
            if inn != live[ix.index()] {
                live[ix.index()] = inn;
                changed = true;
            }
        }
    }
    live
}

/// A write to a whole local kills it; a write to a part reads the rest.
fn define(place: &Place, uses: &mut BTreeSet<LocalId>, defs: &mut BTreeSet<LocalId>) {
    if let PlaceBase::Local(l) = place.base {
        if place.proj.is_empty() {
            defs.insert(l);
        } else if !defs.contains(&l) {
            uses.insert(l);
        }
    }
}

fn operand_uses(op: &Operand, f: &mut impl FnMut(LocalId)) {
    match op {
        Operand::Copy(p) | Operand::Ref { place: p, .. } => {
            if let PlaceBase::Local(l) = p.base {
                f(l);
            }
        }
        Operand::Const(_) | Operand::Unknown => {}
    }
}

fn rvalue_uses(v: &Rvalue, f: &mut impl FnMut(LocalId)) {
    match v {
        Rvalue::Use(op) | Rvalue::Not(op) | Rvalue::Element(op) => operand_uses(op, f),
        Rvalue::Cast { operand, .. } | Rvalue::Matches { operand, .. } => operand_uses(operand, f),
        Rvalue::Cmp { lhs, rhs, .. } => {
            operand_uses(lhs, f);
            operand_uses(rhs, f);
        }
        Rvalue::Opaque(ops) => ops.iter().for_each(|o| operand_uses(o, f)),
        Rvalue::Aggregate { fields, .. } => fields.iter().for_each(|(_, o)| operand_uses(o, f)),
        Rvalue::Closure { captures, .. } => {
            for p in captures {
                if let PlaceBase::Local(l) = p.base {
                    f(l);
                }
            }
        }
    }
}
