//! The intermediate representation: what lowering produces from one file
//! and every later stage reads. Plain data: no `syn` types, no
//! `proc_macro2` spans (those are only valid on the parsing thread).

use std::path::PathBuf;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::source::{FileId, Span};

/// Everything kept from one source file.
#[derive(Debug, Default)]
pub struct FileIr {
    pub file: FileId,
    /// Modules defined in this file: index 0 is the file's own module,
    /// inline `mod x { .. }` items follow.
    pub modules: Vec<ModuleIr>,
    pub bodies: Vec<Body>,
    /// `mod x;` declarations whose files discovery must read next.
    pub external_mods: Vec<ExternalMod>,
    /// The syntax error, if the file did not parse (nothing else is kept then).
    pub parse_error: Option<(Span, String)>,
    /// `// tapi-lint: allow(..)` comments and `#[cfg_attr(tapi_lint,
    /// allow(tapi::..))]` attributes.
    pub suppressions: Vec<Suppression>,
}

/// A request in the source not to report some lints somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Lint names as written, without the `tapi::` prefix; checked against
    /// the registry when the suppression is applied.
    pub lints: Vec<String>,
    /// Required: a suppression without one suppresses nothing.
    pub reason: Option<String>,
    /// What it covers: a comment, its own line and the next; an attribute,
    /// the item or statement it is on.
    pub covers: Span,
    /// The comment or attribute itself.
    pub at: Span,
    /// Why it could not be read, if it could not.
    pub malformed: Option<String>,
}

/// A module's name-bearing contents, for name resolution.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ModuleIr {
    /// Absolute path, starting with `crate`.
    pub path: Vec<String>,
    pub uses: Vec<UseDecl>,
    /// Value items defined here (functions, statics, consts, extern
    /// functions, unit/tuple structs): they shadow glob imports.
    pub items: Vec<String>,
    /// Names of `static` items (including `thread_local!` keys).
    pub statics: Vec<String>,
}

/// One leaf of a `use` tree, flattened: `use a::{b as c, d::*}` gives two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseDecl {
    /// The path as written, with `self`/`super`/`crate` kept; for a leading
    /// `::` the first segment is `""`.
    pub path: Vec<String>,
    pub binding: UseBinding,
    pub is_pub: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseBinding {
    /// `use a::b;` binds `b`; `use a::b as c;` binds `c`.
    Name(String),
    /// `use a::*;`
    Glob,
}

/// A `mod x;` whose body lives in another file.
#[derive(Debug, Clone)]
pub struct ExternalMod {
    pub path: Vec<String>,
    /// Files to try, in order (`#[path]` first, then `x.rs`, `x/mod.rs`).
    pub candidates: Vec<PathBuf>,
    pub span: Span,
}

/// Index of a local variable (or temporary) in [`Body::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A function, method, closure or async block, lowered to a control-flow
/// graph of basic blocks.
#[derive(Debug)]
pub struct Body {
    /// A readable name: `main`, `Dialer::dial`, `main::{closure#0}`.
    pub name: String,
    /// Index into the file's [`FileIr::modules`]: the scope for names.
    pub module: usize,
    /// The function's name (or the closure's `|..|`).
    pub span: Span,
    /// The whole function, closure or block.
    pub extent: Span,
    pub kind: BodyKind,
    pub params: Vec<Param>,
    pub locals: Vec<Local>,
    pub cfg: DiGraph<BasicBlock, ()>,
    pub entry: NodeIndex,
    /// Attributes on the function that matter to the analysis.
    pub attrs: BodyAttrs,
    /// For methods: the `impl` they belong to.
    pub owner: Option<ImplOwner>,
    /// For closures and async blocks: the body they were written in.
    pub parent: Option<usize>,
    /// The type the function returns, looking through `Result`/`Option`
    /// (`fn open() -> Result<Line, i32>` gives `Line`; `Self` is resolved).
    pub ret_ty: Option<String>,
    /// The closures and async blocks written in this body: entry `n` is
    /// the index in [`FileIr::bodies`] of the body of `Rvalue::Closure { body: n }`.
    pub closures: Vec<usize>,
    /// The declared return type is a `Result` (by its last segment: also
    /// `io::Result<T>` and aliases named `Result`), so every `?` in the
    /// body is applied to a `Result`. False for closures and async blocks.
    pub returns_result: bool,
    /// Every `return` and `?` of the body as written, for suggestions that
    /// release something before it.
    pub exit_sites: Vec<ExitSite>,
}

