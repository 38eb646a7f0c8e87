//! What the analysis knows about names and values it does not see defined:
//! TAPI constants, casts, comparisons, the standard library.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DropCall {
    /// `drop(x)`, `mem::drop(x)`.
    Drop,
    /// `mem::forget(x)`.
    Forget,
}

pub(super) fn drop_call(path: &[String]) -> Option<DropCall> {
    match path {
        [.., m, f] if m == "mem" && f == "drop" => Some(DropCall::Drop),
        [.., m, f] if m == "mem" && f == "forget" => Some(DropCall::Forget),
        _ => None,
    }
}

pub(super) fn success_class(s: Success) -> SuccessClass {
    match s {
        Success::Positive => SuccessClass::Positive,
        Success::Zero | Success::Ok => SuccessClass::Zero,
    }
}

/// The result of a call that is `Ok` exactly when the call `ev` succeeded
/// (a COM method, or a crate function that hands out what it acquired).
pub(super) fn ok_when_success(ev: EvId) -> Val {
    Val::Mapped {
        ev,
        success: SuccessClass::Zero,
        mapper: Box::new(Mapper {
            results: [
                Some(Val::Variant(crate::lower::SUCCESS.into())),
                None,
                Some(Val::Variant(crate::lower::FAILURE.into())),
            ],
        }),
    }
}

pub(super) fn opposite_variant(key: &str) -> Option<String> {
    let (s, f) = (crate::lower::SUCCESS, crate::lower::FAILURE);
    if key == s {
        Some(f.to_string())
    } else if key == f {
        Some(s.to_string())
    } else {
        None
    }
}

/// Whether a flag argument is non-zero (`TRUE`, `1`, `VARIANT_TRUE`).
pub(super) fn truthiness(v: &Val) -> Option<bool> {
    match v {
        Val::Int(0, 0) | Val::Bool(false) => Some(false),
        Val::Int(lo, hi) if *lo > 0 || *hi < 0 => Some(true),
        Val::Bool(true) => Some(true),
        _ => None,
    }
}

/// Whether `a op b` can be true, and whether it can be false, for values in
/// the intervals.
pub(super) fn compare(a: &Val, op: CmpOp, b: &Val) -> (bool, bool) {
    let (Val::Int(al, ah), Val::Int(bl, bh)) = (a, b) else {
        return (true, true);
    };
    let (al, ah, bl, bh) = (*al, *ah, *bl, *bh);
    let lt_possible = al < bh;
    let lt_certain = ah < bl;
    let eq_possible = al <= bh && bl <= ah;
    let eq_certain = al == ah && bl == bh && al == bl;
    let gt_possible = ah > bl;
    let gt_certain = al > bh;
    match op {
        CmpOp::Eq => (eq_possible, !eq_certain),
        CmpOp::Ne => (!eq_certain, eq_possible),
        CmpOp::Lt => (lt_possible, !lt_certain),
        CmpOp::Le => (
            lt_possible || eq_possible,
            !(lt_certain || eq_certain || ah <= bl),
        ),
        CmpOp::Gt => (gt_possible, !gt_certain),
        CmpOp::Ge => (gt_possible || eq_possible, !(gt_certain || al >= bh)),
    }
}

pub(super) fn cast(v: Val, ty: &str, span: Span) -> Val {
    let unsigned = matches!(
        ty,
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "DWORD" | "HRESULT_U"
    );
    let signed = matches!(ty, "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "LONG");
    match v {
        Val::Code { ev, success, .. } if unsigned => Val::Code {
            ev,
            success,
            unsigned: Some(span),
        },
        Val::Code { ev, success, .. } if signed => Val::Code {
            ev,
            success,
            unsigned: None,
        },
        Val::Int(lo, hi) if ty == "i32" && lo > i32::MAX as i128 && hi <= u32::MAX as i128 => {
            Val::Int(lo - (1 << 32), hi - (1 << 32))
        }
        Val::Int(lo, hi) if ty == "u32" && hi < 0 && lo >= i32::MIN as i128 => {
            Val::Int(lo + (1 << 32), hi + (1 << 32))
        }
        v @ (Val::Int(..) | Val::Ptr(_) | Val::Handle(_) | Val::Elements(_)) => v,
        _ => Val::Unknown,
    }
}

/// The value of a named constant the analysis knows: TAPI error codes are
/// families (`LINEERR_*` are `0x8000_00xx` as `u32`).
pub(super) fn const_value(segs: &[String]) -> Val {
    let Some(name) = segs.last() else {
        return Val::Unknown;
    };
    let name = name.as_str();
    if name.starts_with("LINEERR_") {
        Val::Int(0x8000_0001, 0x8000_0FFF)
    } else if name.starts_with("PHONEERR_") {
        Val::Int(0x9000_0001, 0x9000_0FFF)
    } else if name.starts_with("TAPIERR_") {
        Val::Int(-100, -1)
    } else {
        match name {
            "TRUE" => Val::Int(1, 1),
            "FALSE" | "VARIANT_FALSE" | "S_OK" | "NO_ERROR" | "ERROR_SUCCESS" => Val::Int(0, 0),
            "VARIANT_TRUE" => Val::Int(-1, -1),
            _ => Val::Unknown,
        }
    }
}

pub(super) fn is_process_exit(path: &[String]) -> bool {
    let n = path.len();
    n >= 2 && path[n - 2] == "process" && matches!(path[n - 1].as_str(), "exit" | "abort")
}

/// Calls that never return and are not a leak path.
pub(super) fn is_diverging(path: &[String]) -> bool {
    let n = path.len();
    n >= 2
        && path[n - 2] == "panic"
        && matches!(path[n - 1].as_str(), "panic_any" | "resume_unwind")
}

pub(super) fn is_collection_constructor(path: &[String]) -> bool {
    let n = path.len();
    n >= 2
        && matches!(
            path[n - 2].as_str(),
            "Vec" | "VecDeque" | "HashMap" | "BTreeMap" | "HashSet" | "BTreeSet"
        )
        && matches!(path[n - 1].as_str(), "new" | "with_capacity" | "default")
}

/// The standard library: it does not take ownership of a handle to release
/// it (a handle passed to `drop` or `mem::forget` is not released either).
pub(super) fn is_std(path: &[String]) -> bool {
    path.first()
        .is_some_and(|s| matches!(s.as_str(), "std" | "core" | "alloc"))
        || (path.len() == 2
            && matches!(
                path[0].as_str(),
                "Vec"
                    | "String"
                    | "Box"
                    | "Option"
                    | "Result"
                    | "u32"
                    | "i32"
                    | "usize"
                    | "u64"
                    | "i64"
            ))
}
