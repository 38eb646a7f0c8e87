//! Fixes attached to findings where the fix is clear: removing the unsigned
//! cast of a TAPI result, and releasing a leaked handle before the
//! `return` or `?` it leaks through. Everything is worked out from the IR
//! (spans of the cast's operand, how each exit is written) and the model;
//! nothing is re-parsed.

use tapi_model::{Effect, FUNCTIONS, METHODS, ResourceKind, Slot};

use super::interp::ExitKind;
use super::program::Program;
use super::world::Site;
use crate::diagnostic::{Applicability, Edit, Suggestion};
use crate::ir::{Body, Callee, ExitHow, Rvalue, Stmt};
use crate::resolve::{TAPI_MODULES, tapi_function};
use crate::source::{SourceMap, Span};

/// `rc as u32 > 0` → `rc > 0`: the cast's text becomes its operand's.
/// Maybe incorrect: a variable bound to the cast changes type.
pub(super) fn remove_cast(body: &Body, cast: Span, sources: &SourceMap) -> Option<Suggestion> {
    let operand = body
        .cfg
        .node_weights()
        .flat_map(|b| &b.stmts)
        .find_map(|s| match s {
            Stmt::Assign {
                value: Rvalue::Cast {
                    span, operand_span, ..
                },
                ..
            } if *span == cast => Some(*operand_span),
            _ => None,
        })?;
    if operand.file != cast.file || operand.lo < cast.lo || operand.hi > cast.hi {
        return None;
    }
    let text = sources
        .get(cast.file)
        .text
        .get(operand.lo as usize..operand.hi as usize)?;
    Some(Suggestion {
        message: "compare the `i32` itself: remove the cast".to_owned(),
        edits: vec![Edit {
            span: cast,
            replacement: text.to_owned(),
        }],
        applicability: Applicability::MaybeIncorrect,
    })
}

/// Releases a leaked resource right before the `return` or `?` it leaks
/// through, when the program names its handle and the model has a release
/// taking only that handle.
///
/// * a `return` that is a statement gets the release as the statement
///   before it; any other `return` (a match arm's `=> return x`) becomes
///   `{ release; return x }`;
/// * `expr?` in a function returning `Result` becomes
///   `match expr { Ok(value) => value, Err(error) => { release; Err(error)? } }`:
///   the release happens exactly on the path where `?` returns early, and
///   the inner `?` still converts the error as the original did. A `?` on
///   an `Option` (or in a closure, whose type is not known) gets no fix.
///   (A closure given to `inspect_err` would read better, but the analysis
///   cannot tell on which path such a closure runs.)
///
/// The release is wrapped in `unsafe { }` outside an unsafe block. Maybe
/// incorrect: only this exit is fixed, and the author may rather hand the
/// handle back than release it.
pub(super) fn release_before_exit(
    program: &Program,
    module: &[String],
    body: &Body,
    site: &Site,
    exit: Span,
    how: ExitKind,
    sources: &SourceMap,
) -> Option<Suggestion> {
    if site.param.is_some() || !matches!(how, ExitKind::Return | ExitKind::Try) {
        return None;
    }
    let handle = site.name.as_deref().filter(|n| is_plain_place(n))?;
    let written = body.exit_sites.iter().find(|e| e.span == exit)?;
    let release = release_call(program, module, body, site, handle)?;
    let statement = if written.in_unsafe {
        format!("{};", release.call)
    } else if release.returns_result {
        format!("let _ = unsafe {{ {} }};", release.call)
    } else {
        format!("unsafe {{ {} }};", release.call)
    };
    let text = &sources.get(exit.file).text;
    let (message, edits) = match written.how {
        ExitHow::Return if written.statement => {
            let separator = match line_indent_before(text, exit.lo as usize) {
                Some(indent) => format!("\n{indent}"),
                None => " ".to_owned(),
            };
            (
                format!("release `{handle}` before this `return`"),
                vec![insert(exit.lo, format!("{statement}{separator}"), exit)],
            )
        }
        ExitHow::Return => (
            format!("release `{handle}` before this `return`"),
            vec![
                insert(exit.lo, format!("{{ {statement} "), exit),
                insert(exit.hi, " }".to_owned(), exit),
            ],
        ),
        ExitHow::Try if body.returns_result => {
            let operand = written.operand?;
            let indent = line_indent(text, operand.lo as usize);
            let base = handle.split(['.', '[']).next().unwrap_or(handle);
            let (value, error) = if base == "value" || base == "error" {
                ("value_", "error_")
            } else {
                ("value", "error")
            };
            let arms = format!(
                " {{\n{indent}    Ok({value}) => {value},\n\
                 {indent}    Err({error}) => {{\n\
                 {indent}        {statement}\n\
                 {indent}        Err({error})?\n\
                 {indent}    }}\n\
                 {indent}}}"
            );
            (
                format!("release `{handle}` when `?` returns early here"),
                vec![
                    insert(operand.lo, "match ".to_owned(), exit),
                    Edit {
                        span: exit,
                        replacement: arms,
                    },
                ],
            )
        }
        _ => return None,
    };
    Some(Suggestion {
        message,
        edits,
        applicability: Applicability::MaybeIncorrect,
    })
}

