//! Applies the suppressions found in the sources to the findings: drops
//! the findings they cover, and reports the suppressions that cover
//! nothing (`unused_suppression`) or cannot be honoured
//! (`invalid_suppression`).

use std::collections::HashSet;

use crate::cli::LintLevels;
use crate::diagnostic::{Finding, Label};
use crate::ir::Suppression;
use crate::lints::{self, Level, Lint};

/// A suppression that can be applied: its lints are known, it has a reason.
struct Valid<'a> {
    suppression: &'a Suppression,
    lints: Vec<&'static Lint>,
    used: bool,
}

/// `findings` are `(crate, finding, internal)`; `suppressions` come with
/// the crate whose files they were read in (the first one, if several).
/// Returns the findings kept, plus those about suppressions.
pub fn apply(
    findings: Vec<(usize, Finding, bool)>,
    suppressions: &[(usize, &Suppression)],
    levels: &LintLevels,
) -> Vec<(usize, Finding, bool)> {
    let mut kept = Vec::new();
    let mut problems = Vec::new();
    let mut valid: Vec<(usize, Valid)> = Vec::new();
    let mut seen = HashSet::new();
    for &(k, s) in suppressions {
        if !seen.insert((s.at.file, s.at.lo)) {
            continue;
        }
        match validate(s) {
            Ok(lints) => valid.push((
                k,
                Valid {
                    suppression: s,
                    lints,
                    used: false,
                },
            )),
            Err(problem) => problems.push((k, invalid(s, problem))),
        }
    }

    for (k, finding, internal) in findings {
        let covering = (!internal)
            .then(|| {
                valid.iter_mut().find(|(_, v)| {
                    let covers = v.suppression.covers;
                    let at = finding.primary.span;
                    covers.file == at.file
                        && covers.lo <= at.lo
                        && at.lo < covers.hi.max(covers.lo + 1)
                        && v.lints.contains(&finding.lint)
                })
            })
            .flatten();
        match covering {
            Some((_, v)) => v.used = true,
            None => kept.push((k, finding, internal)),
        }
    }

    for (k, v) in valid.into_iter().filter(|(_, v)| !v.used) {
        // A lint that is off cannot fire: its suppression is not stale.
        if v.lints.iter().all(|l| levels.level(l) == Level::Allow) {
            continue;
        }
        let names: Vec<String> = v.lints.iter().map(|l| format!("`{}`", l.code())).collect();
        problems.push((
            k,
            Finding {
                lint: &lints::UNUSED_SUPPRESSION,
                message: format!(
                    "this suppression of {} suppresses nothing",
                    names.join(", ")
                ),
                primary: Label::new(v.suppression.at, "no finding here to suppress"),
                secondary: Vec::new(),
                notes: vec!["help: remove the suppression".to_owned()],
                suggestion: None,
            },
        ));
    }
    kept.extend(problems.into_iter().map(|(k, f)| (k, f, false)));
    kept
}

fn validate(s: &Suppression) -> Result<Vec<&'static Lint>, String> {
    if let Some(problem) = &s.malformed {
        return Err(problem.clone());
    }
    let lints = s
        .lints
        .iter()
        .map(|name| lints::find(name).ok_or_else(|| format!("unknown lint `tapi::{name}`")))
        .collect::<Result<Vec<_>, _>>()?;
    if s.reason.is_none() {
        return Err("a suppression needs a reason".to_owned());
    }
    Ok(lints)
}

fn invalid(s: &Suppression, problem: String) -> Finding {
    Finding {
        lint: &lints::INVALID_SUPPRESSION,
        message: format!("{problem}; this suppression is ignored"),
        primary: Label::new(s.at, problem),
        secondary: Vec::new(),
        notes: vec![
            "help: write `// tapi-lint: allow(LINT): reason` or \
             `#[cfg_attr(tapi_lint, allow(tapi::LINT, reason = \"..\"))]`"
                .to_owned(),
        ],
        suggestion: None,
    }
}
