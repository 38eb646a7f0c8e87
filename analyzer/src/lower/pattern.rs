//! Patterns, reduced to what refines resource states.

use super::last_segment;
use crate::ir::Pat;

/// The variant name `Ok(..)` and `Some(..)` share: `?`, `unwrap` and
/// `is_ok` test for success without knowing whether it is a `Result` or an
/// `Option`.
pub const SUCCESS: &str = "Ok|Some";
/// Likewise `Err(..)` and `None`.
pub const FAILURE: &str = "Err|None";

/// The key a variant's fields are stored under: `Ok` and `Some` share one,
/// so a value built as `Ok(h)` is found by a `?` that tested `Ok|Some`.
pub fn variant_key(name: &str) -> String {
    match name {
        "Ok" | "Some" => SUCCESS.to_string(),
        "Err" | "None" => FAILURE.to_string(),
        other => other.to_string(),
    }
}

pub fn lower(p: &syn::Pat) -> Pat {
    stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_GROWTH, || {
        lower_inner(p)
    })
}

fn lower_inner(p: &syn::Pat) -> Pat {
    match p {
        syn::Pat::Wild(_) | syn::Pat::Rest(_) => Pat::Any,
        syn::Pat::Ident(i) => match &i.subpat {
            Some((_, sub)) => lower(sub),
            // A lone capitalised identifier is a unit variant or constant.
            None if is_const_name(&i.ident.to_string()) => Pat::Const(vec![i.ident.to_string()]),
            None if i.ident == "None" => Pat::Variant(variant_key("None"), Vec::new()),
            None => Pat::Any,
        },
        syn::Pat::Lit(l) => literal(&l.lit, false),
        syn::Pat::Range(r) => {
            let bound = |e: &Option<Box<syn::Expr>>| e.as_deref().and_then(int_expr);
            let lo = bound(&r.start);
            let hi = bound(&r.end).map(|h| match r.limits {
                syn::RangeLimits::HalfOpen(_) => h - 1,
                syn::RangeLimits::Closed(_) => h,
            });
            Pat::Range(lo, hi)
        }
        syn::Pat::Path(pp) => {
            let segs: Vec<String> = pp
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segs.len() == 1 && segs[0] == "None" {
                Pat::Variant(variant_key("None"), Vec::new())
            } else {
                Pat::Const(segs)
            }
        }
        syn::Pat::TupleStruct(ts) => {
            let name = last_segment(&ts.path);
            Pat::Variant(variant_key(&name), ts.elems.iter().map(lower).collect())
        }
        syn::Pat::Or(o) => Pat::Or(o.cases.iter().map(lower).collect()),
        syn::Pat::Paren(p) => lower(&p.pat),
        syn::Pat::Reference(r) => lower(&r.pat),
        syn::Pat::Type(t) => lower(&t.pat),
        syn::Pat::Tuple(t) if t.elems.iter().all(|e| matches!(lower(e), Pat::Any)) => Pat::Any,
        syn::Pat::Struct(s) if s.fields.iter().all(|f| matches!(lower(&f.pat), Pat::Any)) => {
            // `Wrapper { .. }` of a struct always matches; of an enum
            // variant it may not.
            let name = last_segment(&s.path);
            if s.path.segments.len() > 1 {
                Pat::Variant(name, Vec::new())
            } else {
                Pat::Any
            }
        }
        syn::Pat::Verbatim(_) | syn::Pat::Macro(_) => Pat::Unknown,
        syn::Pat::Const(_) => Pat::Unknown,
        _ => Pat::Unknown,
    }
}

fn literal(l: &syn::Lit, negative: bool) -> Pat {
    match l {
        syn::Lit::Int(i) => match i.base10_parse::<i128>() {
            Ok(v) => Pat::Int(if negative { -v } else { v }),
            Err(_) => Pat::Unknown,
        },
        syn::Lit::Bool(b) => Pat::Bool(b.value),
        _ => Pat::Unknown,
    }
}

fn int_expr(e: &syn::Expr) -> Option<i128> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => int_expr(&u.expr).map(|v| -v),
        syn::Expr::Paren(p) => int_expr(&p.expr),
        _ => None,
    }
}

/// `LINEERR_X`, `MAX`: all upper case, so a constant rather than a binding.
fn is_const_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
