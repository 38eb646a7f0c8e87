//! `cargo tapi-lint lsp`: a language server over stdio.
//!
//! It discovers the cargo workspace of each folder the editor opens, as
//! the command line does, analyzes it with the open documents in place of
//! the files on disk, and publishes the findings as diagnostics on every
//! change; findings with a [`crate::diagnostic::Suggestion`] come with a
//! quick fix. Analyses after an edit reuse the lowered files and the
//! checked functions the edit did not change ([`session`]).
//!
//! * [`server`]: the message loop;
//! * [`documents`]: the open documents, with incremental changes applied;
//! * [`convert`]: offsets and positions (UTF-8 or UTF-16), paths and URIs,
//!   findings and diagnostics;
//! * [`code_actions`]: suggestions as quick fixes;
//! * [`session`]: discovery, and analysis with its caches.

pub mod code_actions;
pub mod convert;
pub mod documents;
pub mod server;
pub mod session;

pub use server::{ServeError, serve};
pub use session::{Session, Snapshot};

/// Serves on stdin and stdout until the client shuts the server down;
/// returns the exit status: 0 after `shutdown` then `exit`, 1 otherwise
/// (as the protocol asks).
pub fn run_stdio() -> i32 {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let served = serve(&connection);
    // Closes the writer, so the I/O threads can end.
    drop(connection);
    let joined = io_threads.join();
    match (served, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            eprintln!("error: tapi-lint lsp: {e}");
            1
        }
        (Ok(()), Err(e)) => {
            eprintln!("error: tapi-lint lsp: {e}");
            1
        }
    }
}
