//! TAPI 3: the COM objects and cookies a session acquired.
//!
//! The `windows` crate's interfaces only exist on Windows, so nothing here
//! names them: the expansion hands over an owned clone of the receiver
//! (which identifies the COM object: interface equality is pointer
//! equality) and a closure that releases it, written at the call site where
//! the interface's methods resolve.

use std::any::Any;

use tapi_model::ResourceKind;

use std::cell::RefCell;

use crate::registry::SessionMeta;
use crate::report::Problem;
use crate::session::{self, Session};

/// A receiver, borrowed, so the expansion can get an owned handle to the
/// COM object whether the receiver is the interface or a reference to it
/// (`(&Recv(r)).owned()`: [`PeelRef`] applies to references, before
/// autoref reaches [`PeelValue`]).
pub struct Recv<'r, X: ?Sized>(pub &'r X);

pub trait PeelRef {
    type Owned;
    fn owned(&self) -> Self::Owned;
}

impl<T: Clone> PeelRef for Recv<'_, &T> {
    type Owned = T;
    fn owned(&self) -> T {
        (*self.0).clone()
    }
}

pub trait PeelValue {
    type Owned;
    fn owned(&self) -> Self::Owned;
}

impl<T: Clone> PeelValue for &Recv<'_, T> {
    type Owned = T;
    fn owned(&self) -> T {
        self.0.clone()
    }
}

/// Cookie types (`RegisterCallNotifications` gives an `i32`, `Advise` a
/// `u32`).
pub trait CookieValue: Copy + 'static {
    fn cookie(self) -> i64;
}

macro_rules! cookie_value {
    ($($t:ty),*) => {$(
        impl CookieValue for $t {
            fn cookie(self) -> i64 {
                self as i64
            }
        }
    )*};
}
cookie_value!(i32, u32, i64, usize);

/// What identifies a TAPI 3 resource within its session.
enum Identity {
    Object {
        object: Box<dyn Any>,
        same: fn(&dyn Any, &dyn Any) -> bool,
    },
    Cookie(i64),
}

impl Identity {
    fn matches(&self, other: &Identity) -> bool {
        match (self, other) {
            (Identity::Object { object, same }, Identity::Object { object: o, .. }) => {
                same(object.as_ref(), o.as_ref())
            }
            (Identity::Cookie(a), Identity::Cookie(b)) => a == b,
            _ => false,
        }
    }

    fn cookie(&self) -> Option<u64> {
        match self {
            Identity::Cookie(c) => Some(*c as u64),
            Identity::Object { .. } => None,
        }
    }
}

fn same_object<T: PartialEq + 'static>(a: &dyn Any, b: &dyn Any) -> bool {
    matches!((a.downcast_ref::<T>(), b.downcast_ref::<T>()), (Some(a), Some(b)) if a == b)
}

fn object_identity<T: PartialEq + 'static>(object: T) -> Identity {
    Identity::Object {
        object: Box::new(object),
        same: same_object::<T>,
    }
}

struct ComEntry {
    kind: ResourceKind,
    identity: Identity,
    acquired_by: &'static str,
    seq: u64,
    release: Box<dyn FnOnce()>,
}

impl ComEntry {
    fn cookie(&self) -> Option<u64> {
        self.identity.cookie()
    }
}

struct ComReleased {
    kind: ResourceKind,
    identity: Identity,
    by: &'static str,
}

/// `object.Initialize()` / `Connect(..)` / `Open(..)` returned `result`:
/// on `Ok` the session holds `object` until `release` gives it back.
pub fn com_object<T, R, E>(
    session: &ComSession,
    kind: ResourceKind,
    by: &'static str,
    result: &Result<R, E>,
    object: T,
    release: impl FnOnce(T) + 'static,
) where
    T: Clone + PartialEq + 'static,
{
    if result.is_ok() {
        let identity = object_identity(object.clone());
        session.hold_com(kind, identity, by, Box::new(move || release(object)));
    }
}

