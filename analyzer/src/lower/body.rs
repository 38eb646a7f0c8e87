//! Lowers one function, method, closure or async block to a CFG.
//!
//! Every expression is evaluated into an [`Operand`]; control flow
//! (`if`, `match`, loops, `?`, `return`, `break`, panics) becomes blocks and
//! terminators. Conditions are lowered with short-circuiting, so a branch
//! always tests one comparison, pattern or boolean.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use syn::spanned::Spanned;

use super::{
    FileLowerer, STACK_GROWTH, STACK_RED_ZONE, last_segment, macros, pattern, span_of, type_name,
};
use crate::ir::{
    AggregateKind, BasicBlock, Body, BodyAttrs, BodyKind, Call, Callee, CmpOp, Const, ExitHow,
    ImplOwner, Local, LocalId, Operand, Param, Pat, Place, PlaceBase, Proj, Rvalue, Stmt,
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
    fn new(
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
        }
    }

    fn sp(&self, node: &impl Spanned) -> Span {
        span_of(self.file, node)
    }

    // ----- blocks, locals, statements -------------------------------------

    fn new_block(&mut self) -> usize {
        self.blocks.push(Draft {
            stmts: Vec::new(),
            term: None,
        });
        self.blocks.len() - 1
    }

    /// Ends the current block. Code after a diverging expression goes to a
    /// fresh block nothing jumps to.
    fn terminate(&mut self, term: Terminator) {
        if self.blocks[self.current].term.is_none() {
            self.blocks[self.current].term = Some(term);
        }
        self.current = self.new_block();
    }

    fn goto(&mut self, target: usize) {
        if self.blocks[self.current].term.is_none() {
            self.blocks[self.current].term = Some(Terminator::Goto(node(target)));
        }
    }

    fn switch_to(&mut self, block: usize) {
        self.current = block;
    }

    fn push(&mut self, stmt: Stmt) {
        self.blocks[self.current].stmts.push(stmt);
    }

    fn new_local(&mut self, name: &str, span: Span, ty: Option<String>) -> LocalId {
        self.locals.push(Local {
            name: name.to_string(),
            span,
            ty,
            init_call: None,
        });
        LocalId(self.locals.len() as u32 - 1)
    }

    fn temp(&mut self, span: Span) -> Place {
        Place::local(self.new_local("", span, None))
    }

    fn bind(&mut self, name: &str, span: Span, ty: Option<String>) -> LocalId {
        let id = self.new_local(name, span, ty);
        self.scopes
            .last_mut()
            .expect("scope")
            .insert(name.to_string(), id);
        id
    }

    fn lookup(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn assign(&mut self, place: Place, value: Rvalue, span: Span) {
        self.push(Stmt::Assign { place, value, span });
    }

    /// Evaluates `value` into a fresh temporary.
    fn eval_to_temp(&mut self, value: Rvalue, span: Span) -> Operand {
        let t = self.temp(span);
        self.assign(t.clone(), value, span);
        Operand::Copy(t)
    }

    /// A place holding `op`'s value (the place itself where it has one).
    fn as_place(&mut self, op: Operand, span: Span) -> Place {
        match op {
            Operand::Copy(p) => p,
            other => {
                let t = self.temp(span);
                self.assign(t.clone(), Rvalue::Use(other), span);
                t
            }
        }
    }

    fn param(&mut self, input: &syn::FnArg) {
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
    fn finish(mut self, value: Operand, end: Span) -> usize {
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
        });
        index
    }

    // ----- blocks and statements -------------------------------------------

    pub(super) fn block(&mut self, block: &syn::Block) -> Operand {
        self.scopes.push(HashMap::new());
        let mut value = Operand::Const(Const::Unit);
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Expr(e, semi) => {
                    let v = self.expr(e);
                    if last && semi.is_none() {
                        value = v;
                    }
                }
                syn::Stmt::Macro(m) => {
                    let v = self.macro_call(&m.mac, self.sp(m));
                    if last && m.semi_token.is_none() {
                        value = v;
                    }
                }
                syn::Stmt::Item(item) => self.lowerer.local_item(item, self.module),
            }
        }
        self.scopes.pop();
        value
    }

    fn local(&mut self, local: &syn::Local) {
        let ty = match &local.pat {
            syn::Pat::Type(pt) => type_name(&pt.ty),
            _ => None,
        };
        let ty = ty.or_else(|| local.init.as_ref().and_then(|i| constructed_type(&i.expr)));
        let mut init_call = local.init.as_ref().and_then(|i| initializing_call(&i.expr));
        // `let b = a;` gives `b` what is known of `a`'s type.
        let mut ty = ty;
        if let Some(syn::Expr::Path(p)) = local.init.as_ref().map(|i| &*i.expr)
            && let Some(ident) = p.path.get_ident()
            && let Some(id) = self.lookup(&ident.to_string())
        {
            let from = &self.locals[id.0 as usize];
            ty = ty.or_else(|| from.ty.clone());
            init_call = init_call.or_else(|| from.init_call.clone());
        }
        let Some(init) = &local.init else {
            // `let x;` declares; the later assignment gives the value.
            self.bind_pattern(&local.pat, Operand::Unknown, ty);
            return;
        };
        let value = self.expr(&init.expr);
        match &init.diverge {
            None => {
                self.bind_pattern(&local.pat, value, ty);
                self.note_init_call(&local.pat, init_call);
            }
            Some((_, else_expr)) => {
                // `let PAT = value else { diverge };`
                let span = self.sp(&init.expr);
                let scrutinee = self.as_place(value, span);
                let then = self.new_block();
                let otherwise = self.new_block();
                let pat = pattern::lower(&local.pat);
                self.blocks[self.current].term = Some(Terminator::Test {
                    scrutinee: Operand::Copy(scrutinee.clone()),
                    pat,
                    then: node(then),
                    otherwise: node(otherwise),
                });
                self.switch_to(otherwise);
                self.expr(else_expr);
                self.goto(then); // unreachable when `else` diverges, as it must
                self.blocks[self.current].term = Some(Terminator::Unreachable);
                self.switch_to(then);
                self.bind_pattern(&local.pat, Operand::Copy(scrutinee), ty);
                self.note_init_call(&local.pat, init_call);
            }
        }
    }

    fn note_init_call(&mut self, pat: &syn::Pat, call: Option<Vec<String>>) {
        let pat = match pat {
            syn::Pat::Type(t) => &*t.pat,
            // `Ok(x)` / `Some(x)`: `x` is what the call returns inside.
            syn::Pat::TupleStruct(ts)
                if ts.elems.len() == 1
                    && ts
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Ok" || s.ident == "Some") =>
            {
                &ts.elems[0]
            }
            other => other,
        };
        if let (syn::Pat::Ident(pi), Some(call)) = (pat, call)
            && let Some(id) = self.lookup(&pi.ident.to_string())
        {
            self.locals[id.0 as usize].init_call = Some(call);
        }
    }

    /// Binds every variable in `pat` to the matching part of `value`.
    fn bind_pattern(&mut self, pat: &syn::Pat, value: Operand, ty: Option<String>) {
        match pat {
            syn::Pat::Ident(pi) => {
                let span = self.sp(&pi.ident);
                let id = self.bind(&pi.ident.to_string(), span, ty);
                self.assign(Place::local(id), Rvalue::Use(value), span);
            }
            syn::Pat::Type(pt) => {
                self.bind_pattern(&pt.pat, value, ty.or_else(|| type_name(&pt.ty)))
            }
            syn::Pat::Paren(p) => self.bind_pattern(&p.pat, value, ty),
            syn::Pat::Reference(r) => self.bind_pattern(&r.pat, value, ty),
            syn::Pat::Tuple(t) => {
                let span = self.sp(t);
                let place = self.as_place(value, span);
                for (i, p) in t.elems.iter().enumerate() {
                    self.bind_pattern(
                        p,
                        Operand::Copy(place.project(Proj::Field(i.to_string()))),
                        None,
                    );
                }
            }
            syn::Pat::TupleStruct(ts) => {
                let span = self.sp(ts);
                let place = self.as_place(value, span);
                let variant = last_segment(&ts.path);
                for (i, p) in ts.elems.iter().enumerate() {
                    let field = place.project(Proj::Variant(pattern::variant_key(&variant), i));
                    self.bind_pattern(p, Operand::Copy(field), None);
                }
            }
            syn::Pat::Struct(ps) => {
                let span = self.sp(ps);
                let place = self.as_place(value, span);
                for fp in &ps.fields {
                    let name = match &fp.member {
                        syn::Member::Named(i) => i.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    self.bind_pattern(
                        &fp.pat,
                        Operand::Copy(place.project(Proj::Field(name))),
                        None,
                    );
                }
            }
            syn::Pat::Slice(s) => {
                let span = self.sp(s);
                let place = self.as_place(value, span);
                for (i, p) in s.elems.iter().enumerate() {
                    self.bind_pattern(p, Operand::Copy(place.project(Proj::Index(i as i64))), None);
                }
            }
            syn::Pat::Or(o) => {
                // Bindings of an or-pattern come from whichever case matched.
                if let Some(first) = o.cases.first() {
                    self.bind_pattern(first, Operand::Unknown, ty);
                }
            }
            _ => {}
        }
    }

    // ----- expressions -----------------------------------------------------

    pub(super) fn expr(&mut self, e: &syn::Expr) -> Operand {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &syn::Expr) -> Operand {
        let span = self.sp(e);
        match e {
            syn::Expr::Lit(l) => lit(&l.lit),
            syn::Expr::Path(p) => self.path_expr(&p.path),
            syn::Expr::Paren(p) => self.expr(&p.expr),
            syn::Expr::Group(g) => self.expr(&g.expr),
            syn::Expr::Call(c) => self.call(c, span),
            syn::Expr::MethodCall(m) => self.method_call(m, span),
            syn::Expr::Macro(m) => self.macro_call(&m.mac, span),
            syn::Expr::Block(b) => self.labeled_block(b, span),
            syn::Expr::Unsafe(u) => self.block(&u.block),
            syn::Expr::If(i) => self.if_expr(i, span),
            syn::Expr::Match(m) => self.match_expr(m, span),
            syn::Expr::Loop(l) => self.loop_expr(l, span),
            syn::Expr::While(w) => self.while_expr(w, span),
            syn::Expr::ForLoop(f) => self.for_expr(f, span),
            syn::Expr::Break(b) => {
                let value = b.expr.as_ref().map(|e| self.expr(e));
                let label = b.label.as_ref().map(|l| l.ident.to_string());
                if let Some(target) = self.find_loop(label.as_deref()) {
                    let (to, result) = (
                        self.loops[target].break_to,
                        self.loops[target].result.clone(),
                    );
                    if let Some(v) = value {
                        self.assign(result, Rvalue::Use(v), span);
                    }
                    self.goto(to);
                    self.current = self.new_block();
                }
                Operand::Unknown
            }
            syn::Expr::Continue(c) => {
                let label = c.label.as_ref().map(|l| l.ident.to_string());
                if let Some(target) = self.find_loop(label.as_deref()) {
                    let to = self.loops[target].continue_to;
                    self.goto(to);
                    self.current = self.new_block();
                }
                Operand::Unknown
            }
            syn::Expr::Return(r) => {
                let value = match &r.expr {
                    Some(e) => self.expr(e),
                    None => Operand::Const(Const::Unit),
                };
                self.terminate(Terminator::Return {
                    value,
                    span,
                    how: ExitHow::Return,
                });
                Operand::Unknown
            }
            syn::Expr::Try(t) => self.try_expr(&t.expr, self.sp(&t.question_token)),
            syn::Expr::Assign(a) => {
                let value = self.expr(&a.right);
                if let Some(place) = self.place_of(&a.left) {
                    self.assign(place, Rvalue::Use(value), span);
                } else {
                    self.expr(&a.left);
                }
                Operand::Const(Const::Unit)
            }
            syn::Expr::Binary(b) => self.binary(b, span),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Deref(_) => match self.place_of(e) {
                    Some(p) => Operand::Copy(p),
                    None => {
                        let inner = self.expr(&u.expr);
                        self.eval_to_temp(Rvalue::Opaque(vec![inner]), span)
                    }
                },
                syn::UnOp::Not(_) => {
                    let inner = self.expr(&u.expr);
                    self.eval_to_temp(Rvalue::Not(inner), span)
                }
                syn::UnOp::Neg(_) => match self.expr(&u.expr) {
                    Operand::Const(Const::Int(i)) => Operand::Const(Const::Int(-i)),
                    other => self.eval_to_temp(Rvalue::Opaque(vec![other]), span),
                },
                _ => {
                    let inner = self.expr(&u.expr);
                    self.eval_to_temp(Rvalue::Opaque(vec![inner]), span)
                }
            },
            syn::Expr::Reference(r) => self.reference(&r.expr, r.mutability.is_some(), span),
            syn::Expr::RawAddr(r) => self.reference(
                &r.expr,
                matches!(r.mutability, syn::PointerMutability::Mut(_)),
                span,
            ),
            syn::Expr::Field(_) | syn::Expr::Index(_) => match self.place_of(e) {
                Some(p) => Operand::Copy(p),
                None => Operand::Unknown,
            },
            syn::Expr::Cast(c) => {
                let operand = self.expr(&c.expr);
                let ty = type_name(&c.ty).unwrap_or_default();
                self.eval_to_temp(Rvalue::Cast { operand, ty, span }, span)
            }
            syn::Expr::Tuple(t) => {
                if t.elems.is_empty() {
                    return Operand::Const(Const::Unit);
                }
                self.positional(AggregateKind::Tuple, &t.elems, span)
            }
            syn::Expr::Array(a) => {
                self.positional(AggregateKind::Collection { len: None }, &a.elems, span)
            }
            syn::Expr::Repeat(r) => {
                let elem = self.expr(&r.expr);
                let len = match &*r.len {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(i),
                        ..
                    }) => i.base10_parse().ok(),
                    _ => None,
                };
                let fields = vec![("*".to_string(), elem)];
                self.eval_to_temp(
                    Rvalue::Aggregate {
                        kind: AggregateKind::Collection { len },
                        fields,
                    },
                    span,
                )
            }
            syn::Expr::Struct(s) => {
                let name = last_segment(&s.path);
                let mut fields = Vec::new();
                for f in &s.fields {
                    let key = match &f.member {
                        syn::Member::Named(i) => i.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    fields.push((key, self.expr(&f.expr)));
                }
                if let Some(rest) = &s.rest {
                    let base = self.expr(rest);
                    fields.push(("..".to_string(), base));
                }
                self.eval_to_temp(
                    Rvalue::Aggregate {
                        kind: AggregateKind::Struct(name),
                        fields,
                    },
                    span,
                )
            }
            syn::Expr::Closure(c) => {
                let params: Vec<&syn::Pat> = c.inputs.iter().collect();
                self.closure(
                    &params,
                    ClosureCode::Expr(&c.body),
                    BodyKind::Closure,
                    span,
                    c.capture.is_some(),
                )
            }
            syn::Expr::Async(a) => self.closure(
                &[],
                ClosureCode::Block(&a.block),
                BodyKind::AsyncBlock,
                span,
                a.capture.is_some(),
            ),
            syn::Expr::Await(a) => {
                let inner = self.expr(&a.base);
                self.eval_to_temp(Rvalue::Opaque(vec![inner]), span)
            }
            syn::Expr::Range(r) => {
                let mut ops = Vec::new();
                if let Some(s) = &r.start {
                    ops.push(self.expr(s));
                }
                if let Some(e) = &r.end {
                    ops.push(self.expr(e));
                }
                self.eval_to_temp(Rvalue::Opaque(ops), span)
            }
            syn::Expr::Let(l) => {
                // A `let` outside an `if`/`while` condition: a boolean.
                let value = self.expr(&l.expr);
                let pat = pattern::lower(&l.pat);
                self.eval_to_temp(
                    Rvalue::Matches {
                        operand: value,
                        pat,
                    },
                    span,
                )
            }
            syn::Expr::TryBlock(t) => self.block(&t.block),
            syn::Expr::Const(_) | syn::Expr::Infer(_) | syn::Expr::Verbatim(_) => Operand::Unknown,
            syn::Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.expr(e);
                }
                Operand::Unknown
            }
            _ => Operand::Unknown,
        }
    }

    /// `(a, b)`, `[a, b]`, `vec![a, b]`: fields named by position; a
    /// collection's length is the number of items.
    fn positional<'e>(
        &mut self,
        kind: AggregateKind,
        items: impl IntoIterator<Item = &'e syn::Expr>,
        span: Span,
    ) -> Operand {
        let fields: Vec<_> = items
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), self.expr(e)))
            .collect();
        let kind = match kind {
            AggregateKind::Collection { .. } => AggregateKind::Collection {
                len: Some(fields.len() as u64),
            },
            other => other,
        };
        self.eval_to_temp(Rvalue::Aggregate { kind, fields }, span)
    }

    fn path_expr(&mut self, path: &syn::Path) -> Operand {
        if path.leading_colon.is_none()
            && path.segments.len() == 1
            && let Some(id) = self.lookup(&path.segments[0].ident.to_string())
        {
            return Operand::Copy(Place::local(id));
        }
        let segs = path_segments(path);
        if segs.len() == 1 && segs[0] == "None" {
            let span = self.sp(path);
            return self.eval_to_temp(
                Rvalue::Aggregate {
                    kind: AggregateKind::Variant("None".into()),
                    fields: Vec::new(),
                },
                span,
            );
        }
        if segs.last().is_some_and(|s| s == "null" || s == "null_mut") {
            return Operand::Const(Const::Null);
        }
        // A static is a place; the checker tells statics from constants.
        Operand::Copy(Place {
            base: PlaceBase::Path(segs),
            proj: Vec::new(),
        })
    }

    /// The place an expression denotes, if it is a place expression.
    fn place_of(&mut self, e: &syn::Expr) -> Option<Place> {
        match e {
            syn::Expr::Path(p) => match self.path_expr(&p.path) {
                Operand::Copy(place) => Some(place),
                _ => None,
            },
            syn::Expr::Paren(p) => self.place_of(&p.expr),
            syn::Expr::Group(g) => self.place_of(&g.expr),
            syn::Expr::Field(f) => {
                let base = match self.place_of(&f.base) {
                    Some(p) => p,
                    None => {
                        let op = self.expr(&f.base);
                        let span = self.sp(&f.base);
                        self.as_place(op, span)
                    }
                };
                let name = match &f.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                Some(base.project(Proj::Field(name)))
            }
            syn::Expr::Index(i) => {
                let base = match self.place_of(&i.expr) {
                    Some(p) => p,
                    None => {
                        let op = self.expr(&i.expr);
                        let span = self.sp(&i.expr);
                        self.as_place(op, span)
                    }
                };
                let index = match self.expr(&i.index) {
                    Operand::Const(Const::Int(n)) => Proj::Index(n as i64),
                    _ => Proj::AnyIndex,
                };
                Some(base.project(index))
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                let inner = match self.place_of(&u.expr) {
                    Some(p) => p,
                    None => {
                        let op = self.expr(&u.expr);
                        let span = self.sp(&u.expr);
                        self.as_place(op, span)
                    }
                };
                Some(inner.project(Proj::Deref))
            }
            _ => None,
        }
    }

    fn reference(&mut self, inner: &syn::Expr, mutable: bool, span: Span) -> Operand {
        match self.place_of(inner) {
            Some(place) => Operand::Ref { place, mutable },
            None => {
                let v = self.expr(inner);
                let place = self.as_place(v, span);
                Operand::Ref { place, mutable }
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary, span: Span) -> Operand {
        use syn::BinOp::*;
        let cmp = match b.op {
            Eq(_) => Some(CmpOp::Eq),
            Ne(_) => Some(CmpOp::Ne),
            Lt(_) => Some(CmpOp::Lt),
            Le(_) => Some(CmpOp::Le),
            Gt(_) => Some(CmpOp::Gt),
            Ge(_) => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = cmp {
            let lhs = self.expr(&b.left);
            let rhs = self.expr(&b.right);
            return self.eval_to_temp(Rvalue::Cmp { op, lhs, rhs }, span);
        }
        if matches!(b.op, And(_) | Or(_)) {
            // A short-circuit boolean used as a value: branch and join.
            let result = self.temp(span);
            let (t, f, join) = (self.new_block(), self.new_block(), self.new_block());
            self.cond(&syn::Expr::Binary(b.clone()), t, f);
            self.switch_to(t);
            self.assign(
                result.clone(),
                Rvalue::Use(Operand::Const(Const::Bool(true))),
                span,
            );
            self.goto(join);
            self.switch_to(f);
            self.assign(
                result.clone(),
                Rvalue::Use(Operand::Const(Const::Bool(false))),
                span,
            );
            self.goto(join);
            self.switch_to(join);
            return Operand::Copy(result);
        }
        let is_compound = matches!(
            b.op,
            AddAssign(_)
                | SubAssign(_)
                | MulAssign(_)
                | DivAssign(_)
                | RemAssign(_)
                | BitXorAssign(_)
                | BitAndAssign(_)
                | BitOrAssign(_)
                | ShlAssign(_)
                | ShrAssign(_)
        );
        let rhs = self.expr(&b.right);
        if is_compound {
            let lhs = self.expr(&b.left);
            if let Some(place) = self.place_of(&b.left) {
                self.assign(place, Rvalue::Opaque(vec![lhs, rhs]), span);
            }
            return Operand::Const(Const::Unit);
        }
        let lhs = self.expr(&b.left);
        // Fold `a | b` of constants? Not needed: flags are opaque.
        self.eval_to_temp(Rvalue::Opaque(vec![lhs, rhs]), span)
    }

    // ----- conditions ------------------------------------------------------

    /// Lowers a condition so that control reaches `then` when it holds and
    /// `otherwise` when it does not, short-circuiting `&&`, `||` and `!`.
    fn cond(&mut self, e: &syn::Expr, then: usize, otherwise: usize) {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.cond_inner(e, then, otherwise)
        })
    }

    fn cond_inner(&mut self, e: &syn::Expr, then: usize, otherwise: usize) {
        match e {
            syn::Expr::Paren(p) => self.cond(&p.expr, then, otherwise),
            syn::Expr::Group(g) => self.cond(&g.expr, then, otherwise),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                self.cond(&u.expr, otherwise, then)
            }
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                let mid = self.new_block();
                self.cond(&b.left, mid, otherwise);
                self.switch_to(mid);
                self.cond(&b.right, then, otherwise);
            }
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Or(_)) => {
                let mid = self.new_block();
                self.cond(&b.left, then, mid);
                self.switch_to(mid);
                self.cond(&b.right, then, otherwise);
            }
            syn::Expr::Let(l) => {
                let span = self.sp(&l.expr);
                let value = self.expr(&l.expr);
                let scrutinee = self.as_place(value, span);
                let bind = self.new_block();
                self.blocks[self.current].term = Some(Terminator::Test {
                    scrutinee: Operand::Copy(scrutinee.clone()),
                    pat: pattern::lower(&l.pat),
                    then: node(bind),
                    otherwise: node(otherwise),
                });
                self.switch_to(bind);
                // Bindings land in the scope of the `then` branch: the
                // caller pushed one around the whole `if`.
                self.bind_pattern(&l.pat, Operand::Copy(scrutinee), None);
                self.note_init_call(&l.pat, initializing_call(&l.expr));
                self.goto(then);
            }
            _ => {
                let value = self.expr(e);
                if self.blocks[self.current].term.is_none() {
                    self.blocks[self.current].term = Some(Terminator::If {
                        cond: value,
                        then: node(then),
                        otherwise: node(otherwise),
                    });
                }
            }
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf, span: Span) -> Operand {
        let result = self.temp(span);
        let (then, otherwise, join) = (self.new_block(), self.new_block(), self.new_block());
        self.scopes.push(HashMap::new());
        self.cond(&i.cond, then, otherwise);
        self.switch_to(then);
        let v = self.block(&i.then_branch);
        self.assign(result.clone(), Rvalue::Use(v), span);
        self.goto(join);
        self.scopes.pop();
        self.switch_to(otherwise);
        if let Some((_, else_expr)) = &i.else_branch {
            let v = self.expr(else_expr);
            self.assign(result.clone(), Rvalue::Use(v), span);
        }
        self.goto(join);
        self.switch_to(join);
        Operand::Copy(result)
    }

    fn match_expr(&mut self, m: &syn::ExprMatch, span: Span) -> Operand {
        let value = self.expr(&m.expr);
        let scrutinee = self.as_place(value, self.sp(&m.expr));
        let result = self.temp(span);
        let join = self.new_block();
        for arm in &m.arms {
            let (matched, next) = (self.new_block(), self.new_block());
            self.blocks[self.current].term = Some(Terminator::Test {
                scrutinee: Operand::Copy(scrutinee.clone()),
                pat: pattern::lower(&arm.pat),
                then: node(matched),
                otherwise: node(next),
            });
            self.switch_to(matched);
            self.scopes.push(HashMap::new());
            self.bind_pattern(&arm.pat, Operand::Copy(scrutinee.clone()), None);
            if let Some((_, guard)) = &arm.guard {
                let body = self.new_block();
                self.cond(guard, body, next);
                self.switch_to(body);
            }
            let v = self.expr(&arm.body);
            self.assign(result.clone(), Rvalue::Use(v), span);
            self.goto(join);
            self.scopes.pop();
            self.switch_to(next);
        }
        // No arm matched: impossible for an exhaustive match.
        self.blocks[self.current].term = Some(Terminator::Unreachable);
        self.switch_to(join);
        Operand::Copy(result)
    }

    fn labeled_block(&mut self, b: &syn::ExprBlock, span: Span) -> Operand {
        let Some(label) = &b.label else {
            return self.block(&b.block);
        };
        // `'a: { .. break 'a v; .. }`
        let result = self.temp(span);
        let exit = self.new_block();
        self.loops.push(LoopScope {
            label: Some(label.name.ident.to_string()),
            break_to: exit,
            continue_to: exit,
            result: result.clone(),
        });
        let v = self.block(&b.block);
        self.loops.pop();
        self.assign(result.clone(), Rvalue::Use(v), span);
        self.goto(exit);
        self.switch_to(exit);
        Operand::Copy(result)
    }

    fn find_loop(&self, label: Option<&str>) -> Option<usize> {
        match label {
            None => self
                .loops
                .iter()
                .rposition(|l| l.continue_to != l.break_to || l.label.is_none()),
            Some(name) => self
                .loops
                .iter()
                .rposition(|l| l.label.as_deref() == Some(name)),
        }
    }

    fn loop_expr(&mut self, l: &syn::ExprLoop, span: Span) -> Operand {
        let result = self.temp(span);
        let (head, exit) = (self.new_block(), self.new_block());
        self.goto(head);
        self.switch_to(head);
        self.loops.push(LoopScope {
            label: l.label.as_ref().map(|l| l.name.ident.to_string()),
            break_to: exit,
            continue_to: head,
            result: result.clone(),
        });
        self.block(&l.body);
        self.goto(head);
        self.loops.pop();
        self.switch_to(exit);
        Operand::Copy(result)
    }

    fn while_expr(&mut self, w: &syn::ExprWhile, span: Span) -> Operand {
        let result = self.temp(span);
        let (head, body, exit) = (self.new_block(), self.new_block(), self.new_block());
        self.goto(head);
        self.switch_to(head);
        self.scopes.push(HashMap::new());
        self.cond(&w.cond, body, exit);
        self.switch_to(body);
        self.loops.push(LoopScope {
            label: w.label.as_ref().map(|l| l.name.ident.to_string()),
            break_to: exit,
            continue_to: head,
            result: result.clone(),
        });
        self.block(&w.body);
        self.goto(head);
        self.loops.pop();
        self.scopes.pop();
        self.switch_to(exit);
        Operand::Copy(result)
    }

    /// `for pat in coll { body }` is lowered with the loop rotated, so the
    /// first test can tell an empty collection (body skipped) from a later
    /// one (loop finished):
    /// `if nonempty(coll) { loop { pat = elem(coll); body; if !next { break } } }`.
    fn for_expr(&mut self, f: &syn::ExprForLoop, span: Span) -> Operand {
        let collection = self.iterated_collection(&f.expr);
        let result = self.temp(span);
        let (body, latch, exit) = (self.new_block(), self.new_block(), self.new_block());
        self.blocks[self.current].term = Some(Terminator::ForEach {
            collection: collection.clone(),
            first: true,
            body: node(body),
            exit: node(exit),
        });
        self.switch_to(body);
        self.scopes.push(HashMap::new());
        let elem = self.eval_to_temp(Rvalue::Element(collection.clone()), self.sp(&f.pat));
        self.bind_pattern(&f.pat, elem, None);
        self.loops.push(LoopScope {
            label: f.label.as_ref().map(|l| l.name.ident.to_string()),
            break_to: exit,
            continue_to: latch,
            result: result.clone(),
        });
        self.block(&f.body);
        self.goto(latch);
        self.loops.pop();
        self.scopes.pop();
        self.switch_to(latch);
        self.blocks[self.current].term = Some(Terminator::ForEach {
            collection,
            first: false,
            body: node(body),
            exit: node(exit),
        });
        self.switch_to(exit);
        Operand::Copy(result)
    }

    /// What a `for` loop iterates: `v`, `&v`, `v.iter()`, `v.drain(..)` and
    /// `0..v.len()` all iterate `v`.
    fn iterated_collection(&mut self, e: &syn::Expr) -> Operand {
        match e {
            syn::Expr::Range(r) => {
                if let Some(end) = &r.end
                    && let syn::Expr::MethodCall(m) = &**end
                    && m.method == "len"
                {
                    // Indices of `v`: `v[i]` gives its elements.
                    return self.expr(&m.receiver);
                }
                self.expr(e)
            }
            syn::Expr::Reference(r) => self.iterated_collection(&r.expr),
            syn::Expr::Paren(p) => self.iterated_collection(&p.expr),
            syn::Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "iter"
                        | "iter_mut"
                        | "into_iter"
                        | "drain"
                        | "values"
                        | "values_mut"
                        | "copied"
                        | "cloned"
                        | "enumerate"
                        | "rev"
                ) =>
            {
                for a in &m.args {
                    self.expr(a);
                }
                self.iterated_collection(&m.receiver)
            }
            _ => self.expr(e),
        }
    }

    fn try_expr(&mut self, inner: &syn::Expr, question: Span) -> Operand {
        let value = self.expr(inner);
        let place = self.as_place(value, question);
        let (ok, err) = (self.new_block(), self.new_block());
        self.blocks[self.current].term = Some(Terminator::Test {
            scrutinee: Operand::Copy(place.clone()),
            pat: Pat::Variant(pattern::SUCCESS.into(), vec![Pat::Any]),
            then: node(ok),
            otherwise: node(err),
        });
        self.switch_to(err);
        let error = Operand::Copy(place.project(Proj::Variant(pattern::FAILURE.into(), 0)));
        let wrapped = self.eval_to_temp(
            Rvalue::Aggregate {
                kind: AggregateKind::Variant("Err".into()),
                fields: vec![("0".into(), error)],
            },
            question,
        );
        self.blocks[self.current].term = Some(Terminator::Return {
            value: wrapped,
            span: question,
            how: ExitHow::Try,
        });
        self.switch_to(ok);
        Operand::Copy(place.project(Proj::Variant(pattern::SUCCESS.into(), 0)))
    }

    // ----- calls -----------------------------------------------------------

    fn call(&mut self, c: &syn::ExprCall, span: Span) -> Operand {
        let callee = match &*c.func {
            syn::Expr::Path(p) => {
                let segs = path_segments(&p.path);
                if p.path.leading_colon.is_none()
                    && segs.len() == 1
                    && let Some(id) = self.lookup(&segs[0])
                {
                    Callee::Local(id)
                } else if let Some(kind) = constructor_kind(&segs) {
                    // `Some(x)`, `Ok(x)`, `Error::Tapi(rc)`, `Wrapper(h)`.
                    let fields = c
                        .args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (i.to_string(), self.expr(a)))
                        .collect();
                    return self.eval_to_temp(Rvalue::Aggregate { kind, fields }, span);
                } else if is_mem_take(&segs) {
                    return self.mem_take(&segs, &c.args, span);
                } else {
                    Callee::Path {
                        path: segs,
                        generics: path_generics(&p.path),
                    }
                }
            }
            other => {
                let f = self.expr(other);
                match f {
                    Operand::Copy(Place {
                        base: PlaceBase::Local(id),
                        ref proj,
                    }) if proj.is_empty() => Callee::Local(id),
                    _ => Callee::Unknown,
                }
            }
        };
        let mut args = Vec::with_capacity(c.args.len());
        let mut arg_spans = Vec::with_capacity(c.args.len());
        for a in &c.args {
            args.push(self.expr(a));
            arg_spans.push(self.sp(a));
        }
        let dest = self.temp(span);
        self.push(Stmt::Call(Call {
            dest: dest.clone(),
            callee,
            args,
            span,
            arg_spans,
        }));
        Operand::Copy(dest)
    }

    /// `mem::take(&mut x)` and `mem::replace(&mut x, v)`: the old value
    /// moves out and `x` holds the default or `v`.
    fn mem_take(
        &mut self,
        segs: &[String],
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        span: Span,
    ) -> Operand {
        let target = args.first().map(|a| self.expr(a));
        let replacement = args.iter().nth(1).map(|a| self.expr(a));
        let Some(Operand::Ref { place, .. }) = target else {
            return Operand::Unknown;
        };
        let old = self.eval_to_temp(Rvalue::Use(Operand::Copy(place.clone())), span);
        let new = match (segs.last().map(String::as_str), replacement) {
            (Some("replace"), Some(v)) => Rvalue::Use(v),
            _ => Rvalue::Use(Operand::Unknown),
        };
        self.assign(place, new, span);
        old
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall, span: Span) -> Operand {
        let name = m.method.to_string();
        let receiver_span = self.sp(&m.receiver);
        match name.as_str() {
            "unwrap" | "expect" | "unwrap_unchecked" => {
                let value = self.expr(&m.receiver);
                for a in &m.args {
                    self.expr(a);
                }
                return self.unwrap(value, receiver_span, pattern::SUCCESS);
            }
            "unwrap_err" | "expect_err" => {
                let value = self.expr(&m.receiver);
                return self.unwrap(value, receiver_span, pattern::FAILURE);
            }
            "is_ok" | "is_some" | "is_err" | "is_none" if m.args.is_empty() => {
                let operand = self.expr(&m.receiver);
                let variant = if matches!(name.as_str(), "is_ok" | "is_some") {
                    pattern::SUCCESS
                } else {
                    pattern::FAILURE
                };
                let pat = Pat::Variant(variant.into(), vec![Pat::Any]);
                return self.eval_to_temp(Rvalue::Matches { operand, pat }, span);
            }
            "take" if m.args.is_empty() => {
                // `opt.take()`: the value moves out, `None` stays.
                if let Some(place) = self.place_of(&m.receiver) {
                    let old = self.eval_to_temp(Rvalue::Use(Operand::Copy(place.clone())), span);
                    self.assign(
                        place,
                        Rvalue::Aggregate {
                            kind: AggregateKind::Variant("None".into()),
                            fields: Vec::new(),
                        },
                        span,
                    );
                    return old;
                }
            }
            "clone" | "to_owned" | "as_ref" | "as_mut" | "as_deref" | "borrow" | "borrow_mut"
            | "into" | "copied" | "cloned" | "lock" | "read" | "write" | "get_mut"
                if m.args.is_empty() =>
            {
                // The same value (or a view of it).
                let value = self.expr(&m.receiver);
                if matches!(name.as_str(), "lock" | "read" | "write") {
                    // `m.lock()` is a `Result` of a guard of the value.
                    let place = self.as_place(value, receiver_span);
                    return self.eval_to_temp(
                        Rvalue::Aggregate {
                            kind: AggregateKind::Variant("Ok".into()),
                            fields: vec![("0".into(), Operand::Copy(place))],
                        },
                        span,
                    );
                }
                return value;
            }
            _ => {}
        }
        let receiver = match self.place_of(&m.receiver) {
            Some(place) => Operand::Ref {
                place,
                mutable: true,
            },
            None => self.expr(&m.receiver),
        };
        let mut args = vec![receiver];
        let mut arg_spans = vec![receiver_span];
        for a in &m.args {
            args.push(self.expr(a));
            arg_spans.push(self.sp(a));
        }
        let generics = m
            .turbofish
            .as_ref()
            .map(|t| {
                t.args
                    .iter()
                    .filter_map(|a| match a {
                        syn::GenericArgument::Type(ty) => type_name(ty),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let dest = self.temp(span);
        self.push(Stmt::Call(Call {
            dest: dest.clone(),
            callee: Callee::Method { name, generics },
            args,
            span,
            arg_spans,
        }));
        Operand::Copy(dest)
    }

    /// `x.unwrap()`: continues with the payload when `x` is `Ok`/`Some`,
    /// panics otherwise (a panic is not a leak path).
    fn unwrap(&mut self, value: Operand, span: Span, variant: &str) -> Operand {
        let place = self.as_place(value, span);
        let (ok, panic) = (self.new_block(), self.new_block());
        self.blocks[self.current].term = Some(Terminator::Test {
            scrutinee: Operand::Copy(place.clone()),
            pat: Pat::Variant(variant.into(), vec![Pat::Any]),
            then: node(ok),
            otherwise: node(panic),
        });
        self.blocks[panic].term = Some(Terminator::Panic);
        self.switch_to(ok);
        Operand::Copy(place.project(Proj::Variant(variant.into(), 0)))
    }

    /// Lowers a closure or async block to its own body, right away, with
    /// what it captures as its first parameters.
    fn closure(
        &mut self,
        params: &[&syn::Pat],
        code: ClosureCode<'_>,
        kind: BodyKind,
        span: Span,
        is_move: bool,
    ) -> Operand {
        let mut captures = Vec::new();
        match code {
            ClosureCode::Expr(e) => macros::collect_idents(e, &mut captures),
            ClosureCode::Block(block) => macros::collect_idents_in_block(block, &mut captures),
        }
        captures.sort();
        captures.dedup();
        captures.retain(|n| self.lookup(n).is_some());
        let captured_places: Vec<Place> = captures
            .iter()
            .filter_map(|n| self.lookup(n))
            .map(Place::local)
            .collect();
        let number = self.closures.len();
        let name = format!("{}::{{closure#{number}}}", self.name);
        let (module, owner) = (self.module, self.owner.clone());
        let mut b = Builder::new(&mut *self.lowerer, module, name, kind, span);
        b.owner = owner;
        b.extent = span;
        for cap in &captures {
            let id = b.bind(cap, span, None);
            b.params.push(Param {
                local: id,
                by_mut_ref: false,
                is_self: false,
                by_ref: false,
            });
        }
        for p in params {
            let pspan = b.sp(*p);
            let id = b.new_local("", pspan, None);
            b.params.push(Param {
                local: id,
                by_mut_ref: false,
                is_self: false,
                by_ref: false,
            });
            b.bind_pattern(p, Operand::Copy(Place::local(id)), None);
        }
        let value = match code {
            ClosureCode::Expr(e) => b.expr(e),
            ClosureCode::Block(block) => b.block(block),
        };
        let index = b.finish(value, span);
        self.closures.push(index);
        self.eval_to_temp(
            Rvalue::Closure {
                body: number,
                captures: captured_places,
                is_move,
            },
            span,
        )
    }

    // ----- macros ----------------------------------------------------------

    fn macro_call(&mut self, mac: &syn::Macro, span: Span) -> Operand {
        let name = last_segment(&mac.path);
        match macros::classify(&name) {
            macros::MacroKind::Panic => {
                let _ = macros::expr_args(mac)
                    .map(|args| args.iter().map(|a| self.macro_arg(a)).count());
                self.terminate(Terminator::Panic);
                Operand::Unknown
            }
            macros::MacroKind::Assert(cmp) => {
                let Some(args) = macros::expr_args(mac) else {
                    return Operand::Unknown;
                };
                let (ok, fail) = (self.new_block(), self.new_block());
                self.blocks[fail].term = Some(Terminator::Panic);
                match (cmp, args.first(), args.get(1)) {
                    (None, Some(c), _) => self.cond(c, ok, fail),
                    (Some(op), Some(a), Some(b)) => {
                        let lhs = self.expr(a);
                        let rhs = self.expr(b);
                        let c = self.eval_to_temp(Rvalue::Cmp { op, lhs, rhs }, span);
                        self.blocks[self.current].term = Some(Terminator::If {
                            cond: c,
                            then: node(ok),
                            otherwise: node(fail),
                        });
                    }
                    _ => self.goto(ok),
                }
                self.switch_to(ok);
                Operand::Const(Const::Unit)
            }
            macros::MacroKind::Matches => {
                let Some((scrutinee, pat)) = macros::matches_args(mac) else {
                    return Operand::Unknown;
                };
                let operand = self.expr(&scrutinee);
                let pat = pattern::lower(&pat);
                self.eval_to_temp(Rvalue::Matches { operand, pat }, span)
            }
            macros::MacroKind::Vec => match macros::vec_args(mac) {
                Some(macros::VecArgs::List(items)) => {
                    self.positional(AggregateKind::Collection { len: None }, &items, span)
                }
                Some(macros::VecArgs::Repeat(elem, len)) => {
                    let e = self.expr(&elem);
                    self.expr(&len);
                    let len = macros::int_literal(&len);
                    self.eval_to_temp(
                        Rvalue::Aggregate {
                            kind: AggregateKind::Collection { len },
                            fields: vec![("*".into(), e)],
                        },
                        span,
                    )
                }
                None => Operand::Unknown,
            },
            macros::MacroKind::AddrOf(mutable) => {
                let Some(args) = macros::expr_args(mac) else {
                    return Operand::Unknown;
                };
                match args.first() {
                    Some(e) => self.reference(e, mutable, span),
                    None => Operand::Unknown,
                }
            }
            macros::MacroKind::Other => {
                // Arguments that parse as expressions are evaluated: a
                // user's `tapi_try!(lineOpenW(..))` still opens the line.
                let Some(args) = macros::expr_args(mac) else {
                    return Operand::Unknown;
                };
                let ops: Vec<_> = args.iter().map(|a| self.macro_arg(a)).collect();
                self.eval_to_temp(Rvalue::Opaque(ops), span)
            }
        }
    }

    /// A macro argument; `name = value` in format macros is just `value`.
    fn macro_arg(&mut self, e: &syn::Expr) -> Operand {
        if let syn::Expr::Assign(a) = e
            && let syn::Expr::Path(p) = &*a.left
            && p.path
                .get_ident()
                .is_some_and(|i| self.lookup(&i.to_string()).is_none())
        {
            return self.expr(&a.right);
        }
        self.expr(e)
    }
}

fn lit(l: &syn::Lit) -> Operand {
    match l {
        syn::Lit::Int(i) => i
            .base10_parse::<i128>()
            .map(|v| Operand::Const(Const::Int(v)))
            .unwrap_or(Operand::Unknown),
        syn::Lit::Bool(b) => Operand::Const(Const::Bool(b.value)),
        syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => Operand::Const(Const::Str),
        _ => Operand::Unknown,
    }
}

pub(super) fn path_segments(path: &syn::Path) -> Vec<String> {
    let mut segs = Vec::with_capacity(path.segments.len() + 1);
    if path.leading_colon.is_some() {
        segs.push(String::new());
    }
    segs.extend(path.segments.iter().map(|s| s.ident.to_string()));
    segs
}

fn path_generics(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .flat_map(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter_map(|g| match g {
                    syn::GenericArgument::Type(t) => type_name(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// A call that builds a value rather than running code: `Some(x)`,
/// `Ok(x)`, `Err(e)`, and tuple structs or variants (capitalised names).
fn constructor_kind(segs: &[String]) -> Option<AggregateKind> {
    let last = segs.last()?;
    match last.as_str() {
        "Some" | "Ok" | "Err" => return Some(AggregateKind::Variant(last.clone())),
        "Box" | "Rc" | "Arc" | "Vec" | "String" | "Mutex" | "RefCell" | "Cell" | "OnceLock" => {
            return None;
        }
        _ => {}
    }
    let starts_upper = last.chars().next().is_some_and(char::is_uppercase);
    let is_const_like = last
        .chars()
        .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_');
    if !starts_upper || is_const_like {
        return None;
    }
    // `Type::Variant(..)` or `Struct(..)`; `Type::new(..)` is lowercase.
    if segs.len() >= 2
        && segs[segs.len() - 2]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    {
        Some(AggregateKind::Variant(last.clone()))
    } else {
        Some(AggregateKind::Struct(last.clone()))
    }
}

/// The type a function hands back, looking through `Result`, `Option` and
/// `Box`: `Result<Line, i32>` gives `Line`.
fn returned_type(ty: &syn::Type) -> Option<String> {
    if let syn::Type::Path(p) = ty
        && let Some(last) = p.path.segments.last()
        && matches!(last.ident.to_string().as_str(), "Result" | "Option" | "Box")
        && let syn::PathArguments::AngleBracketed(a) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = a.args.first()
    {
        return returned_type(inner);
    }
    type_name(ty)
}

/// The function a `let` initializer calls for its value (`open(app)?`,
/// `Line::open(app).unwrap()`), as written.
fn initializing_call(e: &syn::Expr) -> Option<Vec<String>> {
    match e {
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => Some(path_segments(&p.path)),
            _ => None,
        },
        syn::Expr::Try(t) => initializing_call(&t.expr),
        syn::Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            initializing_call(&m.receiver)
        }
        syn::Expr::Paren(p) => initializing_call(&p.expr),
        // `match open(..) { Ok(x) => x, Err(e) => return .. }`
        syn::Expr::Match(m) => initializing_call(&m.expr),
        syn::Expr::Unsafe(u) => match u.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => initializing_call(e),
            _ => None,
        },
        _ => None,
    }
}

/// The type a `let` initializer evidently builds: `S { .. }`, `S::new(..)`,
/// `S::open(..)?`, `S::new().unwrap()`. Used to resolve method calls on the
/// variable; a wrong guess only loses precision (the call is not followed).
fn constructed_type(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Struct(s) => s.path.segments.last().map(|s| s.ident.to_string()),
        syn::Expr::Call(c) => match &*c.func {
            // `CoCreateInstance::<_, ITTAPI>(..)` builds its last type argument.
            syn::Expr::Path(p) if path_generics(&p.path).last().is_some_and(|g| g != "_") => {
                path_generics(&p.path).pop()
            }
            syn::Expr::Path(p) if p.path.segments.len() >= 2 => {
                let ty = &p.path.segments[p.path.segments.len() - 2].ident;
                let ty = ty.to_string();
                ty.chars()
                    .next()
                    .is_some_and(char::is_uppercase)
                    .then_some(ty)
            }
            _ => None,
        },
        syn::Expr::Try(t) => constructed_type(&t.expr),
        syn::Expr::MethodCall(m)
            if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
        {
            constructed_type(&m.receiver)
        }
        syn::Expr::Paren(p) => constructed_type(&p.expr),
        syn::Expr::Unsafe(u) => match u.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => constructed_type(e),
            _ => None,
        },
        _ => None,
    }
}

fn is_mem_take(segs: &[String]) -> bool {
    let n = segs.len();
    n >= 2 && segs[n - 2] == "mem" && matches!(segs[n - 1].as_str(), "take" | "replace")
}

fn is_mut_ref_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_some(),
        syn::Type::Ptr(p) => p.mutability.is_some(),
        syn::Type::Paren(p) => is_mut_ref_type(&p.elem),
        _ => false,
    }
}
