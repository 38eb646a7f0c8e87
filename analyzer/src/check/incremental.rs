//! Checking a crate again after an edit, reusing what the edit cannot have
//! changed. The language server checks the same crates after every change
//! of a document; most of the crate is the same as the last time.
//!
//! A [`CheckMemo`] keeps, from the last check of one crate, its files (by
//! pointer: the server hands unchanged files over as the same `Arc`), the
//! mappers learned from each function, the call graph, every summary and
//! every function's findings. Reuse is sound when:
//!
//! 1. the crate's *outline* is unchanged: the same files under the same
//!    ids, with equal modules (`use`s, items, statics) and equal function
//!    signatures (names, parameters, owners, return types, closures). Then
//!    functions keep their indices and every name, method and type outside
//!    the edited bodies resolves as before;
//! 2. the mappers are unchanged (each is learned from its own body alone,
//!    so only the edited files' are learned again);
//! 3. the call graph is unchanged, so components come in the same order.
//!
//! It also needs the same configured wrappers (the same `Arc`). When one
//! of these fails the crate is checked from scratch. Otherwise a
//! component is summarised again only if one of its functions is in an
//! edited file, or reads a summary that changed: of a callee, of a closure
//! it writes, or of the `Drop` of one of its locals' types (see
//! [`dependencies`]). A function's findings are kept under the same rule,
//! on the final summaries. The result is what [`super::check_crate`]
//! gives; `tests::incremental_checks_agree_with_fresh_ones` holds it to that.

use std::sync::Arc;

use rayon::prelude::*;

use super::program::Program;
use super::summary::{self, Summary};
use super::{MapperEntry, Mappers, calls_tapi, check_function, mappers_in, sort_findings};
use crate::config::Wrappers;
use crate::diagnostic::Finding;
use crate::ir::{Body, CrateIr, FileIr, LocalId};
use crate::source::SourceMap;

/// What the last check of one crate computed.
#[derive(Default)]
pub struct CheckMemo {
    last: Option<LastCheck>,
}

struct LastCheck {
    /// Kept alive so that pointer equality means "the same file" (and
    /// "the same configured wrappers").
    files: Vec<Arc<FileIr>>,
    wrappers: Arc<Wrappers>,
    mappers_by_function: Vec<Vec<MapperEntry>>,
    mappers: Mappers,
    edges: Vec<(usize, usize)>,
    summaries: Vec<Option<Summary>>,
    findings: Vec<Vec<Finding>>,
}

/// How much of the last check one check reused, for tests and the bench.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    pub functions: usize,
    /// Functions whose summary was computed again.
    pub summarized: usize,
    /// Functions whose findings were computed again.
    pub checked: usize,
}

impl CheckMemo {
    /// Every finding in `krate`, as [`super::check_crate_with`] gives them.
    pub fn check(
        &mut self,
        krate: &CrateIr,
        sources: &SourceMap,
        wrappers: &Arc<Wrappers>,
    ) -> Vec<Finding> {
        self.check_counting(krate, sources, wrappers).0
    }

