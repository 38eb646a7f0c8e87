//! A running `#[tapi_session]` function: entered at the top of its body,
//! ended when that body's locals are dropped, on every way out.

use std::cell::Cell;
use std::panic::Location;

use crate::registry::{self, SessionId, SessionMeta};
use crate::release;
use crate::report::{self, Problem, Report};

/// What a session does about a problem: a leftover at exit, or misuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnLeak {
    /// Release leftovers and report every problem (the default).
    #[default]
    Release,
    /// Release leftovers, report, then panic: for tests, where a leftover
    /// is a bug. (Not while already unwinding: that would abort.)
    Panic,
    /// Release leftovers, report, then abort the process.
    Abort,
}

thread_local! {
    /// The innermost session running on this thread, so a nested session
    /// can pass what it released on to the one it runs in.
    static CURRENT: Cell<Option<SessionId>> = const { Cell::new(None) };
}

/// The TAPI 2 side of a session. It holds only its id and its policy
/// (the handles are in the global registry), so it is `Send` and `Sync`
/// and an `async fn` holding it across `.await` stays `Send`.
pub struct Session {
    id: SessionId,
    pub(crate) meta: SessionMeta,
    enclosing: Option<SessionId>,
}

impl Session {
    /// Starts the session of the function `name`; the location is the
    /// function's (the expansion spans the call there).
    #[track_caller]
    pub fn enter(name: &'static str, policy: OnLeak) -> Session {
        let meta = SessionMeta {
            name,
            location: Location::caller(),
            policy,
        };
        let id = registry::with(|r| r.open_session(meta));
        let enclosing = CURRENT.with(|c| c.replace(Some(id)));
        Session {
            id,
            meta,
            enclosing,
        }
    }

    /// The session's id, which closures (also ones sent to other threads)
    /// capture by value for TAPI 2 calls.
    pub fn id(&self) -> SessionId {
        self.id
    }
}

/// Reports `problem` under the policy of the session `id` (TAPI 2 calls
/// know their session only by id).
pub(crate) fn report_problem(id: SessionId, problem: Problem) {
    let meta = registry::with(|r| r.meta(id));
    match meta {
        Some(meta) => act(meta, problem),
        // A closure that outlived its session: report without a policy.
        None => report::emit(&Report {
            session: "<ended session>",
            location: Location::caller(),
            problem,
        }),
    }
}

pub(crate) fn act(meta: SessionMeta, problem: Problem) {
    let report = Report {
        session: meta.name,
        location: meta.location,
        problem,
    };
    report::emit(&report);
    match meta.policy {
        OnLeak::Release => {}
        OnLeak::Panic if std::thread::panicking() => {}
        OnLeak::Panic => panic!("tapi-session: {report}"),
        OnLeak::Abort => std::process::abort(),
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let mut leftovers = registry::with(|r| r.held_by(self.id));
        // Children before parents (the model's rank), and within a kind the
        // newest first, as a program unwinding by hand would.
        leftovers.sort_by_key(|(key, held)| (key.kind.release_rank(), std::cmp::Reverse(held.seq)));

        let mut problems = Vec::new();
        for (key, held) in leftovers {
            // Released meanwhile with its parent: nothing to do.
            if !registry::with(|r| r.is_held(&key)) {
                continue;
            }
            let code = release::release(key);
            registry::with(|r| r.release(self.id, key, "the session guard"));
            // TAPI says the handle was already gone: code the guard does
            // not see (an unmarked helper) released it.
            if Some(code) == key.kind.not_held_error() {
                continue;
            }
            problems.push(Problem::Leftover {
                kind: key.kind,
                handle: Some(key.value),
                acquired_by: held.acquired_by,
                release_code: Some(code),
            });
        }

        registry::with(|r| r.close_session(self.id, self.enclosing));
        CURRENT.with(|c| {
            if c.get() == Some(self.id) {
                c.set(self.enclosing);
            }
        });
        report_leftovers(self.meta, problems);
    }
}

/// Every leftover is reported; the policy acts once, on the last, after
/// all of them have been released.
pub(crate) fn report_leftovers(meta: SessionMeta, mut problems: Vec<Problem>) {
    let Some(last) = problems.pop() else { return };
    for problem in problems {
        report::emit(&Report {
            session: meta.name,
            location: meta.location,
            problem,
        });
    }
    act(meta, last);
}
