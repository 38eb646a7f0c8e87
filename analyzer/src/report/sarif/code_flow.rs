//! The path of a leak, for a result's `codeFlows`: GitHub shows it as the
//! steps from the acquisition to the exit the resource leaks through.
//!
//! A leak's finding (`check/findings.rs`) has the acquiring call in the
//! function where the lifetime ends as its primary label, and as secondary
//! labels the chain of calls down to the TAPI call that acquired the
//! resource, innermost first, then the exit. In execution order that is:
//! the primary call, the chain from the outermost callee inwards, the exit.

use tapi_model::ResourceKind;

use crate::diagnostic::{Finding, Label};
use crate::lints::{self, Lint};

/// One step of a path: a label, how deep in callees it is, and what
/// happens there (`threadFlowLocation.kinds`, SARIF §3.38.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step<'f> {
    pub label: &'f Label,
    /// 0 in the function where the lifetime ends, 1 in its callee, ...
    pub nesting_level: usize,
    pub kind: Option<&'static str>,
}

/// Whether `lint` reports a resource reaching the end of its lifetime.
pub(super) fn is_leak(lint: &Lint) -> bool {
    *lint == lints::RELEASED_BY_GUARD
        || ResourceKind::ALL
            .iter()
            .any(|&kind| lints::leak_lint(kind) == lint)
}

/// The steps of `finding`'s path when it is a leak.
pub(super) fn leak_path(finding: &Finding) -> Option<Vec<Step<'_>>> {
    if !is_leak(finding.lint) {
        return None;
    }
    let (exit, chain) = finding.secondary.split_last()?;
    let mut steps = Vec::with_capacity(chain.len() + 2);
    steps.push(Step {
        label: &finding.primary,
        nesting_level: 0,
        kind: Some(if chain.is_empty() { "acquire" } else { "call" }),
    });
    for (depth, label) in chain.iter().rev().enumerate() {
        let innermost = depth + 1 == chain.len();
        steps.push(Step {
            label,
            nesting_level: depth + 1,
            kind: Some(if innermost { "acquire" } else { "call" }),
        });
    }
    steps.push(Step {
        label: exit,
        nesting_level: 0,
        kind: None,
    });
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn label(at: usize, message: &str) -> Label {
        Label::new(Span::new(FileId(0), at..at + 1), message)
    }

    fn finding(lint: &'static Lint, secondary: Vec<Label>) -> Finding {
        Finding {
            lint,
            message: "m".into(),
            primary: label(0, "line acquired through this call"),
            secondary,
            notes: Vec::new(),
            suggestion: None,
        }
    }

    #[test]
    fn walks_from_the_call_down_the_callees_to_the_exit() {
        let f = finding(
            &lints::LINE_NOT_CLOSED,
            vec![
                label(10, "line opened here, in `open_into`"),
                label(20, "line opened here, in `open_owner`"),
                label(30, "leaks when the function returns here"),
            ],
        );
        let path = leak_path(&f).unwrap();
        let shown: Vec<(usize, usize, Option<&str>)> = path
            .iter()
            .map(|s| (s.label.span.lo as usize, s.nesting_level, s.kind))
            .collect();
        assert_eq!(
            shown,
            [
                (0, 0, Some("call")),
                (20, 1, Some("call")),
                (10, 2, Some("acquire")),
                (30, 0, None)
            ]
        );
    }

    #[test]
    fn a_local_leak_is_acquire_then_exit_and_misuse_has_no_path() {
        let f = finding(
            &lints::LINE_APP_NOT_SHUT_DOWN,
            vec![label(30, "leaks at the end of the function")],
        );
        let path = leak_path(&f).unwrap();
        assert_eq!(path.len(), 2);
        assert_eq!(path[0].kind, Some("acquire"));
        assert_eq!(path[1].label.span.lo, 30);

        let guarded = finding(&lints::RELEASED_BY_GUARD, vec![label(5, "leaks here")]);
        assert!(leak_path(&guarded).is_some());
        let misuse = finding(&lints::DOUBLE_RELEASE, vec![label(5, "first closed here")]);
        assert!(leak_path(&misuse).is_none());
        assert!(is_leak(&lints::SINK_NOT_UNADVISED) && !is_leak(&lints::RELEASE_ORDER));
    }
}
