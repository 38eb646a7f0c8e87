//! Stack safety for parsing.
//!
//! `syn` parses by recursive descent and its syntax tree is dropped by
//! recursive drop glue, so both need stack in proportion to how deeply the
//! source nests — and nesting is not only brackets: `!!!!x`, `a + a + a`,
//! `a.b().b()`, `else if` chains and `A<A<A<T>>>` nest too. A stack overflow
//! aborts the process (it cannot be caught), so before a file is parsed we
//! bound what it can need from a cheap scan of its tokens
//! ([`nesting_estimate`]) and run the parse where that much stack is
//! available:
//!
//! * file work runs on a rayon pool whose threads have [`POOL_STACK_SIZE`]
//!   bytes of stack (virtual memory: only the pages a deep file touches are
//!   ever committed), so nearly every file runs in place;
//! * a file that needs more gets a fresh stack segment of its own, on the
//!   same thread, with [`stacker::grow`] (the same thing as a dedicated
//!   thread with a big stack, without the thread);
//! * a file that would need more than [`HARD_CAP`] is not parsed at all and
//!   is reported as `tapi::parse_error` ("too deeply nested to analyze
//!   safely").
//!
//! # The estimate
//!
//! The scan lexes the file the way `proc_macro2` does (comments, strings,
//! raw strings, chars vs. lifetimes; every punctuation character is a token
//! of its own, a bracketed group is one token of the run that contains it)
//! and computes, per group, `max over runs (tokens in the run + the largest
//! estimate of a group inside that run)`, plus one for the group itself.
//! A run is a stretch of the group's own tokens that no node of the syntax
//! tree can nest across; runs end
//!
//! * at a `;` (it ends statements and items; `[T; N]` puts `T` and `N` side
//!   by side);
//! * at a `,`, unless the run has a `<` or a `|` (generic arguments and
//!   closure parameters are the only lists whose elements nest into each
//!   other without a bracket: `A<B, C<D, ..>>`, `|a, b| |c, d| ..`; the
//!   other lists are in brackets or are siblings: arms, fields, `where`
//!   predicates);
//! * before an item or statement keyword (`fn`, `impl`, `pub`, `let`, `#`,
//!   ...) right after a `{ .. }` group: nothing continues across that.
//!
//! Every level of syntax-tree nesting consumes at least one token, and a
//! chain of nested nodes that descends into a group stays inside it, so the
//! estimate bounds the depth of any chain of nested nodes (and of `syn`'s
//! recursion), counted in tokens, up to the few nodes (an item, its `where`
//! clause) that can span a `,` of their own level, which the measured
//! bytes per unit absorb.
//!
//! # Measured figures
//!
//! Peak stack, measured by `analyzer/tests/stack_measure.rs` (run it with
//! `cargo test -p cargo-tapi-lint --test stack_measure -- --ignored
//! --nocapture`, add `--release` for the release figures) as the resident
//! pages of a fresh thread stack, difference between depth 1,000 and 3,000,
//! x86-64 Linux, rustc 1.95, syn 2.0.119, in bytes of stack per nesting
//! level: "syn" is `syn::parse_file` then dropping the tree, "lower" is
//! `lower::lower_file` (parse, lowering, drop; the lowering's own recursion
//! runs on whatever stack is there and only switches to `stacker` segments
//! when less than its red zone is left). "units" is how much the estimate
//! grows per level.
//!
//! | construct           | units | debug  | debug  | release| release|
//! |                     | /level| syn    | lower  | syn    | lower  |
//! |---------------------|------:|-------:|-------:|-------:|-------:|
//! | parens              |  2.00 |   3056 |   9167 |   3119 |   3121 |
//! | blocks              |  2.00 |   5200 |  11358 |   5104 |   5104 |
//! | not                 |  1.00 |   1313 |   9167 |   1360 |   1407 |
//! | neg                 |  1.00 |   1313 |   9167 |   1360 |   1407 |
//! | ref                 |  1.00 |    688 |   9554 |    735 |   1407 |
//! | deref               |  1.00 |   1313 |   1712 |   1360 |   1362 |
//! | closures            |  2.00 |   3936 |   5648 |   4030 |   4033 |
//! | else_if             |  4.00 |    174 |  10271 |     31 |   1409 |
//! | generic_types       |  3.00 |   7457 |   7455 |   7584 |   7584 |
//! | tuple_patterns      |  3.00 |   1841 |   3041 |   2048 |   2048 |
//! | variant_patterns    |  3.00 |   2879 |   3041 |   2912 |   2910 |
//! | ref_patterns        |  1.00 |    848 |   3041 |    881 |    881 |
//! | slice_patterns      |  2.00 |   1903 |   3041 |   2111 |   2111 |
//! | method_chain        |  3.00 |    127 |  13488 |     63 |   2079 |
//! | binary              |  2.00 |    127 |  12046 |     63 |   1905 |
//! | assign              |  2.00 |   1841 |   9169 |   1903 |   1903 |
//! | field_chain         |  2.00 |    127 |   1712 |     63 |    352 |
//! | index_chain         |  1.00 |    127 |   1712 |     63 |    352 |
//! | try_chain           |  1.00 |    127 |  11375 |     63 |   1792 |
//! | cast_chain          |  2.00 |    127 |   9167 |     63 |   1264 |
//! | call_chain          |  1.00 |    127 |  10881 |     63 |   2161 |
//! | arrays              |  2.00 |   3072 |  10256 |   3135 |   3135 |
//! | tuples              |  3.00 |   3056 |  10256 |   3119 |   3121 |
//! | struct_literals     |  5.00 |   5151 |   9167 |   5247 |   5247 |
//! | returns             |  1.00 |   2527 |   9169 |   2560 |   2560 |
//! | ref_types           |  1.00 |   3138 |   3135 |   3183 |   3185 |
//! | tuple_types         |  3.00 |   2304 |   2304 |   2304 |   2304 |
//! | fn_pointer_types    |  4.00 |   4864 |   4864 |   5040 |   5040 |
//! | modules             |  4.00 |   5599 |   5601 |   5489 |   5489 |
//! | nested_fns          |  5.00 |   7584 |  10000 |   7361 |   7361 |
//! | matches             |  7.00 |   4784 |  11121 |   4911 |   4913 |
//! | macro_tokens        |  2.00 |    225 |    223 |    223 |    223 |
//! | macro_args          |  2.00 |    225 |   9167 |    223 |   3121 |
//! | vec_macros          |  4.00 |    225 |  15184 |    223 |   3215 |
//! | pointer_types       |  2.00 |   3152 |   3152 |   3183 |   3185 |
//! | paren_types         |  2.00 |   2304 |   2304 |   2304 |   2304 |
//! | array_types         |  3.00 |   2304 |   2304 |   2304 |   2304 |
//! | qualified_paths     |  7.00 |   3826 |   3824 |   3953 |   3953 |
//! | dyn_types           |  8.00 |  12720 |  12720 |  13056 |  13056 |
//! | impl_trait_types    |  5.00 |   5296 |   5296 |   5536 |   5536 |
//! | turbofish           |  3.00 |   7455 |   7457 |   7584 |   7584 |
//! | struct_patterns     |  5.00 |   2879 |   3041 |   2912 |   2910 |
//! | loops               |  3.00 |   5233 |  11041 |   5120 |   5120 |
//! | labeled_loops       |  6.00 |   5712 |  11041 |   5599 |   5599 |
//! | while_loops         |  4.00 |   5968 |  11233 |   5951 |   5951 |
//! | for_loops           |  6.00 |   6224 |  12448 |   6207 |   6210 |
//! | nested_ifs          |  4.00 |   6386 |  11600 |   6320 |   6318 |
//! | unsafe_blocks       |  3.00 |   5073 |  10496 |   5040 |   5040 |
//! | async_blocks        |  4.00 |   6799 |   6801 |   6801 |   6799 |
//! | closure_blocks      |  4.00 |  10752 |  10752 |  10768 |  10768 |
//!
//! Worst bytes per estimate unit: `syn` alone 3,138 (debug) / 3,183
//! (release), both for `&&&&T` types; `lower_file` 11,375 (debug, `a???`:
//! the unoptimised lowering of each `?`) / 3,185 (release). Parsing
//! and dropping is what cannot be made to grow the stack on demand, but the
//! bound also covers the lowering, so that its `stacker` red zone is never
//! what a parse of macro arguments deep inside it is left with. The
//! constants are those worst cases times two (debug 24 KiB, release
//! 8 KiB per unit); `stack_measure.rs` asserts, for every construct, that
//! the measured peak stays below [`stack_needed`].
//!
//! Over the 4,542 files (187 MB) of a cargo registry the largest estimate
//! is 2,434 units (`miette`'s `lib.rs`: long doc comments), the 99th
//! percentile 640: everything real runs in place on the pool's stack, the
//! scan takes about 1 s per 190 MB.
//!
//! `syn` and everything else from crates.io are built with `opt-level = 2`
//! even in the dev profile (see the workspace `Cargo.toml`), so the debug
//! figures are those of optimised `syn` plus unoptimised drop glue
//! instantiated in this crate.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// Stack of each rayon worker thread that parses files.
pub const POOL_STACK_SIZE: usize = 256 << 20;

