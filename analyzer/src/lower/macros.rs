//! Macro invocations. Their tokens are not expanded; where the arguments
//! parse as expressions they are lowered as those expressions, and the
//! standard macros that change control flow (`panic!`, `assert!`, ...)
//! are modelled.

use syn::parse::Parser;
use syn::punctuated::Punctuated;

use crate::ir::CmpOp;

pub(super) enum MacroKind {
    /// Never returns: a panic path, not a leak path.
    Panic,
    /// `assert!(c)` (`None`) or `assert_eq!(a, b)` / `assert_ne!(a, b)`.
    Assert(Option<CmpOp>),
    Matches,
    Vec,
    /// `addr_of!(x)` / `addr_of_mut!(x)`.
    AddrOf(bool),
    Other,
}

pub(super) fn classify(name: &str) -> MacroKind {
    match name {
        "panic" | "unreachable" | "todo" | "unimplemented" => MacroKind::Panic,
        "assert" | "debug_assert" => MacroKind::Assert(None),
        "assert_eq" | "debug_assert_eq" => MacroKind::Assert(Some(CmpOp::Eq)),
        "assert_ne" | "debug_assert_ne" => MacroKind::Assert(Some(CmpOp::Ne)),
        "matches" => MacroKind::Matches,
        "vec" => MacroKind::Vec,
        "addr_of" => MacroKind::AddrOf(false),
        "addr_of_mut" => MacroKind::AddrOf(true),
        _ => MacroKind::Other,
    }
}

/// The arguments as comma-separated expressions, if they parse so.
pub(super) fn expr_args(mac: &syn::Macro) -> Option<Vec<syn::Expr>> {
    let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    parser
        .parse2(mac.tokens.clone())
        .ok()
        .map(|p| p.into_iter().collect())
}

/// `matches!(expr, pattern)` (a guard after the pattern is ignored).
pub(super) fn matches_args(mac: &syn::Macro) -> Option<(syn::Expr, syn::Pat)> {
    let parser = |input: syn::parse::ParseStream| {
        let e: syn::Expr = input.parse()?;
        input.parse::<syn::Token![,]>()?;
        let p = syn::Pat::parse_multi_with_leading_vert(input)?;
        let _: proc_macro2::TokenStream = input.parse()?;
        Ok((e, p))
    };
    parser.parse2(mac.tokens.clone()).ok()
}

pub(super) enum VecArgs {
    List(Vec<syn::Expr>),
    Repeat(Box<syn::Expr>, Box<syn::Expr>),
}

pub(super) fn vec_args(mac: &syn::Macro) -> Option<VecArgs> {
    let repeat = |input: syn::parse::ParseStream| {
        let e: syn::Expr = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        let n: syn::Expr = input.parse()?;
        Ok((e, n))
    };
    if let Ok((e, n)) = repeat.parse2(mac.tokens.clone()) {
        return Some(VecArgs::Repeat(Box::new(e), Box::new(n)));
    }
    expr_args(mac).map(VecArgs::List)
}

pub(super) fn int_literal(e: &syn::Expr) -> Option<u64> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        _ => None,
    }
}

/// The keys declared by `thread_local! { static NAME: T = ..; .. }`.
pub(super) fn thread_local_names(tokens: &proc_macro2::TokenStream) -> Vec<String> {
    let mut names = Vec::new();
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(tt) = iter.next() {
        if let proc_macro2::TokenTree::Ident(i) = &tt
            && i == "static"
            && let Some(proc_macro2::TokenTree::Ident(name)) = iter.next()
        {
            names.push(name.to_string());
        }
    }
    names
}

/// Every single-segment path in an expression (the variables a closure
/// may capture), including those inside macro arguments.
pub(super) fn collect_idents(e: &syn::Expr, out: &mut Vec<String>) {
    struct Collector<'a>(&'a mut Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Collector<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_GROWTH, || {
                syn::visit::visit_expr(self, e)
            });
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let Some(i) = p.path.get_ident() {
                self.0.push(i.to_string());
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if let Some(args) = expr_args(m) {
                for a in &args {
                    self.visit_expr(a);
                }
            }
        }
    }
    syn::visit::Visit::visit_expr(&mut Collector(out), e);
}

/// Likewise for a block (an async block's body).
pub(super) fn collect_idents_in_block(b: &syn::Block, out: &mut Vec<String>) {
    for stmt in &b.stmts {
        match stmt {
            syn::Stmt::Expr(e, _) => collect_idents(e, out),
            syn::Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    collect_idents(&init.expr, out);
                    if let Some((_, e)) = &init.diverge {
                        collect_idents(e, out);
                    }
                }
            }
            syn::Stmt::Macro(m) => {
                if let Some(args) = expr_args(&m.mac) {
                    for a in &args {
                        collect_idents(a, out);
                    }
                }
            }
            syn::Stmt::Item(_) => {}
        }
    }
}
