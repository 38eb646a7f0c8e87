//! From the annotated item to the guarded function.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Item, ItemFn};

use crate::{options, rewrite};

/// The hidden locals: the session, and its id for TAPI 2 calls (a `Copy`
/// value, so closures sent to other threads can take it along). Mixed-site
/// hygiene keeps them out of the user's namespace.
pub fn session_ident() -> Ident {
    Ident::new("__tapi_session", Span::mixed_site())
}

pub fn session_id_ident() -> Ident {
    Ident::new("__tapi_sid", Span::mixed_site())
}

/// The TAPI 3 side of the session, only in functions with TAPI 3 calls
/// (it is not `Send`; a TAPI 2 `async fn` stays `Send` without it).
pub fn com_session_ident() -> Ident {
    Ident::new("__tapi_com", Span::mixed_site())
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = options::parse(attr)?;
    let mut function = parse_function(item)?;
    if let Some(constness) = &function.sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            "`#[tapi_session]` cannot guard a `const fn`: its guard runs at run time",
        ));
    }

    let found = rewrite::body(&mut function.block);

    let name = function.sig.ident.to_string();
    let policy = options.on_leak.to_tokens();
    let (session, id) = (session_ident(), session_id_ident());
    // Spanned at the function's name, so `Location::caller()` in
    // `Session::enter` points there.
    let enter = quote_spanned! {function.sig.ident.span()=>
        ::tapi_session::__private::Session::enter(#name, #policy)
    };
    let com = found.com.then(|| {
        let com = com_session_ident();
        quote!(let #com = &::tapi_session::__private::ComSession::enter(#session);)
    });
    let stmts = &function.block.stmts;
    let ItemFn {
        attrs, vis, sig, ..
    } = &function;
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            let #session = &#enter;
            let #id = #session.id();
            #com
            #(#stmts)*
        }
    })
}

/// The item must be a function with a body.
fn parse_function(item: TokenStream) -> syn::Result<ItemFn> {
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => Ok(function),
        Ok(Item::Verbatim(tokens)) if syn::parse2::<syn::TraitItemFn>(tokens.clone()).is_ok() => {
            Err(syn::Error::new_spanned(
                tokens,
                "`#[tapi_session]` needs a function body to guard",
            ))
        }
        Ok(other) => Err(syn::Error::new(
            item_keyword_span(&other),
            "`#[tapi_session]` can only be applied to a function",
        )),
        Err(e) => match syn::parse2::<syn::TraitItemFn>(item) {
            Ok(declaration) if declaration.default.is_none() => Err(syn::Error::new_spanned(
                declaration.sig,
                "`#[tapi_session]` needs a function body to guard",
            )),
            _ => Err(e),
        },
    }
}

/// Where to point for "not a function": the item's keyword and name.
fn item_keyword_span(item: &Item) -> Span {
    let span = |kw: Span, ident: &Ident| kw.join(ident.span()).unwrap_or(kw);
    match item {
        Item::Struct(s) => span(s.struct_token.span, &s.ident),
        Item::Enum(e) => span(e.enum_token.span, &e.ident),
        Item::Const(c) => span(c.const_token.span, &c.ident),
        Item::Static(s) => span(s.static_token.span, &s.ident),
        Item::Mod(m) => span(m.mod_token.span, &m.ident),
        Item::Trait(t) => span(t.trait_token.span, &t.ident),
        Item::Type(t) => span(t.type_token.span, &t.ident),
        Item::Union(u) => span(u.union_token.span, &u.ident),
        Item::Impl(i) => i.impl_token.span,
        Item::Use(u) => u.use_token.span,
        other => other.span(),
    }
}
