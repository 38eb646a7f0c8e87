//! Calls, method calls, closures and macro invocations.

use super::*;

impl Builder<'_> {
    pub(super) fn call(&mut self, c: &syn::ExprCall, span: Span) -> Operand {
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
                } else if is_wrapper_new(&segs) && c.args.len() == 1 {
                    // `Box::new(x)`, `Rc::new(x)`, `Mutex::new(x)`: the value
                    // itself, behind a pointer the analysis sees through.
                    return self.expr(&c.args[0]);
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
    pub(super) fn mem_take(
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

    pub(super) fn method_call(&mut self, m: &syn::ExprMethodCall, span: Span) -> Operand {
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
    pub(super) fn unwrap(&mut self, value: Operand, span: Span, variant: &str) -> Operand {
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
    pub(super) fn closure(
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
        // The guard intercepts the calls in a session's closures too.
        b.attrs.tapi_session = self.attrs.tapi_session;
        // A closure written in an `unsafe` block is unsafe code too.
        b.unsafe_depth = self.unsafe_depth;
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

    pub(super) fn macro_call(&mut self, mac: &syn::Macro, span: Span) -> Operand {
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
    pub(super) fn macro_arg(&mut self, e: &syn::Expr) -> Operand {
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
