//! Name resolution: what a path written in some module refers to.
//!
//! Paths resolve to canonical absolute paths: `["crate", "a", "f"]` for
//! the crate's own items (a package library read for its binaries is
//! rooted at its crate name instead of `crate`), `["windows_sys", "Win32", "Devices", "Tapi",
//! "lineOpenW"]` for other crates. `use` in every form (lists, globs,
//! renames, `self`, `pub use` re-exports through the crate's modules),
//! `crate::`, `self::`, `super::` and leading `::` are followed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::ir::{CrateIr, ModuleIr, UseBinding};

/// The module paths under which the TAPI bindings are reached.
pub const TAPI_MODULES: &[&[&str]] = &[
    &["windows_sys", "Win32", "Devices", "Tapi"],
    &["windows", "Win32", "Devices", "Tapi"],
];

/// Crates every module can name without a `use`.
const EXTERN_PRELUDE: &[&str] = &["std", "core", "alloc", "windows_sys", "windows"];

/// The standard prelude's names that matter to the analysis.
const STD_PRELUDE: &[(&str, &[&str])] = &[
    ("drop", &["std", "mem", "drop"]),
    ("Some", &["std", "option", "Option", "Some"]),
    ("None", &["std", "option", "Option", "None"]),
    ("Ok", &["std", "result", "Result", "Ok"]),
    ("Err", &["std", "result", "Result", "Err"]),
    ("Box", &["std", "boxed", "Box"]),
    ("Vec", &["std", "vec", "Vec"]),
    ("String", &["std", "string", "String"]),
    ("Option", &["std", "option", "Option"]),
    ("Result", &["std", "result", "Result"]),
];

/// Every module of one crate, by absolute path.
pub struct Resolver<'a> {
    modules: HashMap<&'a [String], &'a ModuleIr>,
    /// `module::name` lookups already done: glob imports can form cycles
    /// and diamonds, which would otherwise make lookups exponential.
    members: Mutex<HashMap<MemberKey, Option<Vec<String>>>>,
}

/// A module's path and a name looked up in it.
type MemberKey = (Vec<String>, String);

thread_local! {
    /// The member lookups under way on this thread, to cut glob cycles.
    static IN_PROGRESS: RefCell<Vec<MemberKey>> = const { RefCell::new(Vec::new()) };
}

/// Bounds `use` chains, which may form cycles in broken code.
const MAX_DEPTH: usize = 32;

