//! `#[tapi_session]`: see the `tapi-session` crate, which re-exports it and
//! holds the runtime the expansion calls.
//!
//! The expansion keeps the function as written and changes two things in
//! its body: a session value is created first (so it is dropped last, on
//! every way out, unwinding included), and each call to a TAPI function or
//! method the model knows (`tapi_model`) goes through the session.

mod expand;
mod options;
mod rewrite;
mod tapi2;
mod tapi3;

use proc_macro::TokenStream;

#[proc_macro_attribute]
pub fn tapi_session(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[cfg(test)]
mod snapshots;