/// Past this, a file is not parsed but reported as too deeply nested.
pub const HARD_CAP: usize = 4 << 30;

/// Stack reserved on top of the estimate: the frames below the parser, the
/// lowering's own fixed needs, `stacker`'s red zones.
pub const BASE: usize = 2 << 20;

/// Bytes of stack per unit of [`nesting_estimate`] (measured worst case ×
/// 2, see the module documentation).
pub const BYTES_PER_UNIT: usize = if cfg!(debug_assertions) {
    24 << 10
} else {
    8 << 10
};

/// A sound upper bound, in tokens, of how deeply the syntax of `text` can
/// nest (see the module documentation). Linear time, no allocation except
/// the group stack.
pub fn nesting_estimate(text: &str) -> u64 {
    Scanner::new(text).run()
}

/// Bytes of stack parsing and dropping `text` may need, at most.
pub fn stack_needed(text: &str) -> usize {
    needed_for_estimate(nesting_estimate(text))
}

fn needed_for_estimate(units: u64) -> usize {
    usize::try_from(units)
        .ok()
        .and_then(|u| u.checked_mul(BYTES_PER_UNIT))
        .and_then(|b| b.checked_add(BASE))
        .unwrap_or(usize::MAX)
}

/// The file needs more stack than [`HARD_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    pub needed: usize,
}

