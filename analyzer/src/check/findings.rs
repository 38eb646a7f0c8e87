//! Turns one body's analysis outcome into [`Finding`]s with messages and
//! labels.

use tapi_model::ResourceKind;

use super::interp::{ExitKind, Outcomes};
use super::program::Program;
use super::suggest;
use super::world::Site;
use crate::diagnostic::{Finding, Label};
use crate::ir::Body;
use crate::lints;
use crate::source::SourceMap;

/// The past participle of giving a resource back ("closed").
fn released_verb(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::LineApp | ResourceKind::PhoneApp | ResourceKind::Tapi => "shut down",
        ResourceKind::Line | ResourceKind::Phone => "closed",
        ResourceKind::Call => "deallocated",
        ResourceKind::RequestRecipient | ResourceKind::CallNotifications => "unregistered",
        ResourceKind::EventSink => "unadvised",
        ResourceKind::Tapi3Call => "disconnected",
    }
}

/// What the acquiring call did ("opened").
pub(super) fn acquired_verb(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::LineApp | ResourceKind::PhoneApp | ResourceKind::Tapi => "initialized",
        ResourceKind::Line | ResourceKind::Phone => "opened",
        ResourceKind::Call => "created",
        ResourceKind::RequestRecipient | ResourceKind::CallNotifications => "registered",
        ResourceKind::EventSink => "advised",
        ResourceKind::Tapi3Call => "connected",
    }
}

/// The label at a resource's acquisition: the call, or for something the
/// caller passed in, the function that received it.
fn acquired_label(site: &Site) -> String {
    if site.param.is_some() {
        format!("{} passed in by the caller", site.kind.noun())
    } else if site.chain.is_empty() {
        format!("{} {} here", site.kind.noun(), acquired_verb(site.kind))
    } else {
        format!("{} acquired through this call", site.kind.noun())
    }
}

fn describe(site: &Site) -> String {
    match &site.name {
        Some(n) => format!("{} `{}`", site.kind.noun(), n),
        None => format!("the {} from `{}`", site.kind.noun(), site.function),
    }
}

pub(super) fn build(
    program: &Program,
    module: &[String],
    body: &Body,
    out: Outcomes,
    sources: &SourceMap,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let session = body.attrs.tapi_session;
    for (r, (exit, how)) in &out.leaks {
        let site = &out.sites[r.0 as usize];
        let ever = out.released.contains(r);
        // The guard knows only what the session's own calls acquired: a
        // resource from a helper or from the caller is a leak as anywhere.
        let guarded = session && site.chain.is_empty() && site.param.is_none();
        let (lint, message) = if guarded {
            (
                &lints::RELEASED_BY_GUARD,
                format!(
                    "{} is left for the `#[tapi_session]` guard to release",
                    describe(site)
                ),
            )
        } else {
            let message = if ever {
                format!(
                    "{} is not {} on every path",
                    describe(site),
                    released_verb(site.kind)
                )
            } else {
                format!("{} is never {}", describe(site), released_verb(site.kind))
            };
            (lints::leak_lint(site.kind), message)
        };
        let exit_label = match how {
            ExitKind::Return => "leaks when the function returns here",
            ExitKind::Try => "leaks when `?` returns early here",
            ExitKind::End => "leaks at the end of the function",
            ExitKind::ProcessExit => "leaks when the process exits here",
            ExitKind::Overwritten => "the handle is overwritten here while still held",
        };
        let mut secondary = site.chain.clone();
        secondary.push(Label::new(*exit, exit_label));
        findings.push(Finding {
            lint,
            message,
            primary: Label::new(site.span, acquired_label(site)),
            secondary,
            notes: vec![format!(
                "help: release it with `{}` on this path",
                site.kind.release_name()
            )],
            suggestion: suggest::release_before_exit(
                program, module, body, site, *exit, *how, sources,
            ),
        });
    }
    for (span, (r, released_at, by_parent)) in &out.use_after_release {
        let site = &out.sites[r.0 as usize];
        let how = if *by_parent {
            "released here with its parent".to_string()
        } else {
            format!("{} here", released_verb(site.kind))
        };
        findings.push(Finding {
            lint: &lints::USE_AFTER_RELEASE,
            message: format!(
                "{} is used after it was {}",
                describe(site),
                if *by_parent {
                    "released through its parent"
                } else {
                    released_verb(site.kind)
                }
            ),
            primary: Label::new(*span, "used here"),
            secondary: vec![
                Label::new(*released_at, how),
                Label::new(site.span, acquired_label(site)),
            ],
            notes: Vec::new(),
            suggestion: None,
        });
    }
    for (span, (r, first)) in &out.double_release {
        let site = &out.sites[r.0 as usize];
        findings.push(Finding {
            lint: &lints::DOUBLE_RELEASE,
            message: format!("{} is {} twice", describe(site), released_verb(site.kind)),
            primary: Label::new(*span, format!("{} again here", released_verb(site.kind))),
            secondary: vec![Label::new(
                *first,
                format!("first {} here", released_verb(site.kind)),
            )],
            notes: vec![
                "help: set the handle to 0 after releasing it, and release only non-zero handles"
                    .into(),
            ],
            suggestion: None,
        });
    }
    for (span, (parent, children)) in &out.release_order {
        let psite = &out.sites[parent.0 as usize];
        let first_child = children.iter().next().map(|c| &out.sites[c.0 as usize]);
        let child_text = match first_child {
            Some(c) if children.len() == 1 => format!("{} is still held", describe(c)),
            _ => format!("{} resources it owns are still held", children.len()),
        };
        findings.push(Finding {
            lint: &lints::RELEASE_ORDER,
            message: format!(
                "{} is {} while {}",
                describe(psite),
                released_verb(psite.kind),
                child_text
            ),
            primary: Label::new(
                *span,
                format!("{} {} here", psite.kind.noun(), released_verb(psite.kind)),
            ),
            secondary: children
                .iter()
                .map(|c| {
                    let s = &out.sites[c.0 as usize];
                    Label::new(
                        s.span,
                        format!(
                            "{} {} here is still held",
                            s.kind.noun(),
                            acquired_verb(s.kind)
                        ),
                    )
                })
                .collect(),
            notes: vec!["help: release the children first".into()],
            suggestion: None,
        });
    }
    for (span, function) in &out.unsigned_casts {
        findings.push(Finding {
            lint: &lints::RESULT_CAST_UNSIGNED,
            message: format!(
                "the `i32` result of `{function}` is cast to an unsigned type before a sign test"
            ),
            primary: Label::new(
                *span,
                "cast here: error codes (0x8000xxxx) become large positive numbers",
            ),
            secondary: Vec::new(),
            notes: vec!["help: compare the `i32` itself: `rc > 0`".into()],
            suggestion: suggest::remove_cast(body, *span, sources),
        });
    }
    findings
}
