//! Control flow: conditions (short-circuited), `if`, `match`, loops, `?`.

use super::*;

impl Builder<'_> {
    /// Lowers a condition so that control reaches `then` when it holds and
    /// `otherwise` when it does not, short-circuiting `&&`, `||` and `!`.
    pub(super) fn cond(&mut self, e: &syn::Expr, then: usize, otherwise: usize) {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.cond_inner(e, then, otherwise)
        })
    }

    pub(super) fn cond_inner(&mut self, e: &syn::Expr, then: usize, otherwise: usize) {
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

    pub(super) fn if_expr(&mut self, i: &syn::ExprIf, span: Span) -> Operand {
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

    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch, span: Span) -> Operand {
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

    pub(super) fn labeled_block(&mut self, b: &syn::ExprBlock, span: Span) -> Operand {
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

    pub(super) fn find_loop(&self, label: Option<&str>) -> Option<usize> {
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

    pub(super) fn loop_expr(&mut self, l: &syn::ExprLoop, span: Span) -> Operand {
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

    pub(super) fn while_expr(&mut self, w: &syn::ExprWhile, span: Span) -> Operand {
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
    pub(super) fn for_expr(&mut self, f: &syn::ExprForLoop, span: Span) -> Operand {
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
    pub(super) fn iterated_collection(&mut self, e: &syn::Expr) -> Operand {
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

    pub(super) fn try_expr(&mut self, inner: &syn::Expr, question: Span) -> Operand {
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
        let operand = self.sp(inner);
        self.note_exit(question, ExitHow::Try, Some(operand));
        self.blocks[self.current].term = Some(Terminator::Return {
            value: wrapped,
            span: question,
            how: ExitHow::Try,
        });
        self.switch_to(ok);
        Operand::Copy(place.project(Proj::Variant(pattern::SUCCESS.into(), 0)))
    }
}
