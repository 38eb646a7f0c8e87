//! Lowers one function, method, closure or async block to a CFG.
//!
//! Every expression is evaluated into an [`Operand`]; control flow
//! (`if`, `match`, loops, `?`, `return`, `break`, panics) becomes blocks and
//! terminators. Conditions are lowered with short-circuiting, so a branch
//! always tests one comparison, pattern or boolean.
//!
//! This module holds the builder (blocks, locals, finishing a body); its
//! children lower `statements`, `expressions`, `control` flow, `calls`
//! (with closures and macros), and read facts off `syntax`.

use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use syn::spanned::Spanned;

use super::{
    FileLowerer, STACK_GROWTH, STACK_RED_ZONE, last_segment, macros, pattern, span_of, type_name,
};
use crate::ir::{
    AggregateKind, BasicBlock, Body, BodyAttrs, BodyKind, Call, Callee, CmpOp, Const, ExitHow,
    ExitSite, ImplOwner, Local, LocalId, Operand, Param, Pat, Place, PlaceBase, Proj, Rvalue, Stmt,
    Terminator,
};
use crate::source::{FileId, Span};

/// Lowers a `fn` item or method and every closure inside it.
pub(super) fn lower_fn(
    file: &mut FileLowerer,
    module: usize,
    attrs: &[syn::Attribute],
    sig: &syn::Signature,
    block: &syn::Block,
    owner: Option<ImplOwner>,
    is_main: bool,
) {
    let name = match &owner {
        Some(o) => format!("{}::{}", o.self_ty, sig.ident),
        None => sig.ident.to_string(),
    };
    let kind = if owner.is_some() {
        BodyKind::Method
    } else {
        BodyKind::Fn
    };
    let attrs = BodyAttrs {
        tapi_session: has_session_attr(attrs),
        is_main,
    };
    let file_id = file.file;
    let mut b = Builder::new(file, module, name, kind, span_of(file_id, &sig.ident));
    b.attrs = attrs;
    b.returns_result = match &sig.output {
        syn::ReturnType::Type(_, ty) => is_result_type(ty),
        syn::ReturnType::Default => false,
    };
    b.ret_ty = match &sig.output {
        syn::ReturnType::Type(_, ty) => returned_type(ty).map(|t| match (t.as_str(), &owner) {
            ("Self", Some(o)) => o.self_ty.clone(),
            _ => t,
        }),
        syn::ReturnType::Default => None,
    };
    b.owner = owner;
    for input in &sig.inputs {
        b.param(input);
    }
    let end = span_of(file_id, &block.brace_token.span.close());
    b.extent = span_of(file_id, &sig.fn_token).to(end);
    let value = b.block(block);
    b.finish(value, end);
}

/// `Result<..>`, `io::Result<..>`, `windows::core::Result<..>`, or an alias
/// named `Result`: a type whose `?` needs a `Result` operand.
fn is_result_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        syn::Type::Paren(p) => is_result_type(&p.elem),
        syn::Type::Group(g) => is_result_type(&g.elem),
        _ => false,
    }
}

fn has_session_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "tapi_session")
    })
}

struct LoopScope {
    label: Option<String>,
    break_to: usize,
    continue_to: usize,
    result: Place,
}

/// A block under construction; its terminator is set once.
struct Draft {
    stmts: Vec<Stmt>,
    term: Option<Terminator>,
}

pub(super) struct Builder<'f> {
    /// Where finished bodies go; closures and nested items are lowered as
    /// soon as they are met, so no syntax is ever copied.
    lowerer: &'f mut FileLowerer,
    file: FileId,
    module: usize,
    name: String,
    kind: BodyKind,
    span: Span,
    attrs: BodyAttrs,
    owner: Option<ImplOwner>,
    params: Vec<Param>,
    locals: Vec<Local>,
    blocks: Vec<Draft>,
    current: usize,
    scopes: Vec<HashMap<String, LocalId>>,
    loops: Vec<LoopScope>,
    /// The file-level indices of the closures and async blocks written in
    /// this body, in order.
    closures: Vec<usize>,
    ret_ty: Option<String>,
    extent: Span,
    returns_result: bool,
    /// How many `unsafe` blocks enclose the code being lowered.
    unsafe_depth: u32,
    /// `return` expressions that are statements of their block, by span.
    statement_returns: HashSet<Span>,
    exit_sites: Vec<ExitSite>,
}

