//! The lint explanations rendered for their readers, from the registry
//! alone: plain text for the terminal (`--explain`) and SARIF's
//! `help.text`, Markdown for SARIF's `help.markdown` and the catalog
//! `docs/lints.md`, and the examples, which the `lint_docs` test runs
//! through the analyzer.
//!
//! An explanation is the rustdoc of its lint's static. Its code blocks are
//! examples, fenced as
//!
//! * ```` ```rust,ignore,leaks ````: code the lint reports (the *leaking*
//!   example, whatever the lint finds), and
//! * ```` ```rust,ignore,fixed ````: the same code corrected, which it does
//!   not report;
//!
//! `ignore` keeps rustdoc from compiling them (most are fragments of
//! Windows programs), the last word says which is which. Each block is a
//! whole file the analyzer can read on its own.

use super::{ALL, Lint};

/// Which side of its lint an example shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExampleKind {
    /// Code the lint reports.
    Leaks,
    /// The same code corrected: the lint does not report it.
    Fixed,
}

impl ExampleKind {
    /// The info string that opens an example block of this kind.
    pub fn info_string(self) -> &'static str {
        match self {
            ExampleKind::Leaks => "rust,ignore,leaks",
            ExampleKind::Fixed => "rust,ignore,fixed",
        }
    }

    fn from_info_string(info: &str) -> Option<ExampleKind> {
        [ExampleKind::Leaks, ExampleKind::Fixed]
            .into_iter()
            .find(|kind| kind.info_string() == info)
    }
}

/// One example of an explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub kind: ExampleKind,
    /// The file's text, with its final newline.
    pub code: String,
}