fn insert(at: u32, text: String, near: Span) -> Edit {
    Edit {
        span: Span {
            file: near.file,
            lo: at,
            hi: at,
        },
        replacement: text,
    }
}

/// The indentation of the line `at` is on, if only blanks precede `at`
/// there.
fn line_indent_before(text: &str, at: usize) -> Option<&str> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..at];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// The leading blanks of the line `at` is on.
fn line_indent(text: &str, at: usize) -> &str {
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = &text[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// `h`, `st.line`, `self.lines[2]`: a place the release can name as it is.
fn is_plain_place(name: &str) -> bool {
    let ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    name.split('.').enumerate().all(|(i, part)| {
        let (head, rest) = part.split_once('[').unwrap_or((part, ""));
        let indexes_ok = rest.is_empty()
            || rest.strip_suffix(']').is_some_and(|r| {
                r.split("][")
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
        (ident(head) || (i > 0 && head.bytes().all(|b| b.is_ascii_digit()) && !head.is_empty()))
            && indexes_ok
    })
}

/// The release call as code, e.g. `lineClose(h_line)` or `tapi.Shutdown()`.
struct ReleaseCall {
    call: String,
    /// A COM method: its `windows::core::Result` must be used.
    returns_result: bool,
}

/// The model's release of a resource of `site.kind` that takes nothing but
/// the handle: a TAPI 2 function of one argument, named as the module can
/// name it, or a TAPI 3 method without arguments on the object itself.
fn release_call(
    program: &Program,
    module: &[String],
    body: &Body,
    site: &Site,
    handle: &str,
) -> Option<ReleaseCall> {
    let releases = |e: &Effect, slot: Slot| matches!(e, Effect::Release { kind, handle } if *kind == site.kind && *handle == slot);
    if let Some(f) = FUNCTIONS
        .iter()
        .find(|f| f.arity == 1 && releases(&f.effect, Slot::Arg(0)))
    {
        let path = function_path(program, module, body, site, f.name)?;
        return Some(ReleaseCall {
            call: format!("{path}({handle})"),
            returns_result: false,
        });
    }
    let m = METHODS
        .iter()
        .find(|m| m.arity == 0 && releases(&m.effect, Slot::Receiver))?;
    // Only the object itself is named by the handle (`tapi`, `phone`).
    matches!(site.kind, ResourceKind::Tapi | ResourceKind::Phone).then(|| ReleaseCall {
        call: format!("{handle}.{}()", m.name),
        returns_result: true,
    })
}

/// How code in `module` names the TAPI 2 function `name` from the same
/// bindings the acquiring call used: the bare name where it is imported,
/// else the acquiring call's own prefix (`Tapi::lineClose`), else the full
/// path. `None` when nothing resolves to it.
fn function_path(
    program: &Program,
    module: &[String],
    body: &Body,
    site: &Site,
    name: &str,
) -> Option<String> {
    let written: Option<&Vec<String>> =
        body.cfg
            .node_weights()
            .flat_map(|b| &b.stmts)
            .find_map(|s| match s {
                Stmt::Call(c) if c.span == site.span => match &c.callee {
                    Callee::Path { path, .. } => Some(path),
                    _ => None,
                },
                _ => None,
            });
    let bindings: Option<Vec<String>> = written
        .and_then(|p| program.resolver.resolve(module, p))
        .filter(|canon| tapi_function(canon).is_some())
        .map(|canon| canon[..canon.len() - 1].to_vec());
    let mut candidates: Vec<Vec<String>> = vec![vec![name.to_owned()]];
    if let Some(p) = written.filter(|p| p.len() > 1) {
        let mut c = p[..p.len() - 1].to_vec();
        c.push(name.to_owned());
        candidates.push(c);
    }
    for m in TAPI_MODULES {
        let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
        if bindings.as_ref().is_none_or(|b| *b == m) {
            let mut c = m;
            c.push(name.to_owned());
            candidates.push(c);
        }
    }
    candidates
        .into_iter()
        .find(|c| {
            program.resolver.resolve(module, c).is_some_and(|canon| {
                tapi_function(&canon).is_some_and(|f| f.name == name)
                    && bindings
                        .as_ref()
                        .is_none_or(|b| canon[..canon.len() - 1] == b[..])
            })
        })
        .map(|c| c.join("::"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_places_written_plainly_are_named() {
        for ok in [
            "h",
            "h_line",
            "st.line",
            "self.lines[2]",
            "pair.0",
            "a.b[1][2]",
        ] {
            assert!(is_plain_place(ok), "{ok}");
        }
        for bad in ["*p.line", "v[..]", "", "a..b", "1x", "a[]", "a[x]"] {
            assert!(!is_plain_place(bad), "{bad}");
        }
    }

    #[test]
    fn indentation_is_read_only_where_the_exit_starts_its_line() {
        let text = "fn f() {\n    return 1;\n    if x { return 2; }\n}";
        let at = text.find("return 1").unwrap();
        assert_eq!(line_indent_before(text, at), Some("    "));
        let at = text.find("return 2").unwrap();
        assert_eq!(line_indent_before(text, at), None);
    }
}
