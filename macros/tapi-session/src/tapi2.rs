//! Interception of TAPI 2 calls: stop misuse before the call, record what
//! the call acquired or released after it. Which argument is a handle, an
//! out-pointer or a registration key comes from `tapi_model`.

use tapi_model::{Effect, FUNCTIONS, Function, ParentSlot, ResourceKind, Slot, Success};

use crate::registry::{self, Key, Registry, Released, SessionId};
use crate::report::Problem;
use crate::session;

/// One argument of an intercepted call, as the guard needs to see it.
#[derive(Clone, Copy, Debug)]
pub enum Arg {
    /// A handle, registration mode or flag, by value.
    Value(u64),
    /// A pointer through which TAPI writes a new handle.
    Out(*mut u32),
    /// Anything the guard does not look at.
    Other,
}

impl Arg {
    fn value(self) -> Option<u64> {
        match self {
            Arg::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// Integer types a handle, mode or flag argument may have.
pub trait HandleValue {
    fn handle_value(&self) -> u64;
}

macro_rules! handle_value {
    ($($t:ty),*) => {$(
        impl HandleValue for $t {
            fn handle_value(&self) -> u64 {
                *self as u64
            }
        }
    )*};
}
handle_value!(u32, i32, u64, i64, usize, isize, u16, i16);

pub fn handle_value<T: HandleValue>(value: &T) -> u64 {
    value.handle_value()
}

/// The forms an out-parameter takes at a call site (`&mut line`, or a raw
/// pointer). The expansion passes the raw pointer on to TAPI and reads the
/// new handle through the same pointer afterwards.
pub trait OutArg {
    fn out_ptr(self) -> *mut u32;
}

impl OutArg for &mut u32 {
    fn out_ptr(self) -> *mut u32 {
        self
    }
}

impl OutArg for *mut u32 {
    fn out_ptr(self) -> *mut u32 {
        self
    }
}

pub fn out_ptr<T: OutArg>(arg: T) -> *mut u32 {
    arg.out_ptr()
}

/// Makes the intercepted call `invoke` of the function at `index` in
/// `tapi_model::FUNCTIONS` (named `name`) for the session `session`.
///
/// # Safety
/// Every `Arg::Out` pointer must be valid for reads once `invoke` returns
/// a success code, as TAPI requires of the same pointer.
pub unsafe fn tapi2(
    session: SessionId,
    index: usize,
    name: &'static str,
    args: &[Arg],
    invoke: impl FnOnce() -> i32,
) -> i32 {
    let Some(function) = model(index, name) else {
        return invoke();
    };
    if let Some((problem, code)) = registry::with(|r| misuse(r, function, args)) {
        session::report_problem(session, problem);
        return code;
    }
    let rc = invoke();
    // SAFETY: forwarded from the caller.
    registry::with(|r| unsafe { record(r, session, function, args, rc) });
    rc
}

/// The expansion passes the index it computed from the same table; the
/// name guards against a mismatched build of the two crates.
fn model(index: usize, name: &str) -> Option<&'static Function> {
    FUNCTIONS
        .get(index)
        .filter(|f| f.name == name)
        .or_else(|| tapi_model::function(name))
}

fn succeeded(success: Success, rc: i32) -> bool {
    match success {
        Success::Zero => rc == 0,
        Success::Positive => rc > 0,
        Success::Ok => false,
    }
}

fn registration_key(owner: u64, mode: u64) -> u64 {
    (owner << 32) | (mode & 0xffff_ffff)
}

/// A handle the session released, passed again: the problem to report and
/// the code TAPI itself returns for it.
fn misuse(r: &Registry, f: &'static Function, args: &[Arg]) -> Option<(Problem, i32)> {
    for hp in f.handles {
        let Some(value) = args.get(hp.index).and_then(|a| a.value()) else {
            continue;
        };
        let key = Key {
            kind: hp.kind,
            value,
        };
        if value == 0 || r.is_held(&key) {
            continue;
        }
        let Some(released) = r.released(&key) else {
            continue;
        };
        let releases_it = matches!(f.effect, Effect::Release { kind, handle: Slot::Arg(i) }
            if kind == hp.kind && i == hp.index);
        return Some(if releases_it && !released.implicit {
            double_release(f, key, released)
        } else {
            let code = hp.kind.invalid_handle_error().unwrap_or(-1);
            let problem = Problem::UseAfterRelease {
                function: f.name,
                kind: hp.kind,
                handle: value,
                released_by: released.by,
                returned: code,
            };
            (problem, code)
        });
    }
    let (key, enable, _) = registration(f, args)?;
    if enable || r.is_held(&key) {
        return None;
    }
    Some(double_release(f, key, r.released(&key)?))
}

/// A second release of `key`, answered with TAPI's code for it.
fn double_release(f: &'static Function, key: Key, released: Released) -> (Problem, i32) {
    let code = key.kind.not_held_error().unwrap_or(-1);
    let problem = Problem::DoubleRelease {
        function: f.name,
        kind: key.kind,
        handle: Some(key.value),
        released_by: released.by,
        returned: Some(code),
    };
    (problem, code)
}

/// For a registration function: the registration the call names, whether
/// it enables it, and the line app that owns it.
fn registration(f: &Function, args: &[Arg]) -> Option<(Key, bool, Key)> {
    let Effect::Registration {
        owner: Slot::Arg(owner),
        key_arg,
        enable_arg,
        ..
    } = f.effect
    else {
        return None;
    };
    let value = |i: usize| args.get(i).and_then(|a| a.value());
    let (app, mode, enable) = (value(owner)?, value(key_arg)?, value(enable_arg)?);
    let key = Key {
        kind: ResourceKind::RequestRecipient,
        value: registration_key(app, mode),
    };
    let app = Key {
        kind: ResourceKind::LineApp,
        value: app,
    };
    Some((key, enable != 0, app))
}

/// What the call did, by the model's effect for it.
///
/// # Safety
/// As for [`tapi2`].
unsafe fn record(
    r: &mut Registry,
    session: SessionId,
    f: &'static Function,
    args: &[Arg],
    rc: i32,
) {
    let value = |i: usize| args.get(i).and_then(|a| a.value());
    match f.effect {
        Effect::Acquire { creates, success } if succeeded(success, rc) => {
            for c in creates {
                let Slot::Arg(i) = c.out else { continue };
                let Some(Arg::Out(ptr)) = args.get(i).copied() else {
                    continue;
                };
                if ptr.is_null() {
                    continue;
                }
                // SAFETY: TAPI just wrote through this pointer (caller's
                // contract); TAPI structs are packed, so read unaligned.
                let handle = unsafe { ptr.read_unaligned() } as u64;
                if handle == 0 {
                    // lineForward without a consultation call, or an
                    // asynchronous reply still to come: nothing to hold
                    // (the parent's release takes such a call with it).
                    continue;
                }
                let parent = parent(r, f, args, c.parent);
                let key = Key {
                    kind: c.kind,
                    value: handle,
                };
                r.acquire(session, key, parent, f.name);
            }
        }
        Effect::Release {
            kind,
            handle: Slot::Arg(i),
        } => {
            if let Some(v) = value(i).filter(|v| *v != 0) {
                r.release(session, Key { kind, value: v }, f.name);
            }
        }
        Effect::Registration { success, .. } => {
            let Some((key, enable, app)) = registration(f, args) else {
                return;
            };
            if !enable {
                r.release(session, key, f.name);
            } else if succeeded(success, rc) {
                r.acquire(session, key, Some(app), f.name);
            }
        }
        _ => {}
    }
}

fn parent(r: &Registry, f: &Function, args: &[Arg], slot: ParentSlot) -> Option<Key> {
    let handle_at = |slot: Slot| {
        let Slot::Arg(i) = slot else { return None };
        let kind = f.handles.iter().find(|h| h.index == i)?.kind;
        let value = args.get(i)?.value()?;
        Some(Key { kind, value })
    };
    match slot {
        ParentSlot::None => None,
        ParentSlot::Handle(s) => handle_at(s),
        ParentSlot::ParentOf(s) => r.parent_of(&handle_at(s)?),
    }
}
