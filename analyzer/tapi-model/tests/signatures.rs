//! Checks the model against the real bindings: every position in
//! `FUNCTIONS` against `windows_sys::Win32::Devices::Tapi` (windows-sys
//! 0.61.2), and `METHODS` against the COM interfaces of the `windows` crate
//! (0.62.2). Both crates' sources are found through `cargo metadata`: the
//! `fixtures` package depends on windows-sys, and tapi-model has `windows`
//! as a (Windows-only) dev-dependency, which `cargo metadata` still fetches.
//!
//! Each test collects every problem it finds and fails once, listing them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use syn::parse::{Parse, ParseStream};
use syn::visit::Visit;
use tapi_model::{
    Effect, FUNCTIONS, HandleParam, METHODS, ParentSlot, ResourceKind, Slot, Success,
};

const WINDOWS_SYS: (&str, &str) = ("windows-sys", "0.61.2");
const WINDOWS: (&str, &str) = ("windows", "0.62.2");

/// The `src/` directory of each package in the workspace's resolve.
fn package_sources() -> &'static BTreeMap<(String, String), PathBuf> {
    static SOURCES: OnceLock<BTreeMap<(String, String), PathBuf>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let metadata = cargo_metadata::MetadataCommand::new()
            .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"))
            .exec()
            .expect("`cargo metadata` on the workspace");
        metadata
            .packages
            .iter()
            .map(|p| {
                let dir = p.manifest_path.parent().expect("manifest has a directory");
                (
                    (p.name.to_string(), p.version.to_string()),
                    dir.join("src").into_std_path_buf(),
                )
            })
            .collect()
    })
}

fn source_file(package: (&str, &str), relative: &str) -> (PathBuf, syn::File) {
    let (name, version) = package;
    let src = package_sources()
        .get(&(name.to_owned(), version.to_owned()))
        .unwrap_or_else(|| panic!("{name} {version} is not in the workspace's `cargo metadata`"));
    let path = src.join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, file)
}

// ---------------------------------------------------------------- types

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

fn is_named(ty: &syn::Type, name: &str) -> bool {
    type_name(ty).as_deref() == Some(name)
        && matches!(ty, syn::Type::Path(p) if p.path.segments.len() == 1)
}

fn is_mut_u32_ptr(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Ptr(p) if p.mutability.is_some() && is_named(&p.elem, "u32"))
}

/// A type as text (enough of it for messages and comparisons).
fn show(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
        syn::Type::Ptr(p) => format!(
            "*{} {}",
            if p.mutability.is_some() {
                "mut"
            } else {
                "const"
            },
            show(&p.elem)
        ),
        syn::Type::Tuple(t) if t.elems.is_empty() => "()".to_owned(),
        _ => "<type>".to_owned(),
    }
}

/// The kind a handle parameter's name says it holds.
fn kind_by_name(name: &str) -> Option<ResourceKind> {
    match name {
        "hlineapp" => Some(ResourceKind::LineApp),
        "hline" => Some(ResourceKind::Line),
        "hphoneapp" => Some(ResourceKind::PhoneApp),
        "hphone" => Some(ResourceKind::Phone),
        _ if name.starts_with('h') && name.ends_with("call") => Some(ResourceKind::Call),
        _ => None,
    }
}

// ---------------------------------------------------------------- windows-sys

struct Param {
    name: String,
    ty: syn::Type,
}

struct Binding {
    dll: String,
    params: Vec<Param>,
    ret: Option<syn::Type>,
}

/// The tokens of `windows_link::link!("tapi32.dll" "system" fn NAME(..) -> R)`.
struct Link {
    dll: syn::LitStr,
    sig: syn::Signature,
}

impl Parse for Link {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let dll: syn::LitStr = input.parse()?;
        let _abi: syn::LitStr = input.parse()?;
        let sig: syn::Signature = input.parse()?;
        Ok(Link { dll, sig })
    }
}

