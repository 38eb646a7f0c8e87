//! Runtime guards for TAPI sessions.
//!
//! Mark a function `#[tapi_session]` and whatever it acquires from TAPI and
//! does not give back is given back when it exits, however it exits: a
//! return, `?`, a `break` out of its body, a panic unwinding through it, or
//! (for an `async fn`) its future being dropped. Leftovers are released in
//! the order TAPI documents (calls, then lines and phones, then
//! registrations, then apps; TAPI 3: calls disconnected, notifications
//! unregistered, sinks unadvised, `Shutdown`), and each one is reported
//! through the session's policy.
//!
//! ```ignore
//! use tapi_session::tapi_session;
//!
//! #[tapi_session]                       // on_leak = "release" (the default)
//! fn run() -> Result<(), i32> { /* .. */ Ok(()) }
//!
//! #[tapi_session(on_leak = "panic")]    // for tests: a leftover is a failure
//! fn scenario() { /* .. */ }
//! ```
//!
//! Misuse is stopped before it reaches TAPI: passing a handle the session
//! released (explicitly, or through its parent: the calls of a closed line,
//! the lines of a shut-down app) returns the error code TAPI itself returns
//! for an invalid handle, and a second release returns the code TAPI
//! returns for it; both are reported.
//!
//! What is intercepted is decided by the same table the static analyzer
//! uses ([`tapi_model`]): every TAPI 2 function that acquires, releases or
//! takes a handle, and the TAPI 3 methods that acquire or release. Calls
//! made in the marked function's body and in the closures written in it are
//! intercepted; calls in other functions are not (mark those functions too:
//! sessions nest, and a handle may be released in a nested session or on
//! another thread).

mod com;
mod registry;
mod release;
mod report;
mod session;
mod tapi2;

pub use report::{Problem, Report, reset_report_hook, set_report_hook};
pub use session::OnLeak;
pub use tapi_model::ResourceKind;
pub use tapi_session_macros::tapi_session;

/// What the expansion of `#[tapi_session]` calls. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::com::{
        ComSession, CookieValue, PeelRef, PeelValue, Recv, com_cookie, com_object,
        com_release_cookie, com_release_object,
    };
    pub use crate::session::{OnLeak, Session};
    pub use crate::tapi2::{Arg, HandleValue, OutArg, handle_value, out_ptr, tapi2};
    pub use tapi_model::ResourceKind;
}
