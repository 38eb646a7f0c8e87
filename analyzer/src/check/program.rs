//! The crate as a whole: every function and method by canonical key, what
//! each call targets, and the call graph over them.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::config::Wrappers;
use crate::ir::{Body, Call, Callee, CrateIr, Operand, PlaceBase, Stmt};
use crate::resolve::Resolver;

/// One function or method of the crate.
pub struct Function<'a> {
    /// Its own index in [`Program::functions`].
    pub index: usize,
    /// Which file of the crate it is in.
    pub file: usize,
    /// `crate::m::f` for free functions, `crate::m::Type::f` for methods
    /// (the module being the one the `impl` is written in).
    pub key: Vec<String>,
    pub module: &'a [String],
    pub body: &'a Body,
}

pub struct Program<'a> {
    pub resolver: Resolver<'a>,
    /// The program's own FFI shims declared in the configuration.
    wrappers: &'a Wrappers,
    pub functions: Vec<Function<'a>>,
    by_key: HashMap<Vec<String>, usize>,
    /// `(type, method)` → the functions implementing it.
    by_method: HashMap<(String, String), Vec<usize>>,
    /// Every body (closures too), with its module.
    pub bodies: Vec<(&'a [String], &'a Body)>,
    /// The crate's statics: static `k` is the implicit parameter
    /// [`STATIC_BASE`]` + k` of every function but `main`.
    pub statics: Vec<Vec<String>>,
    /// Function index by body address, to find closures.
    by_body: HashMap<usize, usize>,
    file_bodies: Vec<&'a [Body]>,
}

/// Statics are numbered after every real parameter: summaries describe
/// what a function does to them exactly as to its parameters.
pub const STATIC_BASE: usize = 1 << 20;

impl Program<'_> {
    /// The model's row for a callee's canonical path: a TAPI 2 function,
    /// or one of the program's own shims declared in the configuration.
    pub fn tapi_function(&self, canonical: &[String]) -> Option<&'static tapi_model::Function> {
        crate::resolve::tapi_function(canonical).or_else(|| self.wrappers.lookup(canonical))
    }
}

