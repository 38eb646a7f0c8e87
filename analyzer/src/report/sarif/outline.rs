//! A file's tokens and named functions, for fingerprints: which function a
//! finding is in, and the text of its span without whitespace or comments.
//!
//! The reporter only has the source text (the syntax trees were dropped
//! after lowering), so it lexes the file again with `proc_macro2`. Its lexer
//! and its token streams' `Drop` are iterative, and this walk keeps its own
//! stack, so deeply nested files cannot overflow the thread's stack.

use std::ops::Range;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// One token: its bytes in the file and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    range: Range<usize>,
    text: String,
}

/// A function with a body: from `fn` to its closing brace.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Function {
    range: Range<usize>,
    name: String,
}

/// What fingerprints need of one file.
#[derive(Debug, Default)]
pub(super) struct Outline {
    /// In source order, delimiters included.
    tokens: Vec<Token>,
    /// Outer functions before the functions nested in them.
    functions: Vec<Function>,
}

impl Outline {
    /// Lexes `text`; `None` if it does not lex (unbalanced delimiters, an
    /// unterminated string: the file is reported as a parse error).
    pub(super) fn of(text: &str) -> Option<Outline> {
        let outline = text.parse::<TokenStream>().ok().map(Outline::walk);
        // `proc_macro2` keeps every lexed text for its spans, per thread,
        // until told to forget them; nothing of them is kept here.
        proc_macro2::extra::invalidate_current_thread_spans();
        outline
    }

    /// The name of the innermost function whose body contains `byte`.
    pub(super) fn function_at(&self, byte: usize) -> Option<&str> {
        self.functions
            .iter()
            .rfind(|f| f.range.contains(&byte))
            .map(|f| f.name.as_str())
    }

    /// The tokens entirely inside `range`, separated by single spaces.
    pub(super) fn tokens_in(&self, range: Range<usize>) -> String {
        let first = self.tokens.partition_point(|t| t.range.start < range.start);
        let inside: Vec<&str> = self.tokens[first..]
            .iter()
            .take_while(|t| t.range.end <= range.end)
            .map(|t| t.text.as_str())
            .collect();
        inside.join(" ")
    }

    fn walk(stream: TokenStream) -> Outline {
        /// A token list being walked: the trees, the next one, and the
        /// closing delimiter to emit when done.
        struct Level {
            trees: Vec<TokenTree>,
            next: usize,
            close: Option<Token>,
        }
        let mut outline = Outline::default();
        let mut stack = vec![Level {
            trees: stream.into_iter().collect(),
            next: 0,
            close: None,
        }];
        while let Some(level) = stack.last_mut() {
            let Some(tree) = level.trees.get(level.next).cloned() else {
                let close = level.close.take();
                outline.tokens.extend(close);
                stack.pop();
                continue;
            };
            outline
                .functions
                .extend(function_starting_at(&level.trees, level.next));
            level.next += 1;
            let token = |range: Range<usize>, text: String| Token { range, text };
            match tree {
                TokenTree::Group(group) => {
                    let (open, close) = delimiters(group.delimiter());
                    let open = open.map(|c| token(group.span_open().byte_range(), c.into()));
                    let close = close.map(|c| token(group.span_close().byte_range(), c.into()));
                    outline.tokens.extend(open);
                    stack.push(Level {
                        trees: group.stream().into_iter().collect(),
                        next: 0,
                        close,
                    });
                }
                TokenTree::Ident(ident) => outline
                    .tokens
                    .push(token(ident.span().byte_range(), ident.to_string())),
                TokenTree::Punct(punct) => outline
                    .tokens
                    .push(token(punct.span().byte_range(), punct.as_char().into())),
                TokenTree::Literal(literal) => outline
                    .tokens
                    .push(token(literal.span().byte_range(), literal.to_string())),
            }
        }
        outline
    }
}

/// `fn NAME ... { .. }` starting at `trees[i]`: the body is the first brace
/// group after the name at the same level, unless a `;` ends the
/// declaration first (a trait method without a body).
fn function_starting_at(trees: &[TokenTree], i: usize) -> Option<Function> {
    let (TokenTree::Ident(keyword), Some(TokenTree::Ident(name))) = (&trees[i], trees.get(i + 1))
    else {
        return None;
    };
    if keyword != "fn" {
        return None;
    }
    let body = trees[i + 2..].iter().find_map(|tree| match tree {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => Some(Some(g)),
        TokenTree::Punct(p) if p.as_char() == ';' => Some(None),
        _ => None,
    })??;
    Some(Function {
        range: keyword.span().byte_range().start..body.span().byte_range().end,
        name: name.to_string(),
    })
}

fn delimiters(delimiter: Delimiter) -> (Option<char>, Option<char>) {
    match delimiter {
        Delimiter::Parenthesis => (Some('('), Some(')')),
        Delimiter::Brace => (Some('{'), Some('}')),
        Delimiter::Bracket => (Some('['), Some(']')),
        Delimiter::None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\u{feff}// header
impl Station {
    fn open(&mut self) -> i32 {
        let rc = unsafe {
            lineOpenW(
                self.app, // the app
                0,
                &mut self.line,
            )
        };
        let f = |x: u32| x + 1;
        fn inner() { call_inner(); }
        rc
    }
}
trait T { fn declared(&self); fn defaulted(&self) { defaulted_body(); } }
";

    fn at(needle: &str) -> usize {
        TEXT.find(needle).unwrap()
    }

    #[test]
    fn finds_the_innermost_named_function() {
        let outline = Outline::of(TEXT).unwrap();
        assert_eq!(outline.function_at(at("lineOpenW")), Some("open"));
        assert_eq!(outline.function_at(at("x + 1")), Some("open"));
        assert_eq!(outline.function_at(at("call_inner")), Some("inner"));
        assert_eq!(outline.function_at(at("defaulted_body")), Some("defaulted"));
        assert_eq!(outline.function_at(at("impl Station")), None);
        assert_eq!(outline.function_at(at("(&self);")), None);
    }

    #[test]
    fn token_text_ignores_layout_and_comments() {
        let outline = Outline::of(TEXT).unwrap();
        let lo = at("lineOpenW");
        let hi = at(")\n        };") + 1;
        assert_eq!(
            outline.tokens_in(lo..hi),
            "lineOpenW ( self . app , 0 , & mut self . line , )"
        );
    }

    #[test]
    fn text_that_does_not_lex_has_no_outline() {
        assert!(Outline::of("fn f() { (").is_none());
        assert!(Outline::of("let s = \"unterminated;").is_none());
    }
}
