//! A call to a TAPI 3 method the model knows, reported to the session.
//!
//! An acquiring call (`tapi.Initialize()`, `call.Connect(..)`,
//! `phone.Open(..)`, `tapi.RegisterCallNotifications(..)`,
//! `point.Advise(..)`) hands the session an owned clone of the receiver and
//! a closure calling the model's release method for that kind on it
//! (`Shutdown()`, `Disconnect(Default::default())`,
//! `UnregisterNotifications(cookie)`, ...), written here where the
//! `windows` crate's methods resolve. A releasing call tells the session
//! which one it gave back.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall, Ident};
use tapi_model::{Effect, METHODS, Method, ResourceKind, Slot, Success};

use crate::expand::com_session_ident;

pub fn expand(call: &ExprMethodCall) -> Option<Expr> {
    let name = call.method.to_string();
    let method = METHODS
        .iter()
        .find(|m| m.name == name && m.arity == call.args.len())?;
    let span = call.span();
    let binds: Vec<Ident> = (0..call.args.len())
        .map(|i| format_ident!("__tapi_arg{}", i, span = Span::mixed_site()))
        .collect();
    let recv = Ident::new("__tapi_recv", Span::mixed_site());
    let result = Ident::new("__tapi_result", Span::mixed_site());
    let session = com_session_ident();
    let owned = quote! {{
        use ::tapi_session::__private::{PeelRef as _, PeelValue as _};
        (&::tapi_session::__private::Recv(#recv)).owned()
    }};
    let method_ident = &call.method;
    let turbofish = &call.turbofish;

    let after = match method.effect {
        Effect::Acquire {
            creates: [created],
            success: Success::Ok,
        } => {
            let kind = kind_tokens(created.kind);
            let (release, release_slot) = release_method(created.kind)?;
            match created.out {
                Slot::Receiver => {
                    let obj = Ident::new("__tapi_obj", Span::mixed_site());
                    let args = release_args(release, release_slot, None);
                    let release_name = Ident::new(release.name, span);
                    quote! {
                        ::tapi_session::__private::com_object(
                            #session, #kind, #name, &#result, #owned,
                            |#obj| { let _ = #obj.#release_name(#(#args),*); },
                        );
                    }
                }
                Slot::Return => {
                    let (obj, cookie) = (
                        Ident::new("__tapi_obj", Span::mixed_site()),
                        Ident::new("__tapi_cookie", Span::mixed_site()),
                    );
                    let args = release_args(release, release_slot, Some(&cookie));
                    let release_name = Ident::new(release.name, span);
                    quote! {
                        ::tapi_session::__private::com_cookie(
                            #session, #kind, #name, &#result, #owned,
                            |#obj, #cookie| { let _ = #obj.#release_name(#(#args),*); },
                        );
                    }
                }
                Slot::Arg(_) => return None,
            }
        }
        Effect::Release { kind, handle } => {
            let kind = kind_tokens(kind);
            match handle {
                Slot::Receiver => quote! {
                    ::tapi_session::__private::com_release_object(#session, #kind, #name, #owned);
                },
                Slot::Arg(i) => {
                    let cookie = binds.get(i)?;
                    quote! {
                        ::tapi_session::__private::com_release_cookie(#session, #kind, #name, #cookie);
                    }
                }
                Slot::Return => return None,
            }
        }
        // Registrations through a VARIANT_BOOL and anything else the
        // model may grow are not guarded.
        _ => return None,
    };

    let receiver = &call.receiver;
    let args = call.args.iter();
    let attrs = &call.attrs;
    let tokens: TokenStream = quote_spanned! {span=>
        #(#attrs)*
        match (&(#receiver), #(#args,)*) {
            (#recv, #(#binds,)*) => {
                let #result = #recv.#method_ident #turbofish(#(#binds),*);
                #after
                #result
            }
        }
    };
    syn::parse2(tokens).ok()
}

fn kind_tokens(kind: ResourceKind) -> TokenStream {
    let variant = Ident::new(&format!("{kind:?}"), Span::call_site());
    quote!(::tapi_session::__private::ResourceKind::#variant)
}

/// The model's method that releases `kind`, and where it takes it.
fn release_method(kind: ResourceKind) -> Option<(&'static Method, Slot)> {
    METHODS.iter().find_map(|m| match m.effect {
        Effect::Release { kind: k, handle } if k == kind => Some((m, handle)),
        _ => None,
    })
}

/// Arguments for the release: the cookie where the model puts it, and the
/// default for the rest (`Disconnect(DC_NORMAL)`: `DISCONNECT_CODE`'s
/// default is `DC_NORMAL`, 0).
fn release_args(release: &Method, slot: Slot, cookie: Option<&Ident>) -> Vec<TokenStream> {
    (0..release.arity)
        .map(|i| match (slot, cookie) {
            (Slot::Arg(c), Some(cookie)) if c == i => quote!(#cookie),
            _ => quote!(::core::default::Default::default()),
        })
        .collect()
}