impl<'a> Program<'a> {
    pub fn new(krate: &'a CrateIr, wrappers: &'a Wrappers) -> Program<'a> {
        let resolver = Resolver::new(krate);
        let mut functions = Vec::new();
        let mut bodies = Vec::new();
        let mut by_body = HashMap::new();
        for (file_index, file) in krate.files.iter().enumerate() {
            for body in &file.bodies {
                let module = file.modules[body.module].path.as_slice();
                bodies.push((module, body));
                // Closures too: calling one applies its summary.
                let mut key = module.to_vec();
                key.extend(body.name.split("::").map(String::from));
                by_body.insert(body as *const Body as usize, functions.len());
                functions.push(Function {
                    index: functions.len(),
                    file: file_index,
                    key,
                    module,
                    body,
                });
            }
        }
        let file_bodies = krate.files.iter().map(|f| f.bodies.as_slice()).collect();
        let mut by_key = HashMap::new();
        let mut by_method: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, f) in functions.iter().enumerate() {
            by_key.entry(f.key.clone()).or_insert(i);
            if let Some(owner) = &f.body.owner {
                let method = f.key.last().cloned().unwrap_or_default();
                by_method
                    .entry((owner.self_ty.clone(), method))
                    .or_default()
                    .push(i);
            }
        }
        let statics = resolver.statics();
        Program {
            wrappers,
            by_body,
            file_bodies,
            resolver,
            functions,
            by_key,
            by_method,
            bodies,
            statics,
        }
    }

    /// The function of closure number `n` written in `caller`.
    pub fn closure(&self, caller: &Body, n: usize) -> Option<usize> {
        let file = self.functions[*self.by_body.get(&(caller as *const Body as usize))?].file;
        let body = self.file_bodies[file].get(*caller.closures.get(n)?)?;
        self.by_body.get(&(body as *const Body as usize)).copied()
    }

    /// The crate function a call in `caller` (written in `module`) targets,
    /// when it can be told statically.
    pub fn target(&self, module: &[String], caller: &Body, call: &Call) -> Option<usize> {
        match &call.callee {
            Callee::Path { path, .. } => {
                if let Some(canon) = self.resolver.resolve(module, path)
                    && let Some(&i) = self.by_key.get(&canon)
                {
                    return Some(i);
                }
                // `Self::f(..)` and `Type::f(..)`.
                if path.len() == 2 {
                    let ty = if path[0] == "Self" {
                        caller.owner.as_ref()?.self_ty.clone()
                    } else {
                        path[0].clone()
                    };
                    return self.unique_method(&ty, &path[1]);
                }
                None
            }
            Callee::Method { name, .. } => {
                let ty = self.receiver_type(module, caller, call.args.first()?)?;
                self.unique_method(&ty, name)
            }
            Callee::Local(_) | Callee::Unknown => None,
        }
    }

    /// A local's type: declared, evidently built, or returned by the crate
    /// function that initialized it.
    pub fn local_type(
        &self,
        module: &[String],
        body: &Body,
        id: crate::ir::LocalId,
    ) -> Option<String> {
        let local = &body.locals[id.0 as usize];
        if local.ty.is_some() {
            return local.ty.clone();
        }
        let path = local.init_call.as_ref()?;
        let canon = self.resolver.resolve(module, path)?;
        let f = self.by_key.get(&canon).or_else(|| {
            // `Type::open(..)`
            (path.len() == 2)
                .then(|| self.by_method.get(&(path[0].clone(), path[1].clone())))
                .flatten()?
                .first()
        })?;
        self.functions[*f].body.ret_ty.clone()
    }

    /// The type of a method call's receiver: `self` in a method, or a local
    /// whose type is known (see [`Program::local_type`]).
    pub fn receiver_type(
        &self,
        module: &[String],
        caller: &Body,
        receiver: &Operand,
    ) -> Option<String> {
        let place = match receiver {
            Operand::Copy(p) | Operand::Ref { place: p, .. } => p,
            _ => return None,
        };
        let PlaceBase::Local(id) = place.base else {
            return None;
        };
        if !place
            .proj
            .iter()
            .all(|p| matches!(p, crate::ir::Proj::Deref))
        {
            return None;
        }
        if caller.locals[id.0 as usize].name == "self" {
            return caller.owner.as_ref().map(|o| o.self_ty.clone());
        }
        self.local_type(module, caller, id)
    }

    /// The `Drop::drop` of a type, if the crate implements one.
    pub fn drop_impl(&self, ty: &str) -> Option<usize> {
        self.by_method
            .get(&(ty.to_string(), "drop".to_string()))?
            .iter()
            .copied()
            .find(|&i| {
                self.functions[i]
                    .body
                    .owner
                    .as_ref()
                    .and_then(|o| o.trait_name.as_deref())
                    == Some("Drop")
            })
    }

    fn unique_method(&self, ty: &str, name: &str) -> Option<usize> {
        match self
            .by_method
            .get(&(ty.to_string(), name.to_string()))?
            .as_slice()
        {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Caller → callee edges between the crate's functions.
    pub fn call_graph(&self) -> DiGraph<usize, ()> {
        let mut g = DiGraph::with_capacity(self.functions.len(), self.functions.len() * 2);
        let nodes: Vec<NodeIndex> = (0..self.functions.len()).map(|i| g.add_node(i)).collect();
        for (i, f) in self.functions.iter().enumerate() {
            for stmt in f.body.cfg.node_weights().flat_map(|b| &b.stmts) {
                let callee = match stmt {
                    Stmt::Call(call) => self.target(f.module, f.body, call),
                    // A closure written here may be called from here.
                    Stmt::Assign {
                        value: crate::ir::Rvalue::Closure { body, .. },
                        ..
                    } => self.closure(f.body, *body),
                    Stmt::Assign { .. } => None,
                };
                if let Some(j) = callee
                    && g.find_edge(nodes[i], nodes[j]).is_none()
                {
                    g.add_edge(nodes[i], nodes[j], ());
                }
            }
        }
        g
    }
}
