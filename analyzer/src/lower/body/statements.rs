//! Blocks, `let` statements and pattern bindings.

use super::*;

impl Builder<'_> {
    pub(super) fn block(&mut self, block: &syn::Block) -> Operand {
        self.scopes.push(HashMap::new());
        let mut value = Operand::Const(Const::Unit);
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Expr(e, semi) => {
                    if let syn::Expr::Return(_) = e {
                        let span = self.sp(e);
                        self.statement_returns.insert(span);
                    }
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

    pub(super) fn local(&mut self, local: &syn::Local) {
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

    pub(super) fn note_init_call(&mut self, pat: &syn::Pat, call: Option<Vec<String>>) {
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
    pub(super) fn bind_pattern(&mut self, pat: &syn::Pat, value: Operand, ty: Option<String>) {
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
}
