//! `--emit call-graph`: the call graph of the functions that touch TAPI
//! resources, as Graphviz DOT, with the paths of leaks drawn in red.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::program::Program;
use super::summary;
use crate::diagnostic::Finding;

/// The DOT text for one crate. `findings` are the crate's findings; a leak
/// colours the function it is reported in and every call along its chain.
pub(super) fn call_graph_dot(
    name: &str,
    program: &Program,
    summaries: &[Option<summary::Summary>],
    findings: &[Finding],
) -> String {
    let graph = program.call_graph();
    let touches: Vec<bool> = (0..program.functions.len())
        .map(|i| {
            let f = &program.functions[i];
            super::calls_tapi(program, f.module, f.body)
                || summary::touches_tapi(program, i, summaries)
        })
        .collect();
    // The innermost function containing a span.
    let owner = |span: crate::source::Span| {
        program
            .functions
            .iter()
            .filter(|f| {
                f.body.extent.file == span.file
                    && f.body.extent.lo <= span.lo
                    && span.hi <= f.body.extent.hi
            })
            .min_by_key(|f| f.body.extent.hi - f.body.extent.lo)
            .map(|f| f.index)
    };
    let mut red_nodes = BTreeSet::new();
    let mut red_edges: BTreeSet<(usize, usize, &str)> = BTreeSet::new();
    for f in findings.iter().filter(|f| is_leak(f)) {
        let Some(at) = owner(f.primary.span) else {
            continue;
        };
        red_nodes.insert(at);
        // The chain runs from the caller into the callees that acquired it.
        let mut from = at;
        for label in &f.secondary {
            if let Some(to) = owner(label.span)
                && to != from
                && graph.contains_edge(node(from), node(to))
            {
                red_edges.insert((from, to, f.lint.name));
                red_nodes.insert(to);
                from = to;
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape(name));
    let _ = writeln!(
        out,
        "    rankdir=LR;\n    node [shape=box, fontname=\"monospace\"];"
    );
    for f in program.functions.iter().filter(|f| touches[f.index]) {
        let name = f.key.iter().skip(1).cloned().collect::<Vec<_>>().join("::");
        let style = if red_nodes.contains(&f.index) {
            ", color=red, fontcolor=red, penwidth=2"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    f{} [label=\"{}\"{style}];",
            f.index,
            escape(&name)
        );
    }
    for e in graph.edge_indices() {
        let (a, b) = graph.edge_endpoints(e).expect("edge");
        let (a, b) = (graph[a], graph[b]);
        if !(touches[a] && touches[b]) {
            continue;
        }
        let lints: Vec<&str> = red_edges
            .iter()
            .filter(|(x, y, _)| *x == a && *y == b)
            .map(|(_, _, l)| *l)
            .collect();
        if lints.is_empty() {
            let _ = writeln!(out, "    f{a} -> f{b};");
        } else {
            let _ = writeln!(
                out,
                "    f{a} -> f{b} [color=red, penwidth=2, label=\"{}\"];",
                lints.join("\\n")
            );
        }
    }
    out.push_str("}\n");
    out
}

fn node(i: usize) -> petgraph::graph::NodeIndex {
    petgraph::graph::NodeIndex::new(i)
}

fn is_leak(f: &Finding) -> bool {
    tapi_model::ResourceKind::ALL
        .iter()
        .any(|k| std::ptr::eq(crate::lints::leak_lint(*k), f.lint))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
