//! A call to a TAPI 2 function, routed through `__private::tapi2`.
//!
//! `lineOpenW(app, dev, &mut line, ..)` becomes, in effect:
//! ```text
//! match (app, dev, &mut line, ..) {
//!     (a0, a1, a2, ..) => {
//!         let out2 = out_ptr(a2);
//!         tapi2(sid, INDEX, "lineOpenW",
//!               &[Arg::Value(handle_value(&a0)), Arg::Other, Arg::Out(out2), ..],
//!               || lineOpenW(a0, a1, out2, ..))
//!     }
//! }
//! ```
//! The arguments are evaluated once, in order, and their temporaries live
//! until the call returns (a `match` scrutinee's do), exactly as in the
//! original call; the callee path is the user's own, so it resolves to
//! whatever the user imported; and the call stays inside the user's
//! `unsafe` block.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprCall};
use tapi_model::{Effect, FUNCTIONS, Function, Slot};

use crate::expand::session_id_ident;

enum Role {
    /// A handle, mode or flag the guard reads.
    Value,
    /// An out-pointer through which TAPI writes a new handle.
    Out,
    Other,
}

pub fn expand(call: &ExprCall) -> Option<Expr> {
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let name = path.path.segments.last()?.ident.to_string();
    let index = FUNCTIONS.binary_search_by(|f| f.name.cmp(&name)).ok()?;
    let function = &FUNCTIONS[index];
    let relevant = !matches!(function.effect, Effect::None) || !function.handles.is_empty();
    if !relevant || function.arity != call.args.len() {
        return None;
    }

    let span = call.span();
    let mut binds = Vec::new();
    let mut prep = Vec::new();
    let mut pass = Vec::new();
    let mut roles = Vec::new();
    for i in 0..call.args.len() {
        let bind = format_ident!("__tapi_arg{}", i, span = Span::mixed_site());
        match role(function, i) {
            Role::Out => {
                let out = format_ident!("__tapi_out{}", i, span = Span::mixed_site());
                prep.push(quote!(let #out = ::tapi_session::__private::out_ptr(#bind);));
                roles.push(quote!(::tapi_session::__private::Arg::Out(#out)));
                pass.push(out);
            }
            Role::Value => {
                roles.push(quote!(::tapi_session::__private::Arg::Value(
                    ::tapi_session::__private::handle_value(&#bind)
                )));
                pass.push(bind.clone());
            }
            Role::Other => {
                roles.push(quote!(::tapi_session::__private::Arg::Other));
                pass.push(bind.clone());
            }
        }
        binds.push(bind);
    }
    let args = call.args.iter();
    let callee = &call.func;
    let sid = session_id_ident();
    let attrs = &call.attrs;
    let tokens: TokenStream = quote_spanned! {span=>
        #(#attrs)*
        match (#(#args,)*) {
            (#(#binds,)*) => {
                #(#prep)*
                ::tapi_session::__private::tapi2(
                    #sid,
                    #index,
                    #name,
                    &[#(#roles),*],
                    || #callee(#(#pass),*),
                )
            }
        }
    };
    syn::parse2(tokens).ok()
}

/// What the guard needs from argument `i`, from the model.
fn role(function: &Function, i: usize) -> Role {
    match function.effect {
        Effect::Acquire { creates, .. } if creates.iter().any(|c| c.out == Slot::Arg(i)) => {
            return Role::Out;
        }
        Effect::Registration {
            owner,
            key_arg,
            enable_arg,
            ..
        } if owner == Slot::Arg(i) || key_arg == i || enable_arg == i => return Role::Value,
        _ => {}
    }
    if function.handles.iter().any(|h| h.index == i) {
        Role::Value
    } else {
        Role::Other
    }
}