fn params_of(sig: &syn::Signature) -> Result<Vec<Param>, String> {
    sig.inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(id) => Ok(Param {
                    name: id.ident.to_string(),
                    ty: (*pt.ty).clone(),
                }),
                _ => Err(format!("{}: a parameter is not a plain name", sig.ident)),
            },
            syn::FnArg::Receiver(_) => Err(format!("{}: unexpected receiver", sig.ident)),
        })
        .collect()
}

fn ret_of(sig: &syn::Signature) -> Option<syn::Type> {
    match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
    }
}

#[derive(Default)]
struct LinkCollector {
    found: BTreeMap<String, Binding>,
    errors: Vec<String>,
    count: usize,
}

impl<'ast> Visit<'ast> for LinkCollector {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let path: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if path != ["windows_link", "link"] {
            return;
        }
        self.count += 1;
        match mac.parse_body::<Link>() {
            Ok(link) => match params_of(&link.sig) {
                Ok(params) => {
                    let name = link.sig.ident.to_string();
                    let binding = Binding {
                        dll: link.dll.value(),
                        params,
                        ret: ret_of(&link.sig),
                    };
                    if self.found.insert(name.clone(), binding).is_some() {
                        self.errors.push(format!("{name} is bound twice"));
                    }
                }
                Err(e) => self.errors.push(e),
            },
            Err(e) => self
                .errors
                .push(format!("cannot parse a link! invocation: {e}")),
        }
    }
}

fn windows_sys_bindings() -> (PathBuf, LinkCollector) {
    let (path, file) = source_file(WINDOWS_SYS, "Windows/Win32/Devices/Tapi/mod.rs");
    let mut collector = LinkCollector::default();
    collector.visit_file(&file);
    (path, collector)
}

/// The handle of `kind` that a function's `handles` says is at `slot`.
fn handle_at(handles: &[HandleParam], slot: Slot) -> Option<ResourceKind> {
    match slot {
        Slot::Arg(i) => handles.iter().find(|h| h.index == i).map(|h| h.kind),
        Slot::Return | Slot::Receiver => None,
    }
}