    /// [`CheckMemo::check`], with how much it reused.
    pub fn check_counting(
        &mut self,
        krate: &CrateIr,
        sources: &SourceMap,
        wrappers: &Arc<Wrappers>,
    ) -> (Vec<Finding>, Reuse) {
        let program = Program::new(krate, wrappers);
        let n = program.functions.len();
        if !program
            .bodies
            .par_iter()
            .any(|(module, body)| calls_tapi(&program, module, body))
        {
            self.last = None;
            return (Vec::new(), Reuse::default());
        }
        let last = self.last.take().filter(|last| {
            Arc::ptr_eq(&last.wrappers, wrappers) && same_outline(&last.files, &krate.files)
        });
        // Function `i` is in a file that is not the one checked last time.
        let edited: Vec<bool> = match &last {
            Some(last) => program
                .functions
                .iter()
                .map(|f| !Arc::ptr_eq(&last.files[f.file], &krate.files[f.file]))
                .collect(),
            None => vec![true; n],
        };

        let mappers_by_function: Vec<Vec<MapperEntry>> = (0..n)
            .into_par_iter()
            .map(|i| match &last {
                Some(last) if !edited[i] => last.mappers_by_function[i].clone(),
                _ => mappers_in(&program, i),
            })
            .collect();
        let mappers: Mappers = mappers_by_function.iter().flatten().cloned().collect();
        let graph = program.call_graph();
        let mut edges: Vec<(usize, usize)> = graph
            .edge_indices()
            .filter_map(|e| graph.edge_endpoints(e))
            .map(|(a, b)| (graph[a], graph[b]))
            .collect();
        edges.sort_unstable();
        let last = last.filter(|last| last.mappers == mappers && last.edges == edges);

        let deps = dependencies(&program, &graph);
        let unaffected = |i: usize, changed: &[bool]| {
            last.is_some() && !edited[i] && deps[i].iter().all(|&j| !changed[j])
        };
        let mut summaries: Vec<Option<Summary>> = vec![None; n];
        // Whether a function's final summary differs from the last one.
        let mut summary_changed = vec![false; n];
        let mut summarized = 0;
        for component in summary::components(&graph) {
            // Summaries of later components are not known yet, in this
            // check as in the last: only earlier ones can have changed.
            let reuse = component
                .members
                .iter()
                .all(|&i| unaffected(i, &summary_changed));
            match &last {
                Some(last) if reuse => {
                    for &i in &component.members {
                        summaries[i] = last.summaries[i].clone();
                    }
                }
                _ => {
                    summary::summarize_component(&program, &component, &mut summaries, &mappers);
                    summarized += component.members.len();
                    for &i in &component.members {
                        summary_changed[i] =
                            last.as_ref().is_none_or(|l| l.summaries[i] != summaries[i]);
                    }
                }
            }
        }

        let findings: Vec<Vec<Finding>> = (0..n)
            .into_par_iter()
            .map(|i| match &last {
                Some(last) if unaffected(i, &summary_changed) => last.findings[i].clone(),
                _ => check_function(&program, i, &mappers, &summaries, sources),
            })
            .collect();
        let checked = (0..n).filter(|&i| !unaffected(i, &summary_changed)).count();
        let mut out: Vec<Finding> = findings.iter().flatten().cloned().collect();
        sort_findings(&mut out);
        self.last = Some(LastCheck {
            files: krate.files.clone(),
            wrappers: wrappers.clone(),
            mappers_by_function,
            mappers,
            edges,
            summaries,
            findings,
        });
        let reuse = Reuse {
            functions: n,
            summarized,
            checked,
        };
        (out, reuse)
    }
}

/// Whose summaries the analysis of each function reads: the functions its
/// calls target and the closures it writes (the call graph's edges), and
/// the `Drop` impls of its locals' types (run where they go out of scope).
fn dependencies(program: &Program, graph: &petgraph::graph::DiGraph<usize, ()>) -> Vec<Vec<usize>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); program.functions.len()];
    for node in graph.node_indices() {
        deps[graph[node]].extend(graph.neighbors(node).map(|m| graph[m]));
    }
    deps.par_iter_mut().enumerate().for_each(|(i, deps)| {
        let f = &program.functions[i];
        deps.extend((0..f.body.locals.len()).filter_map(|l| {
            program
                .local_type(f.module, f.body, LocalId(l as u32))
                .and_then(|ty| program.drop_impl(&ty))
        }));
        deps.sort_unstable();
        deps.dedup();
    });
    deps
}

/// Whether two versions of a crate's files have the same outline (see the
/// module's documentation): what every function outside an edited body
/// can see of the edited files.
fn same_outline(old: &[Arc<FileIr>], new: &[Arc<FileIr>]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            Arc::ptr_eq(a, b)
                || (a.file == b.file
                    && a.modules == b.modules
                    && a.bodies.len() == b.bodies.len()
                    && a.bodies
                        .iter()
                        .zip(&b.bodies)
                        .all(|(x, y)| same_signature(x, y)))
        })
}

fn same_signature(a: &Body, b: &Body) -> bool {
    a.name == b.name
        && a.module == b.module
        && a.kind == b.kind
        && a.params == b.params
        && a.owner == b.owner
        && a.parent == b.parent
        && a.ret_ty == b.ret_ty
        && a.attrs == b.attrs
        && a.closures == b.closures
}
