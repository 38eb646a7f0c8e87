//! Finds the TAPI calls in a function body and routes them through the
//! session. Nested items are other functions (with no session in scope)
//! and are left alone; closures and async blocks are part of the body.

use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Token};

use crate::{tapi2, tapi3};

/// What the rewrite found, for the expansion's prologue.
pub struct Found {
    /// TAPI 3 calls: the function needs the (thread-bound) COM session.
    pub com: bool,
}

pub fn body(block: &mut syn::Block) -> Found {
    let mut rewriter = Rewriter { com: false };
    rewriter.visit_block_mut(block);
    Found { com: rewriter.com }
}

struct Rewriter {
    com: bool,
}

/// Standard macros whose arguments are plain expressions, so calls in
/// them (`assert_eq!(unsafe { lineClose(line) }, 0)`) are guarded too.
const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
    "eprint",
    "eprintln",
    "format",
    "panic",
    "print",
    "println",
    "vec",
    "write",
    "writeln",
];

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let replacement = match expr {
            Expr::Call(call) => tapi2::expand(call),
            Expr::MethodCall(call) => {
                let expanded = tapi3::expand(call);
                self.com |= expanded.is_some();
                expanded
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            *expr = replacement;
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if !EXPRESSION_MACROS.contains(&name.as_str()) {
            return;
        }
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        let Ok(mut args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) else {
            return;
        };
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        mac.tokens = quote::quote!(#args);
    }
}