fn check_function(f: &tapi_model::Function, b: &Binding, problems: &mut Vec<String>) {
    let name = f.name;
    let mut problem = |msg: String| problems.push(format!("{name}: {msg}"));
    let param = |i: usize| b.params.get(i);

    if f.arity != b.params.len() {
        problem(format!(
            "arity {} but the binding has {} parameters",
            f.arity,
            b.params.len()
        ));
    }

    // Every listed handle is a u32 input whose name says its kind.
    let mut seen = BTreeSet::new();
    for h in f.handles {
        if !seen.insert(h.index) {
            problem(format!("handle position {} listed twice", h.index));
        }
        match param(h.index) {
            None => problem(format!("handle position {} is past the signature", h.index)),
            Some(p) => {
                if !is_named(&p.ty, "u32") {
                    problem(format!("handle `{}` is `{}`, not u32", p.name, show(&p.ty)));
                }
                if kind_by_name(&p.name) != Some(h.kind) {
                    problem(format!(
                        "parameter {} `{}` is not a {:?} handle",
                        h.index, p.name, h.kind
                    ));
                }
            }
        }
    }
    // ...and every such input is listed.
    for (i, p) in b.params.iter().enumerate() {
        if let Some(kind) = kind_by_name(&p.name)
            && is_named(&p.ty, "u32")
            && !f.handles.iter().any(|h| h.index == i && h.kind == kind)
        {
            problem(format!(
                "handle parameter {i} `{}` ({kind:?}) is missing from handles",
                p.name
            ));
        }
    }

    let success = match f.effect {
        Effect::None => None,
        Effect::Acquire { creates, success } => {
            if creates.is_empty() {
                problem("acquires nothing".to_owned());
            }
            for c in creates {
                let Slot::Arg(i) = c.out else {
                    problem(format!(
                        "creates a {:?} in {:?}: a C function has no such slot",
                        c.kind, c.out
                    ));
                    continue;
                };
                match param(i) {
                    None => problem(format!(
                        "creates a {:?} past the signature (arg {i})",
                        c.kind
                    )),
                    Some(p) => {
                        let named = p.name.strip_prefix("lp").and_then(kind_by_name);
                        if !is_mut_u32_ptr(&p.ty) || named != Some(c.kind) {
                            problem(format!(
                                "creates a {:?} through arg {i} `{}: {}`, not a `*mut u32` lph… of that kind",
                                c.kind,
                                p.name,
                                show(&p.ty)
                            ));
                        }
                    }
                }
                match c.parent {
                    ParentSlot::None => {
                        if !c.kind.parents().is_empty() {
                            problem(format!(
                                "a {:?} has no parent here, but has {:?}",
                                c.kind,
                                c.kind.parents()
                            ));
                        }
                    }
                    ParentSlot::Handle(slot) => match handle_at(f.handles, slot) {
                        Some(k) if c.kind.parents().contains(&k) => {}
                        other => problem(format!(
                            "the parent of a {:?} is {slot:?}, which holds {other:?}, not one of {:?}",
                            c.kind,
                            c.kind.parents()
                        )),
                    },
                    ParentSlot::ParentOf(slot) => match handle_at(f.handles, slot) {
                        Some(k) if k == c.kind => {}
                        other => problem(format!(
                            "the parent of a {:?} is the parent of {slot:?}, which holds {other:?}, not a {:?}",
                            c.kind, c.kind
                        )),
                    },
                }
            }
            Some(success)
        }
        Effect::Release { kind, handle } => {
            if handle_at(f.handles, handle) != Some(kind) {
                problem(format!(
                    "releases a {kind:?} from {handle:?}, which is not such a handle"
                ));
            }
            None
        }
        Effect::Registration {
            owner,
            key_arg,
            enable_arg,
            success,
        } => {
            match handle_at(f.handles, owner) {
                Some(k) if ResourceKind::RequestRecipient.parents().contains(&k) => {}
                other => problem(format!("registration owner {owner:?} holds {other:?}")),
            }
            for (what, i, word) in [
                ("key", key_arg, "requestmode"),
                ("enable", enable_arg, "enable"),
            ] {
                match param(i) {
                    Some(p) if p.name.contains(word) && is_named(&p.ty, "u32") => {}
                    Some(p) => problem(format!(
                        "registration {what} arg {i} is `{}: {}`",
                        p.name,
                        show(&p.ty)
                    )),
                    None => problem(format!("registration {what} arg {i} is past the signature")),
                }
            }
            Some(success)
        }
    };
    match success {
        Some(Success::Zero | Success::Positive) => {
            if !b.ret.as_ref().is_some_and(|t| is_named(t, "i32")) {
                let ret = b.ret.as_ref().map_or("()".to_owned(), show);
                problem(format!(
                    "success is tested on the return value, which is `{ret}`, not i32"
                ));
            }
            if b.dll != "tapi32.dll" {
                problem(format!("acquires through {}, not tapi32.dll", b.dll));
            }
        }
        Some(Success::Ok) => problem("Success::Ok on a C function".to_owned()),
        None => {}
    }
}

fn effect_label(effect: &Effect) -> String {
    match effect {
        Effect::None => "None".to_owned(),
        Effect::Acquire { creates, success } => {
            let kinds: BTreeSet<_> = creates.iter().map(|c| format!("{:?}", c.kind)).collect();
            format!(
                "Acquire {} ({success:?})",
                kinds.into_iter().collect::<Vec<_>>().join("+")
            )
        }
        Effect::Release { kind, .. } => format!("Release {kind:?}"),
        Effect::Registration { .. } => "Registration".to_owned(),
    }
}

