//! `tapi_lint`: the library behind `cargo tapi-lint`.
//!
//! The pipeline, one module per stage (see `docs/architecture.md`):
//! discover sources → parse and lower each file to [`ir`] → resolve names →
//! check each body → report.

pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod driver;
pub mod ir;
pub mod lints;
pub mod lower;
pub mod lsp;
pub mod report;
pub mod resolve;
pub mod source;
pub mod stack;
pub mod suppress;