/// Where a piece of work that needs `needed` bytes of stack runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the current stack: enough of it is left.
    InPlace,
    /// On a new stack segment of this many bytes.
    Grow(usize),
}

/// Decides where work needing `needed` bytes runs from the current thread.
pub fn placement(needed: usize) -> Result<Placement, TooDeep> {
    if needed > HARD_CAP {
        return Err(TooDeep { needed });
    }
    match stacker::remaining_stack() {
        Some(left) if left >= needed => Ok(Placement::InPlace),
        // Round up to whole MiB, with the base once more for the switch.
        _ => Ok(Placement::Grow((needed + BASE).next_multiple_of(1 << 20))),
    }
}

/// Runs `f`, which parses (and drops) `text`, where enough stack is
/// available for it. Panics in `f` propagate to the caller.
pub fn with_stack_for<R>(text: &str, f: impl FnOnce() -> R) -> Result<R, TooDeep> {
    with_stack(stack_needed(text), f)
}

/// Runs `f` on a stack with at least `needed` bytes free.
pub fn with_stack<R>(needed: usize, f: impl FnOnce() -> R) -> Result<R, TooDeep> {
    match placement(needed)? {
        Placement::InPlace => Ok(f()),
        Placement::Grow(size) => {
            // Carry a panic across the stack switch explicitly rather than
            // unwinding through `stacker`'s frames.
            let result = stacker::grow(size, || catch_unwind(AssertUnwindSafe(f)));
            match result {
                Ok(r) => Ok(r),
                Err(payload) => resume_unwind(payload),
            }
        }
    }
}

/// The thread pool file work runs on: big stacks, `threads` workers (rayon's
/// default, the number of CPUs, when `None`).
pub fn build_pool(
    threads: Option<usize>,
) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    let mut builder = rayon::ThreadPoolBuilder::new()
        .stack_size(POOL_STACK_SIZE)
        .thread_name(|i| format!("tapi-lint-{i}"));
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build()
}