#[test]
fn functions_match_windows_sys() {
    let (path, bindings) = windows_sys_bindings();
    let mut problems = bindings.errors.clone();

    if bindings.count != 252 || bindings.found.len() != 252 {
        problems.push(format!(
            "{} has {} link! invocations ({} distinct); expected 252",
            path.display(),
            bindings.count,
            bindings.found.len()
        ));
    }
    if FUNCTIONS.len() != 252 {
        problems.push(format!(
            "FUNCTIONS has {} rows; expected 252",
            FUNCTIONS.len()
        ));
    }
    for pair in FUNCTIONS.windows(2) {
        if pair[0].name >= pair[1].name {
            problems.push(format!(
                "FUNCTIONS is not sorted: {} before {}",
                pair[0].name, pair[1].name
            ));
        }
    }

    let modelled: BTreeSet<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    for name in bindings.found.keys() {
        if !modelled.contains(name.as_str()) {
            problems.push(format!(
                "{name} is bound in windows-sys but missing from FUNCTIONS"
            ));
        }
    }
    for f in FUNCTIONS {
        match bindings.found.get(f.name) {
            None => problems.push(format!(
                "{}: in FUNCTIONS but not bound in windows-sys",
                f.name
            )),
            Some(b) => check_function(f, b, &mut problems),
        }
    }

    let mut summary: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for f in FUNCTIONS {
        summary
            .entry(effect_label(&f.effect))
            .or_default()
            .push(f.name);
    }
    eprintln!("{:<36} {:>5}  functions", "effect", "count");
    for (label, names) in &summary {
        let list = if names.len() > 6 {
            String::new()
        } else {
            names.join(", ")
        };
        eprintln!("{label:<36} {:>5}  {list}", names.len());
    }
    eprintln!("{:<36} {:>5}", "total", FUNCTIONS.len());

    assert!(
        problems.is_empty(),
        "{} problem(s) in FUNCTIONS against {}:\n  {}",
        problems.len(),
        path.display(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------- windows

/// The inherent methods (`impl ITTAPI { pub unsafe fn .. }`) of the COM
/// interfaces in one file, by interface and name.
#[derive(Default)]
struct ImplCollector {
    methods: BTreeMap<(String, String), syn::Signature>,
    functions: BTreeMap<String, syn::Signature>,
}

impl<'ast> Visit<'ast> for ImplCollector {
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        if item.trait_.is_some() {
            return;
        }
        let Some(interface) = type_name(&item.self_ty) else {
            return;
        };
        for it in &item.items {
            if let syn::ImplItem::Fn(f) = it {
                let key = (interface.clone(), f.sig.ident.to_string());
                self.methods.insert(key, f.sig.clone());
            }
        }
    }
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.functions
            .insert(item.sig.ident.to_string(), item.sig.clone());
    }
}

/// `T` of a `windows_core::Result<T>`.
fn result_payload(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

fn windows_interfaces() -> (Vec<PathBuf>, ImplCollector) {
    let mut collector = ImplCollector::default();
    let mut paths = Vec::new();
    for relative in [
        "Windows/Win32/Devices/Tapi/mod.rs",
        "Windows/Win32/System/Com/mod.rs",
    ] {
        let (path, file) = source_file(WINDOWS, relative);
        collector.visit_file(&file);
        paths.push(path);
    }
    (paths, collector)
}

fn check_method(m: &tapi_model::Method, sig: &syn::Signature, problems: &mut Vec<String>) {
    let who = format!("{}::{}", m.interface, m.name);
    let mut problem = |msg: String| problems.push(format!("{who}: {msg}"));

    let by_ref = |r: &syn::Receiver| r.reference.is_some() && r.mutability.is_none();
    if !matches!(sig.inputs.first(), Some(syn::FnArg::Receiver(r)) if by_ref(r)) {
        problem("does not take `&self`".to_owned());
    }
    let params: Vec<(String, syn::Type)> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(id) => Some((id.ident.to_string(), (*pt.ty).clone())),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    if params.len() != m.arity {
        problem(format!(
            "arity {} but the binding has {} parameters",
            m.arity,
            params.len()
        ));
    }
    let payload = ret_of(sig).as_ref().and_then(result_payload);
    if payload.is_none() {
        problem("does not return a windows_core::Result".to_owned());
    }
    let integer = |ty: &syn::Type| is_named(ty, "i32") || is_named(ty, "u32");

    for h in m.handles {
        match params.get(h.index) {
            Some((_, ty)) if integer(ty) => {}
            Some((name, ty)) => {
                problem(format!("cookie `{name}` is `{}`, not an integer", show(ty)))
            }
            None => problem(format!("cookie position {} is past the signature", h.index)),
        }
    }
    let holds = |slot: Slot, kind: ResourceKind| match slot {
        Slot::Arg(i) => m.handles.iter().any(|h| h.index == i && h.kind == kind),
        Slot::Receiver => true,
        Slot::Return => false,
    };
    match m.effect {
        Effect::None => {}
        Effect::Acquire { creates, success } => {
            if success != Success::Ok {
                problem(format!("a COM method succeeds with Ok, not {success:?}"));
            }
            for c in creates {
                match c.out {
                    Slot::Return => {
                        if !payload.as_ref().is_some_and(integer) {
                            problem(format!(
                                "creates a {:?} cookie in Return, but Ok holds no integer",
                                c.kind
                            ));
                        }
                    }
                    Slot::Receiver => {
                        if payload.as_ref().is_some_and(
                            |t| !matches!(t, syn::Type::Tuple(t) if t.elems.is_empty()),
                        ) {
                            problem(format!(
                                "creates a {:?} in the receiver but returns a value",
                                c.kind
                            ));
                        }
                    }
                    Slot::Arg(i) => problem(format!("creates a {:?} through arg {i}", c.kind)),
                }
                match c.parent {
                    ParentSlot::None => {}
                    ParentSlot::Handle(Slot::Receiver) => {
                        if !c.kind.parents().contains(&ResourceKind::Tapi)
                            || m.interface != "ITTAPI"
                        {
                            problem(format!(
                                "the receiver cannot be the parent of a {:?}",
                                c.kind
                            ));
                        }
                    }
                    other => problem(format!("unexpected parent {other:?}")),
                }
            }
        }
        Effect::Release { kind, handle } => {
            if !holds(handle, kind) {
                problem(format!(
                    "releases a {kind:?} from {handle:?}, which handles does not list"
                ));
            }
        }
        Effect::Registration {
            owner,
            key_arg,
            enable_arg,
            success,
        } => {
            if owner != Slot::Receiver || success != Success::Ok {
                problem(format!("registration owner {owner:?}, success {success:?}"));
            }
            match params.get(key_arg) {
                Some((name, ty)) if name.contains("requestmode") && integer(ty) => {}
                other => problem(format!("key arg {key_arg} is {:?}", other.map(|p| &p.0))),
            }
            match params.get(enable_arg) {
                Some((_, ty)) if type_name(ty).as_deref() == Some("VARIANT_BOOL") => {}
                other => problem(format!(
                    "enable arg {enable_arg} is {:?}",
                    other.map(|p| &p.0)
                )),
            }
        }
    }
}

#[test]
fn methods_match_the_windows_crate() {
    let (paths, found) = windows_interfaces();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for m in METHODS {
        if !seen.insert((m.interface, m.name)) {
            problems.push(format!("{}::{} is listed twice", m.interface, m.name));
        }
        match found
            .methods
            .get(&(m.interface.to_owned(), m.name.to_owned()))
        {
            None => problems.push(format!(
                "{}::{} is not bound in windows",
                m.interface, m.name
            )),
            Some(sig) => check_method(m, sig, &mut problems),
        }
    }

    // A cookie is released with the type it was acquired with.
    for release in METHODS {
        let Effect::Release {
            kind,
            handle: Slot::Arg(i),
        } = release.effect
        else {
            continue;
        };
        let acquired = METHODS.iter().find(|m| {
            matches!(m.effect, Effect::Acquire { creates, .. }
                if creates.iter().any(|c| c.kind == kind && c.out == Slot::Return))
        });
        let key = |m: &tapi_model::Method| (m.interface.to_owned(), m.name.to_owned());
        let (Some(acq), Some(rel)) = (
            acquired.and_then(|m| found.methods.get(&key(m))),
            found.methods.get(&key(release)),
        ) else {
            continue;
        };
        let out = ret_of(acq)
            .as_ref()
            .and_then(result_payload)
            .map(|t| show(&t));
        let back = params_of(&strip_receiver(rel))
            .ok()
            .and_then(|p| p.get(i).map(|p| show(&p.ty)));
        if out != back {
            problems.push(format!(
                "{}::{}: a {kind:?} cookie is acquired as {out:?} but released as {back:?}",
                release.interface, release.name
            ));
        }
    }

    // The `windows` crate binds the same TAPI 2 functions, with the same
    // parameters up to any buffer it turns into a slice (pointer + length
    // become one parameter, which shifts the rest): every position FUNCTIONS
    // uses must come before such a change, so it holds for both crates.
    let (_, sys) = windows_sys_bindings();
    for f in FUNCTIONS {
        let ours: Vec<String> = match sys.found.get(f.name) {
            Some(b) => b.params.iter().map(|p| p.name.clone()).collect(),
            None => continue, // reported by functions_match_windows_sys
        };
        let theirs: Vec<String> = match found.functions.get(f.name).map(params_of) {
            None => {
                problems.push(format!("{} is not bound in windows", f.name));
                continue;
            }
            Some(Err(e)) => {
                problems.push(e);
                continue;
            }
            Some(Ok(params)) => params.into_iter().map(|p| p.name).collect(),
        };
        if theirs == ours {
            continue;
        }
        let same = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
        eprintln!(
            "note: windows binds {}({}) where windows-sys has ({})",
            f.name,
            theirs.join(", "),
            ours.join(", ")
        );
        if let Some(&i) = used_positions(f).iter().find(|&&i| i >= same) {
            problems.push(format!(
                "{}: position {i} is `{}` in windows-sys but `{}` in windows",
                f.name,
                ours.get(i).map_or("-", String::as_str),
                theirs.get(i).map_or("-", String::as_str)
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "{} problem(s) in METHODS against {}:\n  {}",
        problems.len(),
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        problems.join("\n  ")
    );
}

/// Every parameter position a function's row refers to.
fn used_positions(f: &tapi_model::Function) -> Vec<usize> {
    let arg = |slot: Slot| match slot {
        Slot::Arg(i) => Some(i),
        Slot::Return | Slot::Receiver => None,
    };
    let mut used: Vec<usize> = f.handles.iter().map(|h| h.index).collect();
    match f.effect {
        Effect::None => {}
        Effect::Acquire { creates, .. } => {
            for c in creates {
                used.extend(arg(c.out));
                if let ParentSlot::Handle(slot) | ParentSlot::ParentOf(slot) = c.parent {
                    used.extend(arg(slot));
                }
            }
        }
        Effect::Release { handle, .. } => used.extend(arg(handle)),
        Effect::Registration {
            owner,
            key_arg,
            enable_arg,
            ..
        } => {
            used.extend(arg(owner));
            used.extend([key_arg, enable_arg]);
        }
    }
    used
}

fn strip_receiver(sig: &syn::Signature) -> syn::Signature {
    let mut sig = sig.clone();
    sig.inputs = sig
        .inputs
        .into_iter()
        .filter(|a| matches!(a, syn::FnArg::Typed(_)))
        .collect();
    sig
}
