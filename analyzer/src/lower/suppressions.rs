//! Collects suppressions from a parsed file: `// tapi-lint: allow(LINT, ..):
//! reason` comments (scanned from the text: comments are not in the syntax
//! tree) and `#[cfg_attr(tapi_lint, allow(tapi::LINT, .., reason = ".."))]`
//! attributes on items and statements (rustc drops them, since `tapi_lint`
//! is never set when it compiles, so they cost nothing at build time).

use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::ir::Suppression;
use crate::source::{FileId, Span};

use super::{STACK_GROWTH, STACK_RED_ZONE};

const COMMENT_MARKER: &str = "tapi-lint:";

pub fn collect(file: FileId, text: &str, ast: &syn::File) -> Vec<Suppression> {
    let mut found = comments(file, text);
    let mut visitor = Attributes {
        file,
        found: Vec::new(),
    };
    visitor.visit_file(ast);
    found.extend(visitor.found);
    found
}

/// Line comments whose text starts with `tapi-lint:`.
fn comments(file: FileId, text: &str) -> Vec<Suppression> {
    let mut found = Vec::new();
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .collect();
    for (index, &(start, line)) in lines.iter().enumerate() {
        let Some(comment) = comment_start(line) else {
            continue;
        };
        let body = line[comment + 2..].trim_start_matches('/').trim_start();
        let Some(directive) = body.strip_prefix(COMMENT_MARKER) else {
            continue;
        };
        let at = Span::new(file, start + comment..start + line.trim_end().len());
        let next_end = lines
            .get(index + 1)
            .map_or(start + line.len(), |(s, l)| s + l.len());
        let covers = Span::new(file, start..next_end);
        found.push(match parse_directive(directive.trim()) {
            Ok((lints, reason)) => Suppression {
                lints,
                reason,
                covers,
                at,
                malformed: None,
            },
            Err(problem) => Suppression {
                lints: Vec::new(),
                reason: None,
                covers,
                at,
                malformed: Some(problem),
            },
        });
    }
    found
}

/// Where a `//` comment starts on the line, outside string and character
/// literals (a light lexer: enough for the lines a suppression sits on).
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `allow(a, b): reason` → the lint names and the reason.
fn parse_directive(text: &str) -> Result<(Vec<String>, Option<String>), String> {
    const EXPECTED: &str = "expected `tapi-lint: allow(LINT, ..): reason`";
    let rest = text
        .strip_prefix("allow")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('('))
        .ok_or_else(|| EXPECTED.to_owned())?;
    let (list, after) = rest.split_once(')').ok_or_else(|| EXPECTED.to_owned())?;
    let lints: Vec<String> = list
        .split(',')
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("tapi::").unwrap_or(l).to_owned())
        .collect();
    if lints.is_empty() {
        return Err("no lint named in `allow()`".to_owned());
    }
    let after = after.trim();
    let reason = match after.strip_prefix(':') {
        Some(reason) => Some(reason.trim()).filter(|r| !r.is_empty()),
        None if after.is_empty() => None,
        None => return Err(EXPECTED.to_owned()),
    };
    Ok((lints, reason.map(str::to_owned)))
}

struct Attributes {
    file: FileId,
    found: Vec<Suppression>,
}

impl Attributes {
    /// `node` is only asked for when an attribute may be a suppression:
    /// `Spanned::span` re-tokenizes the whole node, which on every
    /// expression of a deep tree would be quadratic.
    fn node(&mut self, attrs: &[syn::Attribute], node: impl FnOnce() -> proc_macro2::Span) {
        if !attrs.iter().any(|a| a.path().is_ident("cfg_attr")) {
            return;
        }
        let node = node();
        for attr in attrs {
            if let Some(suppression) = self.attribute(attr, node) {
                self.found.push(suppression);
            }
        }
    }

    fn attribute(&self, attr: &syn::Attribute, node: proc_macro2::Span) -> Option<Suppression> {
        if !attr.path().is_ident("cfg_attr") {
            return None;
        }
        let mut predicate_names_tapi_lint = false;
        let mut first = true;
        let mut lints = Vec::new();
        let mut reason = None;
        let mut malformed = None;
        let parsed = attr.parse_nested_meta(|meta| {
            if first {
                first = false;
                predicate_names_tapi_lint = mentions_tapi_lint(&meta);
                return skip_rest(&meta);
            }
            if !meta.path.is_ident("allow") {
                return skip_rest(&meta);
            }
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("reason") {
                    let value: syn::LitStr = inner.value()?.parse()?;
                    reason = Some(value.value()).filter(|r| !r.trim().is_empty());
                    return Ok(());
                }
                let segments: Vec<String> = inner
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                if segments.len() == 2 && segments[0] == "tapi" {
                    lints.push(segments[1].clone());
                }
                skip_rest(&inner)
            })
        });
        if !predicate_names_tapi_lint {
            return None;
        }
        if let Err(e) = parsed {
            malformed = Some(format!("could not read the attribute: {e}"));
        } else if lints.is_empty() {
            return None;
        }
        let at = Span::new(self.file, attr.span().byte_range());
        Some(Suppression {
            lints,
            reason,
            covers: Span::new(self.file, node.byte_range()).to(at),
            at,
            malformed,
        })
    }
}

