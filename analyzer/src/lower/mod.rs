//! Lowering: one source file's text to [`FileIr`].
//!
//! Runs on the thread that parses the file and drops the syntax tree there,
//! because `proc_macro2` span positions are thread-local. Items become
//! [`ModuleIr`] entries for name resolution; every function, method,
//! closure and async block becomes a [`crate::ir::Body`] (see `body`).

mod body;
mod macros;
mod pattern;
mod suppressions;

pub use pattern::{FAILURE, SUCCESS, variant_key};

use std::path::{Path, PathBuf};

use syn::spanned::Spanned;

use crate::ir::{ExternalMod, FileIr, ImplOwner, ModuleIr, UseBinding, UseDecl};
use crate::source::{FileId, Span};

/// Parses `text` and lowers every item in it. `module_path` is the path of
/// the file's module (`["crate"]` for a crate root); `path` is where the
/// file lives, for resolving `mod x;`.
pub fn lower_file(file: FileId, path: &Path, text: &str, module_path: Vec<String>) -> FileIr {
    // `syn::parse_file` drops a byte-order mark and a `#!` line before
    // lexing, which would shift every span; blank them instead.
    let blanked = blank_bom_and_shebang(text);
    let text = blanked.as_ref();
    let ast = match syn::parse_file(text) {
        Ok(ast) => ast,
        Err(e) => {
            let span = Span::new(file, e.span().byte_range());
            return FileIr {
                file,
                parse_error: Some((span, e.to_string())),
                ..FileIr::default()
            };
        }
    };
    // A crate root or `mod.rs` owns its directory; `a.rs` owns `a/`.
    let is_mod_rs = module_path.len() == 1
        || path
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs" || n == "main.rs");
    let dir = if is_mod_rs {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        path.with_extension("")
    };
    let mut lowerer = FileLowerer {
        file,
        out: FileIr {
            file,
            ..FileIr::default()
        },
    };
    lowerer.module(&ast.items, module_path, &dir, path);
    let mut out = lowerer.out;
    out.suppressions = suppressions::collect(file, text, &ast);
    // The syntax tree is dropped here, on the parsing thread, with room to
    // recurse (`Drop` of a deep expression tree recurses too).
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, move || drop(ast));
    out
}

/// `syn::parse_file` drops a byte-order mark and a shebang line before
/// lexing, so its offsets would no longer be those of the file: replace
/// them with as many spaces instead.
pub(crate) fn blank_bom_and_shebang(text: &str) -> std::borrow::Cow<'_, str> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = &text[bom..];
    let shebang = if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        rest.find('\n').unwrap_or(rest.len())
    } else {
        0
    };
    if bom + shebang == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = " ".repeat(bom + shebang);
    out.push_str(&text[bom + shebang..]);
    std::borrow::Cow::Owned(out)
}

/// Our own recursion over syntax grows the stack on the heap when less than
/// this much is left, so no nesting depth can overflow it.
pub(crate) const STACK_RED_ZONE: usize = 128 * 1024;
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// The name a path ends in (`Dialer` in `crate::a::Dialer`), or `""`.
pub(crate) fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

pub(crate) fn span_of(file: FileId, node: &impl Spanned) -> Span {
    Span::new(file, node.span().byte_range())
}

struct FileLowerer {
    file: FileId,
    out: FileIr,
}

impl FileLowerer {
    /// Records one module (the file's own or an inline one) and lowers the
    /// bodies in it. `dir` is where its `mod x;` files live.
    fn module(&mut self, items: &[syn::Item], path: Vec<String>, dir: &Path, file_path: &Path) {
        let index = self.out.modules.len();
        self.out.modules.push(ModuleIr {
            path: path.clone(),
            ..ModuleIr::default()
        });
        for item in items {
            self.item(item, index, &path, dir, file_path);
        }
    }