impl<'a> Resolver<'a> {
    pub fn new(krate: &'a CrateIr) -> Resolver<'a> {
        let mut modules = HashMap::new();
        for file in &krate.files {
            for m in &file.modules {
                modules.entry(m.path.as_slice()).or_insert(m);
            }
        }
        Resolver {
            modules,
            members: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves `path` as written in the module at `module` (an absolute
    /// module path). `None` when the first segment names nothing visible
    /// (a local variable, a generic parameter, a typo).
    pub fn resolve(&self, module: &[String], path: &[String]) -> Option<Vec<String>> {
        self.resolve_depth(module, path, 0)
    }

    fn resolve_depth(
        &self,
        module: &[String],
        path: &[String],
        depth: usize,
    ) -> Option<Vec<String>> {
        if depth > MAX_DEPTH || path.is_empty() {
            return None;
        }
        let (first, rest) = (&path[0], &path[1..]);
        let base: Vec<String> = match first.as_str() {
            "" => return Some(rest.to_vec()),
            // The root of the crate this module belongs to (`crate`, or a
            // package library read for its binaries under its own name).
            "crate" => vec![
                module
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "crate".to_string()),
            ],
            "self" => module.to_vec(),
            "super" => {
                let mut m = module.to_vec();
                let mut rest = rest;
                m.pop();
                while rest.first().is_some_and(|s| s == "super") {
                    m.pop();
                    rest = &rest[1..];
                }
                return self.walk(m, rest, depth);
            }
            _ => {
                return self
                    .lookup_in_scope(module, first, depth)
                    .and_then(|b| self.walk(b, rest, depth));
            }
        };
        self.walk(base, rest, depth)
    }

    /// Follows `rest` down from `base`, through the crate's modules and
    /// their re-exports.
    fn walk(&self, mut base: Vec<String>, rest: &[String], depth: usize) -> Option<Vec<String>> {
        for (i, seg) in rest.iter().enumerate() {
            if self.modules.contains_key(base.as_slice()) {
                match self.lookup_member(&base, seg, depth) {
                    Some(next) => base = next,
                    None => {
                        // Not visible: keep the path as written.
                        base.extend(rest[i..].iter().cloned());
                        return Some(base);
                    }
                }
            } else {
                base.push(seg.clone());
            }
        }
        Some(base)
    }

    /// `name` as seen from inside `module`: its items, submodules, `use`s,
    /// glob imports, then the extern and standard preludes.
    fn lookup_in_scope(&self, module: &[String], name: &str, depth: usize) -> Option<Vec<String>> {
        if let Some(found) = self.lookup_member(module, name, depth) {
            return Some(found);
        }
        if EXTERN_PRELUDE.contains(&name) {
            return Some(vec![name.to_string()]);
        }
        // Another crate of the program (a binary's package library).
        if self.modules.contains_key([name.to_string()].as_slice()) {
            return Some(vec![name.to_string()]);
        }
        if let Some((_, p)) = STD_PRELUDE.iter().find(|(n, _)| *n == name) {
            return Some(p.iter().map(|s| s.to_string()).collect());
        }
        None
    }

    /// `name` as a member of `module` (what `module::name` means).
    fn lookup_member(&self, module: &[String], name: &str, depth: usize) -> Option<Vec<String>> {
        let key = (module.to_vec(), name.to_string());
        if let Some(found) = self.members.lock().expect("resolver cache").get(&key) {
            return found.clone();
        }
        let cycle = IN_PROGRESS.with(|p| p.borrow().contains(&key));
        if cycle {
            return None;
        }
        IN_PROGRESS.with(|p| p.borrow_mut().push(key.clone()));
        let found = self.lookup_member_uncached(module, name, depth);
        IN_PROGRESS.with(|p| p.borrow_mut().pop());
        self.members
            .lock()
            .expect("resolver cache")
            .insert(key, found.clone());
        found
    }

    fn lookup_member_uncached(
        &self,
        module: &[String],
        name: &str,
        depth: usize,
    ) -> Option<Vec<String>> {
        let m = self.modules.get(module)?;
        let mut child = module.to_vec();
        child.push(name.to_string());
        if m.items.iter().any(|i| i == name) {
            return Some(child);
        }
        if self.modules.contains_key(child.as_slice()) {
            return Some(child);
        }
        for u in &m.uses {
            if u.binding == UseBinding::Name(name.to_string()) {
                return self.resolve_use(module, &u.path, depth + 1);
            }
        }
        for u in m.uses.iter().filter(|u| u.binding == UseBinding::Glob) {
            let Some(target) = self.resolve_use(module, &u.path, depth + 1) else {
                continue;
            };
            if self.modules.contains_key(target.as_slice()) {
                if let Some(found) = self.lookup_member(&target, name, depth + 1) {
                    return Some(found);
                }
            } else if exports(&target, name) {
                let mut p = target;
                p.push(name.to_string());
                return Some(p);
            }
        }
        None
    }

    /// A `use` path: relative to the module for `self`/`super`/`crate`,
    /// otherwise a crate name or a name in scope (2018+ uniform paths).
    fn resolve_use(&self, module: &[String], path: &[String], depth: usize) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(first) = path.first()
            && !matches!(first.as_str(), "" | "crate" | "self" | "super")
            && EXTERN_PRELUDE.contains(&first.as_str())
            && self.lookup_member(module, first, depth + 1).is_none()
        {
            return Some(path.to_vec());
        }
        self.resolve_depth(module, path, depth + 1)
    }

    /// Every `static` of the crate, by canonical path, in a stable order.
    pub fn statics(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self
            .modules
            .iter()
            .flat_map(|(path, m)| {
                m.statics.iter().map(move |s| {
                    let mut p = path.to_vec();
                    p.push(s.clone());
                    p
                })
            })
            .collect();
        out.sort();
        out
    }

    /// Whether `path` is a `static` of this crate.
    pub fn is_static(&self, path: &[String]) -> bool {
        let Some((name, module)) = path.split_last() else {
            return false;
        };
        self.modules
            .get(module)
            .is_some_and(|m| m.statics.iter().any(|s| s == name))
    }
}

/// Whether a glob import of the external module `module` brings in `name`.
/// For the TAPI bindings we know the exports; for other external crates we
/// cannot tell, so nothing is assumed (a local item or explicit import
/// named like a TAPI function is never taken for one).
fn exports(module: &[String], name: &str) -> bool {
    if is_tapi_module(module) {
        return tapi_model::function(name).is_some() || is_tapi_constant(name);
    }
    false
}

pub fn is_tapi_module(module: &[String]) -> bool {
    TAPI_MODULES
        .iter()
        .any(|m| m.len() == module.len() && m.iter().zip(module).all(|(a, b)| a == b))
}

/// `LINEERR_*`, `LINEREQUESTMODE_*`, ...: the bindings' constants.
fn is_tapi_constant(name: &str) -> bool {
    ["LINE", "PHONE", "TAPI", "VARIANT_", "DC_", "CLSCTX_"]
        .iter()
        .any(|p| name.starts_with(p))
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The TAPI 2 function a canonical path names, if it names one.
pub fn tapi_function(path: &[String]) -> Option<&'static tapi_model::Function> {
    let (name, module) = path.split_last()?;
    if is_tapi_module(module) {
        tapi_model::function(name)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::lower_file;
    use crate::source::FileId;
    use std::path::Path;

    fn krate(files: &[(&str, &str)]) -> CrateIr {
        let mut out = CrateIr::default();
        for (i, (module, src)) in files.iter().enumerate() {
            let path: Vec<String> = module.split("::").map(String::from).collect();
            out.files.push(std::sync::Arc::new(lower_file(
                FileId(i as u32),
                Path::new("src/x.rs"),
                src,
                path,
            )));
        }
        out
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn follows_globs_renames_lists_and_reexports() {
        let k = krate(&[
            (
                "crate",
                "use windows_sys::Win32::Devices::Tapi::{lineOpenW as open_line, lineClose};\n\
                 mod ffi { pub use windows_sys::Win32::Devices::Tapi::*; }\n\
                 mod wrap { pub use super::ffi::lineShutdown as shut; }\n\
                 use windows_sys::Win32::Devices::Tapi as tapi;\n\
                 fn lineDrop() {}",
            ),
            ("crate::other", "use crate::ffi::*;\nuse super::wrap;"),
        ]);
        let r = Resolver::new(&k);
        let root = s(&["crate"]);
        let tapi = |n: &str| {
            let mut p = s(&["windows_sys", "Win32", "Devices", "Tapi"]);
            p.push(n.into());
            p
        };
        assert_eq!(
            r.resolve(&root, &s(&["open_line"])),
            Some(tapi("lineOpenW"))
        );
        assert_eq!(
            r.resolve(&root, &s(&["lineClose"])),
            Some(tapi("lineClose"))
        );
        assert_eq!(
            r.resolve(&root, &s(&["tapi", "lineMakeCallW"])),
            Some(tapi("lineMakeCallW"))
        );
        assert_eq!(
            r.resolve(&root, &s(&["ffi", "lineOpen"])),
            Some(tapi("lineOpen"))
        );
        assert_eq!(
            r.resolve(&root, &s(&["wrap", "shut"])),
            Some(tapi("lineShutdown"))
        );
        // A local function named like a TAPI function is the local one.
        assert_eq!(
            r.resolve(&root, &s(&["lineDrop"])),
            Some(s(&["crate", "lineDrop"]))
        );
        let other = s(&["crate", "other"]);
        assert_eq!(
            r.resolve(&other, &s(&["lineShutdown"])),
            Some(tapi("lineShutdown"))
        );
        assert_eq!(
            r.resolve(&other, &s(&["wrap", "shut"])),
            Some(tapi("lineShutdown"))
        );
        assert_eq!(
            r.resolve(
                &other,
                &s(&["", "windows_sys", "Win32", "Devices", "Tapi", "lineClose"])
            ),
            Some(tapi("lineClose"))
        );
        assert_eq!(r.resolve(&root, &s(&["nothing_here"])), None);
        assert!(tapi_function(&tapi("lineOpenW")).is_some());
    }
}