/// A `return` or `?` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitSite {
    /// The whole `return ..` expression, or the `?` token.
    pub span: Span,
    pub how: ExitHow,
    /// For a `?`: the expression it is applied to.
    pub operand: Option<Span>,
    /// A `return` that is a statement of its block (or the block's tail
    /// expression), so a statement can be inserted before it.
    pub statement: bool,
    /// Inside an `unsafe` block (lexically: closures inherit it). The body
    /// of an `unsafe fn` does not count: edition 2024 wants a block there.
    pub in_unsafe: bool,
}

/// The `impl` block a method is defined in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplOwner {
    /// The last segment of the implementing type (`Dialer`).
    pub self_ty: String,
    /// The last segment of the trait, for trait impls (`Drop`).
    pub trait_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Fn,
    Method,
    Closure,
    AsyncBlock,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BodyAttrs {
    /// `#[tapi_session]`: leftovers are released by the runtime guard.
    pub tapi_session: bool,
    /// The function is `main` at the crate root.
    pub is_main: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub local: LocalId,
    /// `&mut T` or `*mut T`: writing through it makes a value escape.
    pub by_mut_ref: bool,
    /// The receiver (`self`, `&self`, `&mut self`).
    pub is_self: bool,
    /// A reference or pointer (`&T`, `&mut T`, `*const T`, `&self`): the
    /// value is borrowed, and not dropped when the function ends.
    pub by_ref: bool,
}

#[derive(Debug, Clone)]
pub struct Local {
    /// The variable's name, or `""` for a temporary.
    pub name: String,
    pub span: Span,
    /// The last segment of the declared type, where written
    /// (`let t: ITTAPI = ..`, `fn f(app: HLINEAPP)`).
    pub ty: Option<String>,
    /// The function whose result initialized it (`let l = open(app)?;`), as
    /// written: its return type is the local's when none was declared.
    pub init_call: Option<Vec<String>>,
}

/// A straight-line sequence of statements ending in a terminator.
#[derive(Debug, Clone)]
pub struct BasicBlock {
    pub stmts: Vec<Stmt>,
    pub term: Terminator,
}