    fn item(
        &mut self,
        item: &syn::Item,
        module: usize,
        path: &[String],
        dir: &Path,
        file_path: &Path,
    ) {
        match item {
            syn::Item::Use(u) => {
                let is_pub = !matches!(u.vis, syn::Visibility::Inherited);
                let mut prefix = Vec::new();
                if u.leading_colon.is_some() {
                    prefix.push(String::new());
                }
                flatten_use(
                    &u.tree,
                    &mut prefix,
                    is_pub,
                    &mut self.out.modules[module].uses,
                );
            }
            syn::Item::Fn(f) => {
                self.out.modules[module].items.push(f.sig.ident.to_string());
                let is_main = f.sig.ident == "main" && path.len() == 1;
                body::lower_fn(self, module, &f.attrs, &f.sig, &f.block, None, is_main);
            }
            syn::Item::Static(s) => {
                let name = s.ident.to_string();
                self.out.modules[module].items.push(name.clone());
                self.out.modules[module].statics.push(name);
            }
            syn::Item::Const(c) => self.out.modules[module].items.push(c.ident.to_string()),
            syn::Item::Struct(s) => self.out.modules[module].items.push(s.ident.to_string()),
            syn::Item::Enum(e) => self.out.modules[module].items.push(e.ident.to_string()),
            syn::Item::ForeignMod(m) => {
                for fi in &m.items {
                    if let syn::ForeignItem::Fn(f) = fi {
                        self.out.modules[module].items.push(f.sig.ident.to_string());
                    }
                    if let syn::ForeignItem::Static(s) = fi {
                        self.out.modules[module].statics.push(s.ident.to_string());
                        self.out.modules[module].items.push(s.ident.to_string());
                    }
                }
            }
            syn::Item::Impl(imp) => {
                let owner = ImplOwner {
                    self_ty: type_name(&imp.self_ty).unwrap_or_default(),
                    trait_name: imp
                        .trait_
                        .as_ref()
                        .and_then(|(_, p, _)| p.segments.last().map(|s| s.ident.to_string())),
                };
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        body::lower_fn(
                            self,
                            module,
                            &f.attrs,
                            &f.sig,
                            &f.block,
                            Some(owner.clone()),
                            false,
                        );
                    }
                }
            }
            syn::Item::Trait(t) => {
                let owner = ImplOwner {
                    self_ty: t.ident.to_string(),
                    trait_name: Some(t.ident.to_string()),
                };
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it
                        && let Some(block) = &f.default
                    {
                        body::lower_fn(
                            self,
                            module,
                            &f.attrs,
                            &f.sig,
                            block,
                            Some(owner.clone()),
                            false,
                        );
                    }
                }
            }
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                let mut sub_path = path.to_vec();
                sub_path.push(name.clone());
                let explicit = path_attr(&m.attrs);
                match &m.content {
                    Some((_, items)) => {
                        let sub_dir = match &explicit {
                            Some(p) => dir.join(p),
                            None => dir.join(&name),
                        };
                        self.module(items, sub_path, &sub_dir, file_path);
                    }
                    None => {
                        let candidates = match explicit {
                            // `#[path]` on a `mod x;` in a non-mod.rs file is
                            // relative to the file's own directory.
                            Some(p) => vec![file_path.parent().unwrap_or(Path::new("")).join(p)],
                            None => vec![
                                dir.join(format!("{name}.rs")),
                                dir.join(&name).join("mod.rs"),
                            ],
                        };
                        self.out.external_mods.push(ExternalMod {
                            path: sub_path,
                            candidates,
                            span: span_of(self.file, &m.ident),
                        });
                    }
                }
            }
            // `thread_local! { static X: .. }` defines statics.
            syn::Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "thread_local") =>
            {
                for name in macros::thread_local_names(&m.mac.tokens) {
                    self.out.modules[module].items.push(name.clone());
                    self.out.modules[module].statics.push(name);
                }
            }
            _ => {}
        }
    }
}

impl FileLowerer {
    /// An item declared inside a function body. Its names are recorded in
    /// the enclosing module: an approximation of block scope that keeps a
    /// function-local `use` of the bindings working.
    fn local_item(&mut self, item: &syn::Item, module: usize) {
        if matches!(item, syn::Item::Mod(_)) {
            return;
        }
        let path = self.out.modules[module].path.clone();
        self.item(item, module, &path, Path::new(""), Path::new(""));
    }
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<PathBuf> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("path") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(PathBuf::from(s.value())),
                _ => None,
            },
            _ => None,
        }
    })
}

fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    is_pub: bool,
    out: &mut Vec<UseDecl>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, is_pub, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            // `use a::{self}` binds `a`.
            if name == "self" {
                if let Some(last) = prefix.last().cloned() {
                    out.push(UseDecl {
                        path: prefix.clone(),
                        binding: UseBinding::Name(last),
                        is_pub,
                    });
                }
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                out.push(UseDecl {
                    path,
                    binding: UseBinding::Name(name),
                    is_pub,
                });
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push(UseDecl {
                path,
                binding: UseBinding::Name(r.rename.to_string()),
                is_pub,
            });
        }
        syn::UseTree::Glob(_) => {
            out.push(UseDecl {
                path: prefix.clone(),
                binding: UseBinding::Glob,
                is_pub,
            });
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, is_pub, out);
            }
        }
    }
}

/// The last path segment of a type, looking through references, pointers,
/// parentheses and one level of `Box`/`Option`-style wrappers is *not*
/// done: the name is the outermost type's.
pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
