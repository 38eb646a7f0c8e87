//! Facts read off syntax alone: literals, paths, types, constructors.

use super::*;
pub(super) fn lit(l: &syn::Lit) -> Operand {
    match l {
        syn::Lit::Int(i) => i
            .base10_parse::<i128>()
            .map(|v| Operand::Const(Const::Int(v)))
            .unwrap_or(Operand::Unknown),
        syn::Lit::Bool(b) => Operand::Const(Const::Bool(b.value)),
        syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => Operand::Const(Const::Str),
        _ => Operand::Unknown,
    }
}

pub(super) fn path_segments(path: &syn::Path) -> Vec<String> {
    let mut segs = Vec::with_capacity(path.segments.len() + 1);
    if path.leading_colon.is_some() {
        segs.push(String::new());
    }
    segs.extend(path.segments.iter().map(|s| s.ident.to_string()));
    segs
}

pub(super) fn path_generics(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .flat_map(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => type_name(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// A call that builds a value rather than running code: `Some(x)`,
/// `Ok(x)`, `Err(e)`, and tuple structs or variants (capitalised names).
pub(super) fn constructor_kind(segs: &[String]) -> Option<AggregateKind> {
    let last = segs.last()?;
    match last.as_str() {
        "Some" | "Ok" | "Err" => return Some(AggregateKind::Variant(last.clone())),
        "Box" | "Rc" | "Arc" | "Vec" | "String" | "Mutex" | "RefCell" | "Cell" | "OnceLock" => {
            return None;
        }
        _ => {}
    }
    let starts_upper = last.chars().next().is_some_and(char::is_uppercase);
    let is_const_like = last
        .chars()
        .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_');
    if !starts_upper || is_const_like {
        return None;
    }
    // `Type::Variant(..)` or `Struct(..)`; `Type::new(..)` is lowercase.
    if segs.len() >= 2
        && segs[segs.len() - 2]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    {
        Some(AggregateKind::Variant(last.clone()))
    } else {
        Some(AggregateKind::Struct(last.clone()))
    }
}

/// The type a function hands back, looking through `Result`, `Option` and
/// `Box`: `Result<Line, i32>` gives `Line`.
pub(super) fn returned_type(ty: &syn::Type) -> Option<String> {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && matches!(last.ident.to_string().as_str(), "Result" | "Option" | "Box")
        && let syn::PathArguments::AngleBracketed(a) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = a.args.first()
    {
        return returned_type(inner);
    }
    type_name(ty)
}

/// The function a `let` initializer calls for its value (`open(app)?`,
/// `Line::open(app).unwrap()`), as written.
pub(super) fn initializing_call(e: &syn::Expr) -> Option<Vec<String>> {
    match e {
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => Some(path_segments(&p.path)),
            _ => None,
        },
        syn::Expr::Try(t) => initializing_call(&t.expr),
        syn::Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            initializing_call(&m.receiver)
        }
        syn::Expr::Paren(p) => initializing_call(&p.expr),
        // `match open(..) { Ok(x) => x, Err(e) => return .. }`
        syn::Expr::Match(m) => initializing_call(&m.expr),
        syn::Expr::Unsafe(u) => match u.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => initializing_call(e),
            _ => None,
        },
        _ => None,
    }
}

/// The type a `let` initializer evidently builds: `S { .. }`, `S::new(..)`,
/// `S::open(..)?`, `S::new().unwrap()`. Used to resolve method calls on the
/// variable; a wrong guess only loses precision (the call is not followed).
pub(super) fn constructed_type(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Struct(s) => s.path.segments.last().map(|s| s.ident.to_string()),
        syn::Expr::Call(c) => match &*c.func {
            // `CoCreateInstance::<_, ITTAPI>(..)` builds its last type argument.
            syn::Expr::Path(p) if path_generics(&p.path).last().is_some_and(|g| g != "_") => {
                path_generics(&p.path).pop()
            }
            syn::Expr::Path(p) if p.path.segments.len() >= 2 => {
                let ty = &p.path.segments[p.path.segments.len() - 2].ident;
                let ty = ty.to_string();
                ty.chars()
                    .next()
                    .is_some_and(char::is_uppercase)
                    .then_some(ty)
            }
            _ => None,
        },
        syn::Expr::Try(t) => constructed_type(&t.expr),
        syn::Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            constructed_type(&m.receiver)
        }
        syn::Expr::Paren(p) => constructed_type(&p.expr),
        syn::Expr::Unsafe(u) => match u.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => constructed_type(e),
            _ => None,
        },
        _ => None,
    }
}

/// `Box::new`, `Rc::new`, `Arc::new`, `Cell::new`, `RefCell::new`,
/// `Mutex::new`, `RwLock::new`: constructors that only wrap their argument.
pub(super) fn is_wrapper_new(segs: &[String]) -> bool {
    let n = segs.len();
    n >= 2
        && segs[n - 1] == "new"
        && matches!(
            segs[n - 2].as_str(),
            "Box" | "Rc" | "Arc" | "Cell" | "RefCell" | "Mutex" | "RwLock"
        )
}

pub(super) fn is_mem_take(segs: &[String]) -> bool {
    let n = segs.len();
    n >= 2 && segs[n - 2] == "mem" && matches!(segs[n - 1].as_str(), "take" | "replace")
}

pub(super) fn is_mut_ref_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_some(),
        syn::Type::Ptr(p) => p.mutability.is_some(),
        syn::Type::Paren(p) => is_mut_ref_type(&p.elem),
        _ => false,
    }
}