/// A memory location: a local or static, then field, index and deref steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub base: PlaceBase,
    pub proj: Vec<Proj>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlaceBase {
    Local(LocalId),
    /// A path that is not a local: a `static` or a constant, resolved later.
    Path(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proj {
    Field(String),
    /// `[i]` with a constant index.
    Index(i64),
    /// `[i]` with an index not known here: any element.
    AnyIndex,
    Deref,
    /// The `n`th field of an enum variant, after a pattern test chose it
    /// (`Ok(x)` binds `x` to `scrutinee.(Ok).0`).
    Variant(String, usize),
}

impl Place {
    pub fn local(id: LocalId) -> Place {
        Place {
            base: PlaceBase::Local(id),
            proj: Vec::new(),
        }
    }

    pub fn project(&self, p: Proj) -> Place {
        let mut place = self.clone();
        place.proj.push(p);
        place
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Place) -> bool {
        self.base == other.base && self.proj.starts_with(&other.proj)
    }
}

/// A value read by a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Copy(Place),
    Const(Const),
    /// `&place`, `&mut place`, `&raw mut place`, `addr_of_mut!(place)`.
    Ref {
        place: Place,
        mutable: bool,
    },
    /// Anything whose value the analysis does not model.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// `()`.
    Unit,
    Int(i128),
    Bool(bool),
    Str,
    /// A null pointer (`ptr::null()`, `null_mut()`).
    Null,
    /// A named constant (`LINEERR_INVALLINEHANDLE`, `VARIANT_TRUE`),
    /// resolved by the checker.
    Path(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn negate(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    /// `a op b` is `b op.flip() a`.
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// The right-hand side of an assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Rvalue {
    Use(Operand),
    /// `operand as ty`, with the primitive type's name.
    Cast {
        operand: Operand,
        ty: String,
        /// The whole cast expression.
        span: Span,
        /// The expression being cast, as written.
        operand_span: Span,
    },
    Cmp {
        op: CmpOp,
        lhs: Operand,
        rhs: Operand,
    },
    Not(Operand),
    /// Arithmetic and other operations whose result is not modelled; the
    /// operands are still read.
    Opaque(Vec<Operand>),
    /// `Some(x)`, `Ok(x)`, `(a, b)`, `S { f: x }`, `[a, b]`, `vec![..]`.
    Aggregate {
        kind: AggregateKind,
        fields: Vec<(String, Operand)>,
    },
    /// An element of a collection (a `for` binding, `v[i]`, `v.iter()..`).
    Element(Operand),
    /// Whether the operand matches the pattern (`x.is_ok()`,
    /// `matches!(x, Some(_))`): a branch on it refines the operand.
    Matches {
        operand: Operand,
        pat: Pat,
    },
    /// A closure or async block: its number among this body's closures
    /// (see [`Body::closures`]) and the places it captures.
    Closure {
        body: usize,
        captures: Vec<Place>,
        is_move: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum AggregateKind {
    Tuple,
    Struct(String),
    /// `Some`, `Ok`, `Err`, or a user enum's variant.
    Variant(String),
    /// An array or `vec![..]`; `len` when known.
    Collection {
        len: Option<u64>,
    },
}

/// What a call names.
#[derive(Debug, Clone, PartialEq)]
pub enum Callee {
    /// `a::b::f(..)`, with any turbofish type arguments' last segments.
    Path {
        path: Vec<String>,
        generics: Vec<String>,
    },
    /// `receiver.name(..)`: the receiver is `args[0]`.
    Method { name: String, generics: Vec<String> },
    /// A call through a local (a closure or function pointer variable).
    Local(LocalId),
    /// Anything else (a call of a call's result, ...).
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub dest: Place,
    pub callee: Callee,
    pub args: Vec<Operand>,
    /// The whole call expression.
    pub span: Span,
    /// For method calls, the span of the receiver is `arg_spans[0]`.
    pub arg_spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign {
        place: Place,
        value: Rvalue,
        span: Span,
    },
    Call(Call),
}

/// A pattern, reduced to what refines resource states.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pat {
    /// `_`, a binding, or anything that always matches.
    Any,
    /// An integer literal (or negated literal).
    Int(i128),
    /// `lo..=hi`, `lo..`, `..=hi` (inclusive bounds).
    Range(Option<i128>, Option<i128>),
    /// A named constant (`LINEERR_X`), resolved by the checker.
    Const(Vec<String>),
    /// `true` / `false`.
    Bool(bool),
    /// `Ok(..)`, `Err(..)`, `Some(..)`, `None`, or another variant, with
    /// the sub-patterns of its fields.
    Variant(String, Vec<Pat>),
    Or(Vec<Pat>),
    /// Anything not modelled: may or may not match.
    Unknown,
}

/// How a function is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitHow {
    Return,
    /// The `?` operator.
    Try,
    /// Falling off the end of the body.
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Terminator {
    Goto(NodeIndex),
    If {
        cond: Operand,
        then: NodeIndex,
        otherwise: NodeIndex,
    },
    /// Tests `scrutinee` against `pat` (one arm of a `match`, an `if let`,
    /// a `let else`, the `Ok` test of `?`).
    Test {
        scrutinee: Operand,
        pat: Pat,
        then: NodeIndex,
        otherwise: NodeIndex,
    },
    /// Head of a `for` loop over `collection`; `first` on the entry test
    /// (where an empty collection skips the body).
    ForEach {
        collection: Operand,
        first: bool,
        body: NodeIndex,
        exit: NodeIndex,
    },
    Return {
        value: Operand,
        span: Span,
        how: ExitHow,
    },
    /// `panic!`, `unwrap` on the failing side, failed `assert!`: not a leak path.
    Panic,
    /// `std::process::exit`: the program ends, what is held leaks.
    Exit {
        span: Span,
    },
    Unreachable,
}

impl Terminator {
    pub fn successors(&self) -> Vec<NodeIndex> {
        match *self {
            Terminator::Goto(t) => vec![t],
            Terminator::If {
                then, otherwise, ..
            }
            | Terminator::Test {
                then, otherwise, ..
            } => {
                vec![then, otherwise]
            }
            Terminator::ForEach { body, exit, .. } => vec![body, exit],
            Terminator::Return { .. }
            | Terminator::Panic
            | Terminator::Exit { .. }
            | Terminator::Unreachable => vec![],
        }
    }
}

/// One crate (a cargo target, or a loose root file) and every file its
/// module tree reaches.
#[derive(Debug, Default)]
pub struct CrateIr {
    pub name: String,
    /// The root file comes first. Shared: the language server keeps the
    /// files that did not change from one analysis to the next.
    pub files: Vec<Arc<FileIr>>,
}