/// `tapi_lint`, alone or inside `any(..)`/`all(..)`.
fn mentions_tapi_lint(meta: &syn::meta::ParseNestedMeta<'_>) -> bool {
    if meta.path.is_ident("tapi_lint") {
        return true;
    }
    let mut found = false;
    if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            found |= mentions_tapi_lint(&inner);
            skip_rest(&inner)
        });
    }
    found
}

/// Consumes whatever follows a meta path (`= value` or `(...)`), so
/// unrelated attributes parse.
fn skip_rest(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _: proc_macro2::Group = meta.input.parse()?;
    }
    Ok(())
}

impl<'ast> Visit<'ast> for Attributes {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if let Some(attrs) = item_attrs(item) {
            self.node(attrs, || item.span());
        }
        visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.node(&f.attrs, || f.span());
        visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.node(&f.attrs, || f.span());
        visit::visit_trait_item_fn(self, f);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        self.node(&local.attrs, || local.span());
        visit::visit_local(self, local);
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if let Some(attrs) = expr_attrs(expr) {
            self.node(attrs, || expr.span());
        }
        // Deeply nested expressions recurse here as in lowering.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            visit::visit_expr(self, expr)
        });
    }
}

fn item_attrs(item: &syn::Item) -> Option<&[syn::Attribute]> {
    Some(match item {
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        _ => return None,
    })
}

/// The expressions a statement-level attribute can sit on.
fn expr_attrs(expr: &syn::Expr) -> Option<&[syn::Attribute]> {
    Some(match expr {
        syn::Expr::Call(e) => &e.attrs,
        syn::Expr::MethodCall(e) => &e.attrs,
        syn::Expr::Unsafe(e) => &e.attrs,
        syn::Expr::Block(e) => &e.attrs,
        syn::Expr::If(e) => &e.attrs,
        syn::Expr::Match(e) => &e.attrs,
        syn::Expr::Loop(e) => &e.attrs,
        syn::Expr::While(e) => &e.attrs,
        syn::Expr::ForLoop(e) => &e.attrs,
        syn::Expr::Assign(e) => &e.attrs,
        syn::Expr::Macro(e) => &e.attrs,
        syn::Expr::Closure(e) => &e.attrs,
        syn::Expr::Return(e) => &e.attrs,
        syn::Expr::Try(e) => &e.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_text(text: &str) -> Vec<Suppression> {
        collect(FileId::default(), text, &syn::parse_file(text).unwrap())
    }

    #[test]
    fn comments_need_allow_a_list_and_take_a_reason() {
        let text = "fn f() {\n    // tapi-lint: allow(line_not_closed, tapi::release_order): closed by the OS\n    g(); // tapi-lint: allow(call_not_deallocated)\n    let s = \"// tapi-lint: allow(x): not a comment\";\n    // tapi-lint: alow(x): typo\n}\n";
        let found = collect_text(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].lints, ["line_not_closed", "release_order"]);
        assert_eq!(found[0].reason.as_deref(), Some("closed by the OS"));
        // Its own line and the next.
        let covered = &text[found[0].covers.lo as usize..found[0].covers.hi as usize];
        assert!(
            covered.starts_with("    // tapi-lint")
                && covered.ends_with("g(); // tapi-lint: allow(call_not_deallocated)\n")
        );
        assert_eq!(found[1].reason, None);
        assert!(found[2].malformed.is_some());
    }

    #[test]
    fn attributes_cover_their_item_or_statement() {
        let text = "#[cfg_attr(tapi_lint, allow(tapi::line_not_closed, reason = \"kept open\"))]\nfn f() {\n    #[cfg_attr(any(test, tapi_lint), allow(dead_code, tapi::call_not_deallocated))]\n    let x = g();\n}\n#[cfg_attr(test, allow(tapi::line_not_closed))]\nfn h() {}\n";
        let found = collect_text(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].lints, ["line_not_closed"]);
        assert_eq!(found[0].reason.as_deref(), Some("kept open"));
        assert!(
            text[found[0].covers.lo as usize..found[0].covers.hi as usize].ends_with("}\n}")
                || found[0].covers.hi as usize >= text.find("let x").unwrap()
        );
        assert_eq!(found[1].lints, ["call_not_deallocated"]);
        assert_eq!(found[1].reason, None);
        assert!(
            text[found[1].covers.lo as usize..found[1].covers.hi as usize].contains("let x = g();")
        );
    }
}