#[derive(Clone, Copy, Default)]
struct Frame {
    /// Tokens in the current run.
    run: u64,
    /// The largest estimate of a group inside the current run.
    run_sub: u64,
    /// The largest `run + run_sub` of the runs already closed.
    best: u64,
    /// The run has a `<` or `|`: generics and closure parameters nest
    /// across commas, so a `,` does not end the run.
    run_has_angle_or_pipe: bool,
    /// The last token of this group was a `{ .. }` group.
    after_brace_group: bool,
}

impl Frame {
    fn close_run(&mut self) {
        self.best = self.best.max(self.run.saturating_add(self.run_sub));
        self.run = 0;
        self.run_sub = 0;
        self.run_has_angle_or_pipe = false;
    }

    fn finish(mut self) -> u64 {
        self.close_run();
        self.best
    }
}

/// Words that, right after a `{ .. }` group, start a new item or statement:
/// nothing before them can continue (an `if` chain continues with `else`,
/// an expression with an operator, `.`, `?` or `as`).
pub const ITEM_START: &[&[u8]] = &[
    b"fn",
    b"pub",
    b"impl",
    b"struct",
    b"enum",
    b"trait",
    b"mod",
    b"use",
    b"static",
    b"const",
    b"type",
    b"extern",
    b"unsafe",
    b"let",
    b"macro_rules",
];

