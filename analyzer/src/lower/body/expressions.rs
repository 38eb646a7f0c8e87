//! Expressions: values, places, references and operators.

use super::*;

impl Builder<'_> {
    pub(super) fn expr(&mut self, e: &syn::Expr) -> Operand {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_inner(e))
    }

    pub(super) fn expr_inner(&mut self, e: &syn::Expr) -> Operand {
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
            syn::Expr::Unsafe(u) => {
                self.unsafe_depth += 1;
                let value = self.block(&u.block);
                self.unsafe_depth -= 1;
                value
            }
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
                self.note_exit(span, ExitHow::Return, None);
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
                let operand_span = self.sp(&c.expr);
                self.eval_to_temp(
                    Rvalue::Cast {
                        operand,
                        ty,
                        span,
                        operand_span,
                    },
                    span,
                )
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
    pub(super) fn positional<'e>(
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

    pub(super) fn path_expr(&mut self, path: &syn::Path) -> Operand {
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
    pub(super) fn place_of(&mut self, e: &syn::Expr) -> Option<Place> {
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

    pub(super) fn reference(&mut self, inner: &syn::Expr, mutable: bool, span: Span) -> Operand {
        match self.place_of(inner) {
            Some(place) => Operand::Ref { place, mutable },
            None => {
                let v = self.expr(inner);
                let place = self.as_place(v, span);
                Operand::Ref { place, mutable }
            }
        }
    }

    pub(super) fn binary(&mut self, b: &syn::ExprBinary, span: Span) -> Operand {
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
}
