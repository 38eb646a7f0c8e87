//! `cargo tapi-lint`: see [`tapi_lint::cli`] for the command line and
//! [`tapi_lint::driver`] for what it does.

use std::panic::{AssertUnwindSafe, catch_unwind};

fn main() {
    tapi_lint::driver::install_panic_hook();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = match catch_unwind(AssertUnwindSafe(|| tapi_lint::driver::run(argv))) {
        Ok(code) => code,
        Err(payload) => {
            eprintln!(
                "error: internal error in tapi-lint: {}",
                tapi_lint::driver::panic_message(payload.as_ref())
            );
            tapi_lint::driver::EXIT_TOOL
        }
    };
    std::process::exit(code);
}