struct Scanner<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    stack: Vec<Frame>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            s: text.as_bytes(),
            text,
            i: 0,
            stack: vec![Frame::default()],
        }
    }

    fn top(&mut self) -> &mut Frame {
        self.stack
            .last_mut()
            .expect("the file's frame is never popped")
    }

    fn tokens(&mut self, n: u64) {
        let top = self.top();
        top.run = top.run.saturating_add(n);
        top.after_brace_group = false;
    }

    fn peek(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }

    fn run(mut self) -> u64 {
        // A shebang line is not tokens (`#![` starts an attribute instead).
        if self.text.starts_with("#!") && !self.text[2..].trim_start().starts_with('[') {
            self.skip_line();
        }
        while self.i < self.s.len() {
            let b = self.s[self.i];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => self.i += 1,
                b'/' if self.peek(1) == b'/' => {
                    let doc = matches!(self.peek(2), b'/' | b'!') && self.peek(3) != b'/'
                        || self.peek(2) == b'!';
                    self.skip_line();
                    if doc {
                        self.doc_comment();
                    }
                }
                b'/' if self.peek(1) == b'*' => {
                    let doc = matches!(self.peek(2), b'*' | b'!') && self.peek(3) != b'/';
                    self.skip_block_comment();
                    if doc {
                        self.doc_comment();
                    }
                }
                b'(' | b'[' | b'{' => {
                    self.i += 1;
                    self.stack.push(Frame::default());
                }
                b')' | b']' => {
                    self.i += 1;
                    self.close_group(false);
                }
                b'}' => {
                    self.i += 1;
                    self.close_group(true);
                }
                b',' => {
                    self.i += 1;
                    self.tokens(1);
                    if !self.top().run_has_angle_or_pipe {
                        self.top().close_run();
                    }
                }
                b'<' | b'|' => {
                    self.i += 1;
                    self.tokens(1);
                    self.top().run_has_angle_or_pipe = true;
                }
                b'#' => {
                    if self.top().after_brace_group {
                        self.top().close_run();
                    }
                    self.i += 1;
                    self.tokens(1);
                }
                b';' => {
                    self.i += 1;
                    self.tokens(1);
                    self.top().close_run();
                }
                b'"' => {
                    self.i += 1;
                    self.skip_quoted(b'"');
                    self.literal_suffix();
                    self.tokens(1);
                }
                b'\'' => self.quote(),
                b'0'..=b'9' => {
                    self.skip_ident_chars();
                    self.tokens(1);
                }
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.ident_or_prefixed_literal(),
                0x80.. => {
                    let c = self.text[self.i..].chars().next().unwrap_or(' ');
                    if c.is_whitespace() {
                        self.i += c.len_utf8();
                    } else {
                        self.skip_ident_chars();
                        self.tokens(1);
                    }
                }
                _ => {
                    // Every other ASCII character is one punctuation token
                    // (proc_macro2 splits `&&`, `->`, `..=` into single
                    // characters); unknown ones make the lexer fail.
                    self.i += 1;
                    self.tokens(1);
                }
            }
        }
        while self.stack.len() > 1 {
            self.close_group(false);
        }
        self.stack.pop().map(Frame::finish).unwrap_or(0)
    }

    fn close_group(&mut self, brace: bool) {
        if self.stack.len() == 1 {
            // Unbalanced: the lexer rejects the file; count it anyway.
            self.tokens(1);
            return;
        }
        let inner = self.stack.pop().map(Frame::finish).unwrap_or(0);
        // The group's own level.
        let inner = inner.saturating_add(1);
        let top = self.top();
        top.run = top.run.saturating_add(1);
        top.run_sub = top.run_sub.max(inner);
        top.after_brace_group = brace;
    }

    /// A doc comment becomes `# [doc = "…"]` (or `# ! [..]`).
    fn doc_comment(&mut self) {
        let top = self.top();
        if top.after_brace_group {
            top.close_run();
        }
        top.run = top.run.saturating_add(3);
        top.run_sub = top.run_sub.max(4);
        top.after_brace_group = false;
    }

    fn skip_line(&mut self) {
        while self.i < self.s.len() && self.s[self.i] != b'\n' {
            self.i += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            if self.s[self.i] == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.i += 2;
            } else if self.s[self.i] == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.i += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.i += 1;
            }
        }
    }

    /// Skips to after the closing `close`, honouring backslash escapes.
    fn skip_quoted(&mut self, close: u8) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'\\' => self.i += 2,
                c if c == close => {
                    self.i += 1;
                    return;
                }
                _ => self.i += 1,
            }
        }
        self.i = self.s.len();
    }

    /// `r"…"`, `r#"…"#`: the `"` or first `#` is at `self.i`.
    fn skip_raw_string(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == b'#' {
            hashes += 1;
            self.i += 1;
        }
        if self.peek(0) != b'"' {
            // Not a raw string after all (`r#ident` is handled earlier):
            // the `#`s are punctuation.
            self.tokens(hashes as u64);
            return;
        }
        self.i += 1;
        while self.i < self.s.len() {
            if self.s[self.i] == b'"' {
                let after = &self.s[self.i + 1..];
                if after.len() >= hashes && after[..hashes].iter().all(|&c| c == b'#') {
                    self.i += 1 + hashes;
                    return;
                }
            }
            self.i += 1;
        }
    }

    fn is_ident_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
    }

    fn skip_ident_chars(&mut self) {
        while self.i < self.s.len() && Self::is_ident_byte(self.s[self.i]) {
            if self.s[self.i] >= 0x80 {
                let c = self.text[self.i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    return;
                }
                self.i += c.len_utf8();
            } else {
                self.i += 1;
            }
        }
    }

    fn literal_suffix(&mut self) {
        if Self::is_ident_byte(self.peek(0)) {
            self.skip_ident_chars();
        }
    }

    fn ident_or_prefixed_literal(&mut self) {
        let start = self.i;
        self.skip_ident_chars();
        let s = self.s;
        let word = &s[start..self.i];
        match (word, self.peek(0)) {
            (b"r", b'#') if Self::is_ident_byte(self.peek(1)) && self.peek(1) != b'"' => {
                // Raw identifier `r#name`.
                self.i += 1;
                self.skip_ident_chars();
            }
            (b"r" | b"br" | b"cr", b'"' | b'#') => {
                self.skip_raw_string();
                self.literal_suffix();
            }
            (b"b" | b"c", b'"') => {
                self.i += 1;
                self.skip_quoted(b'"');
                self.literal_suffix();
            }
            (b"b", b'\'') => {
                self.i += 1;
                self.skip_quoted(b'\'');
                self.literal_suffix();
            }
            _ => {
                if self.top().after_brace_group && ITEM_START.contains(&word) {
                    self.top().close_run();
                }
            }
        }
        self.tokens(1);
    }

    /// A `'`: a character literal or a lifetime / label.
    fn quote(&mut self) {
        self.i += 1;
        if self.peek(0) == b'\\' {
            self.skip_quoted(b'\'');
            self.literal_suffix();
            self.tokens(1);
            return;
        }
        let rest = &self.text[self.i.min(self.text.len())..];
        let mut chars = rest.chars();
        match (chars.next(), chars.next()) {
            (Some(c), Some('\'')) => {
                self.i += c.len_utf8() + 1;
                self.literal_suffix();
                self.tokens(1);
            }
            _ => {
                // Lifetime or label: `'` + identifier, two tokens.
                self.tokens(2);
                if self.peek(0) == b'r' && self.peek(1) == b'#' {
                    self.i += 2;
                }
                self.skip_ident_chars();
            }
        }
    }
}

