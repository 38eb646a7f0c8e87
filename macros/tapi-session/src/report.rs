//! What a session tells the program about, and where it goes.

use std::fmt;
use std::panic::Location;
use std::sync::RwLock;

use tapi_model::ResourceKind;

/// One thing a session saw go wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The marked function.
    pub session: &'static str,
    /// Where the marked function is.
    pub location: &'static Location<'static>,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Still held when the session ended; the guard released it.
    Leftover {
        kind: ResourceKind,
        /// The TAPI 2 handle (or cookie); `None` for a TAPI 3 object.
        handle: Option<u64>,
        /// The function or method that acquired it.
        acquired_by: &'static str,
        /// What the guard's release returned (TAPI 2 only).
        release_code: Option<i32>,
    },
    /// A handle passed to TAPI after it was released. The call was not
    /// made; it returned `returned`, TAPI's own code for the case.
    UseAfterRelease {
        function: &'static str,
        kind: ResourceKind,
        handle: u64,
        released_by: &'static str,
        returned: i32,
    },
    /// A second release. TAPI 2: not made, it returned `returned`; TAPI 3
    /// (where no error value can be made up) it went through.
    DoubleRelease {
        function: &'static str,
        kind: ResourceKind,
        handle: Option<u64>,
        released_by: &'static str,
        returned: Option<i32>,
    },
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` ({}): ", self.session, self.location)?;
        match &self.problem {
            Problem::Leftover {
                kind,
                handle,
                acquired_by,
                release_code,
            } => {
                write!(f, "{} ", kind.noun())?;
                if let Some(h) = handle {
                    write!(f, "{h:#x} ")?;
                }
                write!(
                    f,
                    "from `{acquired_by}` was still held at exit; released with `{}`",
                    kind.release_name()
                )?;
                match release_code {
                    Some(0) | None => Ok(()),
                    Some(rc) => write!(f, " (returned {:#x})", *rc as u32),
                }
            }
            Problem::UseAfterRelease {
                function,
                kind,
                handle,
                released_by,
                returned,
            } => write!(
                f,
                "`{function}` called with {} {handle:#x}, already released by `{released_by}`; \
                 not passed to TAPI, returned {:#x}",
                kind.noun(),
                *returned as u32
            ),
            Problem::DoubleRelease {
                function,
                kind,
                handle,
                released_by,
                returned,
            } => {
                write!(f, "`{function}` releases {} ", kind.noun())?;
                if let Some(h) = handle {
                    write!(f, "{h:#x} ")?;
                }
                write!(f, "a second time (first by `{released_by}`)")?;
                match returned {
                    Some(rc) => write!(f, "; not passed to TAPI, returned {:#x}", *rc as u32),
                    None => Ok(()),
                }
            }
        }
    }
}

type Hook = Box<dyn Fn(&Report) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

/// Sends every report to `hook` instead of standard error (as
/// `std::panic::set_hook` does for panics). Process-wide.
pub fn set_report_hook(hook: impl Fn(&Report) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(hook));
}

/// Goes back to printing reports on standard error.
pub fn reset_report_hook() {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = None;
}

pub(crate) fn emit(report: &Report) {
    match &*HOOK.read().unwrap_or_else(|e| e.into_inner()) {
        Some(hook) => hook(report),
        None => eprintln!("tapi-session: {report}"),
    }
}