/// A line of an explanation: prose, a fence, or a line inside a block.
enum Line<'a> {
    Prose(&'a str),
    /// An opening fence with its info string.
    Open(&'a str),
    Close,
    Code(&'a str),
}

/// The explanation's lines without the one space `///` leaves at the start
/// of each (rustdoc removes it the same way), classified.
fn lines(explanation: &str) -> Vec<Line<'_>> {
    let mut in_block = false;
    explanation
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .map(|line| match line.trim_start().strip_prefix("```") {
            Some(info) if !in_block => {
                in_block = true;
                Line::Open(info.trim())
            }
            Some(_) => {
                in_block = false;
                Line::Close
            }
            None if in_block => Line::Code(line),
            None => Line::Prose(line),
        })
        .collect()
}

/// Joins rendered lines, without blank lines at either end.
fn join(rendered: Vec<String>) -> String {
    rendered.join("\n").trim_matches('\n').to_owned()
}

impl Lint {
    /// The examples of the explanation, in order.
    pub fn examples(&self) -> Vec<Example> {
        let mut examples = Vec::new();
        let mut current: Option<Example> = None;
        for line in lines(self.explanation) {
            match line {
                Line::Open(info) => {
                    current = ExampleKind::from_info_string(info).map(|kind| Example {
                        kind,
                        code: String::new(),
                    });
                }
                Line::Code(code) => {
                    if let Some(example) = &mut current {
                        example.code.push_str(code);
                        example.code.push('\n');
                    }
                }
                Line::Close => examples.extend(current.take()),
                Line::Prose(_) => {}
            }
        }
        examples
    }

    /// The explanation as Markdown: examples fenced as ```` ```rust ````
    /// (their `ignore` and kind only matter to rustdoc and the tests).
    pub fn explanation_markdown(&self) -> String {
        join(
            lines(self.explanation)
                .into_iter()
                .map(|line| match line {
                    Line::Prose(text) | Line::Code(text) => text.to_owned(),
                    Line::Open(info) if info.starts_with("rust") => "```rust".to_owned(),
                    Line::Open(info) => format!("```{info}"),
                    Line::Close => "```".to_owned(),
                })
                .collect(),
        )
    }

    /// The explanation as plain text, for a terminal: examples indented by
    /// four spaces instead of fenced.
    pub fn explanation_text(&self) -> String {
        join(
            lines(self.explanation)
                .into_iter()
                .filter_map(|line| match line {
                    Line::Prose(text) => Some(text.to_owned()),
                    Line::Code("") => Some(String::new()),
                    Line::Code(code) => Some(format!("    {code}")),
                    Line::Open(_) | Line::Close => None,
                })
                .collect(),
        )
    }

    /// The first paragraph of the explanation, on one line: what the lint
    /// finds.
    pub fn first_paragraph(&self) -> String {
        let paragraph: Vec<&str> = lines(self.explanation)
            .into_iter()
            .map_while(|line| match line {
                Line::Prose(text) => Some(text.trim()),
                _ => None,
            })
            .skip_while(|text| text.is_empty())
            .take_while(|text| !text.is_empty())
            .collect();
        paragraph.join(" ")
    }
}

/// Where the catalog lives, relative to the workspace root.
pub const CATALOG_PATH: &str = "docs/lints.md";

/// The table of every lint (name, default level, summary), in Markdown;
/// each name links to its section of the catalog, through `link_prefix`
/// (`""` inside the catalog, `"docs/lints.md"` from the README).
pub fn table_markdown(link_prefix: &str) -> String {
    let mut out = String::from("| lint | default level | summary |\n|---|---|---|\n");
    for lint in ALL {
        out.push_str(&table_row(lint, link_prefix));
    }
    out
}

fn table_row(lint: &Lint, link_prefix: &str) -> String {
    format!(
        "| [`{}`]({link_prefix}#{}) | {} | {} |\n",
        lint.code(),
        lint.name,
        lint.default_level.as_str(),
        lint.summary.replace('|', "\\|")
    )
}

/// `docs/lints.md`: the table of every lint, then a section per lint
/// (its anchor is the lint's name: `docs/lints.md#line_not_closed`) with
/// its explanation and examples.
pub fn catalog_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from the lint registry (analyzer/src/lints.rs) by\n     \
         `tapi_lint::lints::catalog_markdown`; do not edit by hand.\n     \
         `BLESS=1 cargo test -p cargo-tapi-lint --test lint_docs` rewrites it. -->\n\n\
         # Lints\n\n\
         Every lint `cargo tapi-lint` reports, with its default level. `-A`, `-W` and `-D`\n\
         on the command line, or the `[lints]` table of the configuration, change the\n\
         levels; `cargo tapi-lint --explain LINT` prints a lint's section in the terminal.\n\
         To accept one finding, say why on its line or the line above,\n\
         `// tapi-lint: allow(LINT): reason`, or on the item or statement,\n\
         `#[cfg_attr(tapi_lint, allow(tapi::LINT, reason = \"...\"))]`.\n\n\
         Each section shows a leaking example, a file the lint reports, and the same file\n\
         fixed. The test that keeps this page up to date runs every example through the\n\
         analyzer: the first is reported, the second is not.\n\n",
    );
    out.push_str(&table_markdown(""));
    for lint in ALL {
        out.push_str(&format!(
            "\n## {}\n\n`{}` ({} by default)\n\n{}\n",
            lint.name,
            lint.code(),
            lint.default_level.as_str(),
            lint.explanation_markdown()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lints::{LINE_NOT_CLOSED, Level};

    const SAMPLE: Lint = Lint {
        name: "sample",
        default_level: Level::Warn,
        summary: "a sample | with a pipe",
        explanation: concat!(
            " A sample finds\n",
            " things.\n",
            "\n",
            " Leaking:\n",
            "\n",
            " ```rust,ignore,leaks\n",
            " fn f() {\n",
            "\n",
            "     g();\n",
            " }\n",
            " ```\n",
            "\n",
            " Fixed:\n",
            "\n",
            " ```rust,ignore,fixed\n",
            " fn f() {}\n",
            " ```\n",
        ),
    };

    #[test]
    fn examples_are_found_with_their_kind_and_exact_text() {
        assert_eq!(
            SAMPLE.examples(),
            [
                Example {
                    kind: ExampleKind::Leaks,
                    code: "fn f() {\n\n    g();\n}\n".to_owned()
                },
                Example {
                    kind: ExampleKind::Fixed,
                    code: "fn f() {}\n".to_owned()
                },
            ]
        );
    }

    #[test]
    fn markdown_fences_examples_as_rust_and_text_indents_them() {
        assert_eq!(
            SAMPLE.explanation_markdown(),
            "A sample finds\nthings.\n\nLeaking:\n\n```rust\nfn f() {\n\n    g();\n}\n```\n\n\
             Fixed:\n\n```rust\nfn f() {}\n```"
        );
        assert_eq!(
            SAMPLE.explanation_text(),
            "A sample finds\nthings.\n\nLeaking:\n\n    fn f() {\n\n        g();\n    }\n\n\
             Fixed:\n\n    fn f() {}"
        );
        assert_eq!(SAMPLE.first_paragraph(), "A sample finds things.");
    }

    #[test]
    fn the_catalog_has_a_table_row_and_an_anchored_section_per_lint() {
        let catalog = catalog_markdown();
        for lint in ALL {
            let row = format!(
                "| [`{}`](#{}) | {} |",
                lint.code(),
                lint.name,
                lint.default_level.as_str()
            );
            assert!(catalog.contains(&row), "{row}");
            let section = format!("\n## {}\n\n`{}` (", lint.name, lint.code());
            assert!(catalog.contains(&section), "{section}");
            assert!(catalog.contains(&lint.explanation_markdown()));
        }
        assert!(catalog.contains(
            "\n## line_not_closed\n\n`tapi::line_not_closed` (error by default)\n\n\
             A line (`HLINE`) opened with `lineOpen` can reach"
        ));
        assert!(
            !catalog.contains("rust,ignore"),
            "rustdoc markup in the catalog"
        );
        assert!(
            LINE_NOT_CLOSED
                .explanation_markdown()
                .contains("\n```rust\n")
        );
        assert!(table_markdown("docs/lints.md").contains(
            "| [`tapi::line_not_closed`](docs/lints.md#line_not_closed) | error | a line can"
        ));
        assert_eq!(
            table_row(&SAMPLE, ""),
            "| [`tapi::sample`](#sample) | warning | a sample \\| with a pipe |\n"
        );
    }
}