/// What a closure or async block runs.
#[derive(Clone, Copy)]
enum ClosureCode<'a> {
    Expr(&'a syn::Expr),
    Block(&'a syn::Block),
}

fn node(i: usize) -> NodeIndex {
    NodeIndex::new(i)
}

impl<'f> Builder<'f> {
    pub(super) fn new(
        lowerer: &'f mut FileLowerer,
        module: usize,
        name: String,
        kind: BodyKind,
        span: Span,
    ) -> Builder<'f> {
        Builder {
            file: lowerer.file,
            lowerer,
            module,
            name,
            kind,
            span,
            attrs: BodyAttrs::default(),
            owner: None,
            params: Vec::new(),
            locals: Vec::new(),
            blocks: vec![Draft {
                stmts: Vec::new(),
                term: None,
            }],
            current: 0,
            scopes: vec![HashMap::new()],
            loops: Vec::new(),
            closures: Vec::new(),
            ret_ty: None,
            extent: span,
            returns_result: false,
            unsafe_depth: 0,
            statement_returns: HashSet::new(),
            exit_sites: Vec::new(),
        }
    }

    /// Notes a `return` or `?` for suggestions (see [`ExitSite`]).
    pub(super) fn note_exit(&mut self, span: Span, how: ExitHow, operand: Option<Span>) {
        self.exit_sites.push(ExitSite {
            span,
            how,
            operand,
            statement: how == ExitHow::Return && self.statement_returns.contains(&span),
            in_unsafe: self.unsafe_depth > 0,
        });
    }

    pub(super) fn sp(&self, node: &impl Spanned) -> Span {
        span_of(self.file, node)
    }

    // ----- blocks, locals, statements -------------------------------------

    pub(super) fn new_block(&mut self) -> usize {
        self.blocks.push(Draft {
            stmts: Vec::new(),
            term: None,
        });
        self.blocks.len() - 1
    }

    /// Ends the current block. Code after a diverging expression goes to a
    /// fresh block nothing jumps to.
    pub(super) fn terminate(&mut self, term: Terminator) {
        if self.blocks[self.current].term.is_none() {
            self.blocks[self.current].term = Some(term);
        }
        self.current = self.new_block();
    }

    pub(super) fn goto(&mut self, target: usize) {
        if self.blocks[self.current].term.is_none() {
            self.blocks[self.current].term = Some(Terminator::Goto(node(target)));
        }
    }

    pub(super) fn switch_to(&mut self, block: usize) {
        self.current = block;
    }

    pub(super) fn push(&mut self, stmt: Stmt) {
        self.blocks[self.current].stmts.push(stmt);
    }

    pub(super) fn new_local(&mut self, name: &str, span: Span, ty: Option<String>) -> LocalId {
        self.locals.push(Local {
            name: name.to_string(),
            span,
            ty,
            init_call: None,
        });
        LocalId(self.locals.len() as u32 - 1)
    }

    pub(super) fn temp(&mut self, span: Span) -> Place {
        Place::local(self.new_local("", span, None))
    }

    pub(super) fn bind(&mut self, name: &str, span: Span, ty: Option<String>) -> LocalId {
        let id = self.new_local(name, span, ty);
        self.scopes
            .last_mut()
            .expect("scope")
            .insert(name.to_string(), id);
        id
    }

    pub(super) fn lookup(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    pub(super) fn assign(&mut self, place: Place, value: Rvalue, span: Span) {
        self.push(Stmt::Assign { place, value, span });
    }

    /// Evaluates `value` into a fresh temporary.
    pub(super) fn eval_to_temp(&mut self, value: Rvalue, span: Span) -> Operand {
        let t = self.temp(span);
        self.assign(t.clone(), value, span);
        Operand::Copy(t)
    }

    /// A place holding `op`'s value (the place itself where it has one).
    pub(super) fn as_place(&mut self, op: Operand, span: Span) -> Place {
        match op {
            Operand::Copy(p) => p,
            other => {
                let t = self.temp(span);
                self.assign(t.clone(), Rvalue::Use(other), span);
                t
            }
        }
    }

    pub(super) fn param(&mut self, input: &syn::FnArg) {
        match input {
            syn::FnArg::Receiver(r) => {
                let span = self.sp(r);
                let id = self.bind("self", span, self.owner.as_ref().map(|o| o.self_ty.clone()));
                let by_mut_ref = r.mutability.is_some()
                    || r.reference.as_ref().is_some_and(|_| r.mutability.is_some());
                self.params.push(Param {
                    local: id,
                    by_mut_ref,
                    is_self: true,
                    by_ref: r.reference.is_some(),
                });
            }
            syn::FnArg::Typed(pt) => {
                let by_mut_ref = is_mut_ref_type(&pt.ty);
                let ty = type_name(&pt.ty);
                let span = self.sp(&pt.pat);
                let id = self.new_local("", span, ty.clone());
                let by_ref = matches!(&*pt.ty, syn::Type::Reference(_) | syn::Type::Ptr(_));
                self.params.push(Param {
                    local: id,
                    by_mut_ref,
                    is_self: false,
                    by_ref,
                });
                self.bind_pattern(&pt.pat, Operand::Copy(Place::local(id)), ty);
            }
        }
    }

    // ----- finishing ------------------------------------------------------

    /// Ends the body and stores it; returns its index in the file.
    pub(super) fn finish(mut self, value: Operand, end: Span) -> usize {
        let term = Terminator::Return {
            value,
            span: end,
            how: ExitHow::End,
        };
        if self.blocks[self.current].term.is_none() {
            self.blocks[self.current].term = Some(term);
        }
        let mut cfg = DiGraph::with_capacity(self.blocks.len(), self.blocks.len() + 8);
        for draft in &mut self.blocks {
            let term = draft.term.take().unwrap_or(Terminator::Unreachable);
            cfg.add_node(BasicBlock {
                stmts: std::mem::take(&mut draft.stmts),
                term,
            });
        }
        let edges: Vec<(NodeIndex, NodeIndex)> = cfg
            .node_indices()
            .flat_map(|n| cfg[n].term.successors().into_iter().map(move |s| (n, s)))
            .collect();
        for (a, b) in edges {
            cfg.add_edge(a, b, ());
        }
        let index = self.lowerer.out.bodies.len();
        for &c in &self.closures {
            self.lowerer.out.bodies[c].parent = Some(index);
        }
        self.lowerer.out.bodies.push(Body {
            name: self.name,
            module: self.module,
            span: self.span,
            extent: self.extent,
            kind: self.kind,
            params: self.params,
            locals: self.locals,
            cfg,
            entry: node(0),
            attrs: self.attrs,
            owner: self.owner,
            parent: None,
            ret_ty: self.ret_ty,
            closures: self.closures,
            returns_result: self.returns_result,
            exit_sites: self.exit_sites,
        });
        index
    }
}

mod calls;
mod control;
mod expressions;
mod statements;
mod syntax;

use syntax::*;