/// `owner.RegisterCallNotifications(..)` / `Advise(..)` returned `result`:
/// on `Ok(cookie)` the session holds the cookie until `release(owner,
/// cookie)` gives it back.
pub fn com_cookie<T, C, E>(
    session: &ComSession,
    kind: ResourceKind,
    by: &'static str,
    result: &Result<C, E>,
    owner: T,
    release: impl FnOnce(T, C) + 'static,
) where
    T: 'static,
    C: CookieValue,
{
    if let Ok(cookie) = result {
        let cookie = *cookie;
        let identity = Identity::Cookie(cookie.cookie());
        session.hold_com(kind, identity, by, Box::new(move || release(owner, cookie)));
    }
}

/// `object.Shutdown()` / `Disconnect(..)` / `Close()` was called.
pub fn com_release_object<T: PartialEq + 'static>(
    session: &ComSession,
    kind: ResourceKind,
    by: &'static str,
    object: T,
) {
    session.release_com(kind, object_identity(object), by);
}

/// `UnregisterNotifications(cookie)` / `Unadvise(cookie)` was called.
pub fn com_release_cookie<C: CookieValue>(
    session: &ComSession,
    kind: ResourceKind,
    by: &'static str,
    cookie: C,
) {
    session.release_com(kind, Identity::Cookie(cookie.cookie()), by);
}

/// The TAPI 3 side of a session, declared by the expansion only in
/// functions that make TAPI 3 calls. COM interface pointers belong to
/// their thread, and so does this (it is neither `Send` nor `Sync`).
/// Declared after the [`Session`], it ends first: TAPI 3 leftovers are
/// given back before TAPI 2 ones.
pub struct ComSession {
    meta: SessionMeta,
    com: RefCell<Vec<ComEntry>>,
    com_released: RefCell<Vec<ComReleased>>,
}

impl ComSession {
    pub fn enter(session: &Session) -> ComSession {
        ComSession {
            meta: session.meta,
            com: RefCell::default(),
            com_released: RefCell::default(),
        }
    }

    fn hold_com(
        &self,
        kind: ResourceKind,
        identity: Identity,
        by: &'static str,
        release: Box<dyn FnOnce()>,
    ) {
        let seq = crate::registry::with(|r| r.next_seq());
        let mut released = self.com_released.borrow_mut();
        released.retain(|r| !(r.kind == kind && r.identity.matches(&identity)));
        self.com.borrow_mut().push(ComEntry {
            kind,
            identity,
            acquired_by: by,
            seq,
            release,
        });
    }

    fn release_com(&self, kind: ResourceKind, identity: Identity, by: &'static str) {
        let held = {
            let mut com = self.com.borrow_mut();
            com.iter()
                .rposition(|e| e.kind == kind && e.identity.matches(&identity))
                .map(|i| com.remove(i))
        };
        if held.is_some() {
            self.com_released
                .borrow_mut()
                .push(ComReleased { kind, identity, by });
            return;
        }
        let first = self
            .com_released
            .borrow()
            .iter()
            .find(|r| r.kind == kind && r.identity.matches(&identity))
            .map(|r| r.by);
        if let Some(first) = first {
            // No error value of the caller's result type can be made up
            // here, so the call has gone through; it is reported.
            session::act(
                self.meta,
                Problem::DoubleRelease {
                    function: by,
                    kind,
                    handle: identity.cookie(),
                    released_by: first,
                    returned: None,
                },
            );
        }
    }
}

impl Drop for ComSession {
    fn drop(&mut self) {
        let mut leftovers = self.com.take();
        // Calls, then registrations, then sinks, then `Shutdown` (the
        // model's rank); newest first within a kind.
        leftovers.sort_by_key(|e| (e.kind.release_rank(), std::cmp::Reverse(e.seq)));
        let problems = leftovers
            .into_iter()
            .map(|entry| {
                let problem = Problem::Leftover {
                    kind: entry.kind,
                    handle: entry.cookie(),
                    acquired_by: entry.acquired_by,
                    release_code: None,
                };
                (entry.release)();
                problem
            })
            .collect();
        session::report_leftovers(self.meta, problems);
    }
}