/// Source files that nest `depth` levels deep in each way that makes
/// `syn`'s parser or drop glue recurse, for tests and measurements:
/// `(construct, file text)`. Every file is valid Rust syntax.
#[doc(hidden)]
pub fn deep_nesting_samples(depth: usize) -> Vec<(&'static str, String)> {
    let r = |s: &str| s.repeat(depth);
    let in_fn = |e: String| format!("fn f() {{\n    let _ = {e};\n}}\n");
    vec![
        ("parens", in_fn(format!("{}x{}", r("("), r(")")))),
        ("blocks", format!("fn f() {{ {}{} }}\n", r("{ "), r("} "))),
        ("not", in_fn(format!("{}x", r("!")))),
        ("neg", in_fn(format!("{}x", r("-")))),
        ("ref", in_fn(format!("{}x", r("&")))),
        ("deref", in_fn(format!("{}x", r("*")))),
        ("closures", in_fn(format!("{}x", r("|| ")))),
        (
            "else_if",
            format!("fn f() {{ if a {{}} {}}}\n", r("else if a {} ")),
        ),
        (
            "generic_types",
            format!("type T = {}u8{};\n", r("A<"), r(">")),
        ),
        (
            "tuple_patterns",
            format!("fn f() {{ let {}x{} = y; }}\n", r("("), r(",)")),
        ),
        (
            "variant_patterns",
            format!("fn f() {{ let {}x{} = y; }}\n", r("Some("), r(")")),
        ),
        (
            "ref_patterns",
            format!("fn f() {{ let {}x = y; }}\n", r("&")),
        ),
        (
            "slice_patterns",
            format!("fn f() {{ let {}x{} = y; }}\n", r("["), r("]")),
        ),
        ("method_chain", in_fn(format!("a{}", r(".b()")))),
        ("binary", in_fn(format!("a{}", r(" + a")))),
        ("assign", format!("fn f() {{ {}a; }}\n", r("a = "))),
        ("field_chain", in_fn(format!("a{}", r(".b")))),
        ("index_chain", in_fn(format!("a{}", r("[0]")))),
        ("try_chain", in_fn(format!("a{}", r("?")))),
        ("cast_chain", in_fn(format!("a{}", r(" as u8")))),
        ("call_chain", in_fn(format!("f{}", r("()")))),
        ("arrays", in_fn(format!("{}x{}", r("["), r("]")))),
        ("tuples", in_fn(format!("{}x{}", r("("), r(",)")))),
        (
            "struct_literals",
            in_fn(format!("{}x{}", r("S { a: "), r(" }"))),
        ),
        ("returns", in_fn(r("return "))),
        ("ref_types", format!("type T = {}u8;\n", r("&"))),
        (
            "tuple_types",
            format!("type T = {}u8{};\n", r("("), r(",)")),
        ),
        (
            "fn_pointer_types",
            format!("type T = {}u8;\n", r("fn() -> ")),
        ),
        ("modules", format!("{}{}\n", r("mod a { "), r("} "))),
        ("nested_fns", format!("{}{}\n", r("fn a() { "), r("} "))),
        (
            "matches",
            in_fn(format!("{}x{}", r("match x { _ => "), r(" }"))),
        ),
        ("macro_tokens", format!("m!{{ {}{} }}\n", r("("), r(")"))),
        (
            "macro_args",
            format!("fn f() {{ println!(\"{{}}\", {}x{}); }}\n", r("("), r(")")),
        ),
        ("vec_macros", in_fn(format!("{}x{}", r("vec!["), r("]")))),
        ("pointer_types", format!("type T = {}u8;\n", r("*const "))),
        ("paren_types", format!("type T = {}u8{};\n", r("("), r(")"))),
        (
            "array_types",
            format!("type T = {}u8{};\n", r("["), r("; 1]")),
        ),
        (
            "qualified_paths",
            format!("type T = {}u8{};\n", r("<"), r(" as A>::B")),
        ),
        (
            "dyn_types",
            format!("type T = {}u8{};\n", r("Box<dyn Fn() -> "), r(">")),
        ),
        (
            "impl_trait_types",
            format!("fn f() -> {}u8 {{}}\n", r("impl Fn() -> ")),
        ),
        (
            "turbofish",
            in_fn(format!("f::<{}u8{}>()", r("A<"), r(">"))),
        ),
        (
            "struct_patterns",
            format!("fn f() {{ let {}x{} = y; }}\n", r("S { a: "), r(" }")),
        ),
        (
            "loops",
            format!("fn f() {{ {}{} }}\n", r("loop { "), r("} ")),
        ),
        (
            "labeled_loops",
            format!("fn f() {{ {}{} }}\n", r("'a: loop { "), r("} ")),
        ),
        (
            "while_loops",
            format!("fn f() {{ {}{} }}\n", r("while a { "), r("} ")),
        ),
        (
            "for_loops",
            format!("fn f() {{ {}{} }}\n", r("for x in y { "), r("} ")),
        ),
        (
            "nested_ifs",
            format!("fn f() {{ {}{} }}\n", r("if a { "), r("} ")),
        ),
        (
            "unsafe_blocks",
            format!("fn f() {{ {}{} }}\n", r("unsafe { "), r("} ")),
        ),
        (
            "async_blocks",
            in_fn(format!("{}x{}", r("async move { "), r(" }"))),
        ),
        (
            "closure_blocks",
            in_fn(format!("{}x{}", r("|| { "), r(" }"))),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_counts_tokens_of_the_deepest_run() {
        assert_eq!(nesting_estimate(""), 0);
        // `a + b ;` is one run of four tokens, `c ;` another.
        assert_eq!(nesting_estimate("a + b; c;"), 4);
        // The group counts as one token of its run plus its own depth.
        // `f ( ) ;` plus the group's own level and its three tokens.
        assert_eq!(nesting_estimate("f(a + b);"), 3 + 1 + 3);
        assert_eq!(nesting_estimate("!!!!x"), 5);
        assert!(nesting_estimate(&"(".repeat(100)) >= 100);
    }

    #[test]
    fn comments_strings_and_chars_hide_their_contents() {
        let base = nesting_estimate("x;");
        assert_eq!(nesting_estimate("x; // ((((((((((\n"), base);
        assert_eq!(nesting_estimate("x; /* ((( /* nested */ ((( */"), base);
        assert_eq!(nesting_estimate(r#""((((((((";"#), 2);
        assert_eq!(nesting_estimate(r###"r#"(((("((("#;"###), 2);
        assert_eq!(nesting_estimate(r#"b"\"(((";"#), 2);
        assert_eq!(nesting_estimate("'(';"), 2);
        assert_eq!(nesting_estimate(r"'\'';"), 2);
        // A lifetime is two tokens, and does not start a char literal.
        assert_eq!(nesting_estimate("&'a T;"), 5);
        // Doc comments become attributes.
        assert!(nesting_estimate("/// doc\nfn f() {}") > nesting_estimate("fn f() {}"));
    }

    #[test]
    fn every_sample_is_estimated_at_least_as_deep_as_it_nests() {
        for (name, text) in deep_nesting_samples(500) {
            assert!(nesting_estimate(&text) >= 500, "{name}");
        }
    }

    #[test]
    fn huge_needs_are_refused_not_attempted() {
        assert_eq!(
            placement(HARD_CAP + 1),
            Err(TooDeep {
                needed: HARD_CAP + 1
            })
        );
        assert_eq!(needed_for_estimate(u64::MAX), usize::MAX);
        let r = with_stack(64 << 20, || 7);
        assert_eq!(r, Ok(7));
    }
}
