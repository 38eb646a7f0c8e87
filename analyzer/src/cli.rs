//! The command line (spec §5).
//!
//! cargo runs `cargo tapi-lint ARGS` as `cargo-tapi-lint tapi-lint ARGS`;
//! the binary also takes `cargo-tapi-lint ARGS` directly. Besides its own
//! options it accepts, and ignores, the `cargo check` options that
//! rust-analyzer passes when `check.command = "tapi-lint"`, so that it can
//! stand in for `cargo check` in an editor. Lint levels work as in rustc:
//! `-A/-W/-D LINT` in order, the last one for a lint wins, and `-D warnings`
//! makes every warning an error. An `--` is ignored, so clippy's habit
//! `cargo tapi-lint -- -D warnings` works too.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::lints::{self, Level, Lint};
use crate::report::{Format, JsonStyle};

#[derive(Parser, Debug, Default)]
#[command(
    name = "cargo-tapi-lint",
    bin_name = "cargo tapi-lint",
    version,
    about = "Finds TAPI resource leaks and misuse in Rust programs, without building them",
    after_help = "Lint levels: -A/-W/-D take a lint name (`tapi::line_not_closed` or \
                  `line_not_closed`) or `warnings`; later flags win. `--list` shows the lints.\n\
                  Exit status: 0 no errors, 1 errors reported, 2 the tool could not run."
)]
pub struct Args {
    /// Path to Cargo.toml
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Package to lint (repeatable)
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    pub package: Vec<String>,

    /// Lint all packages in the workspace
    #[arg(long, alias = "all")]
    pub workspace: bool,

    /// Exclude packages from the selection (repeatable)
    #[arg(long, value_name = "SPEC")]
    pub exclude: Vec<String>,

    /// Lint every target (the default: all targets are always linted)
    #[arg(long)]
    pub all_targets: bool,

    /// human, short, json or sarif (cargo's json-diagnostic-* forms are json;
    /// comma-separated lists are accepted)
    #[arg(long = "message-format", value_name = "FMT")]
    pub message_format: Vec<String>,

    /// Coloring: auto, always, never
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// No summary line, no warnings about the run itself
    #[arg(short, long)]
    pub quiet: bool,

    /// More output about the run (repeatable)
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,

    /// Set a lint to allow
    #[arg(short = 'A', long = "allow", value_name = "LINT")]
    pub allow: Vec<String>,

    /// Set a lint to warn
    #[arg(short = 'W', long = "warn", value_name = "LINT")]
    pub warn: Vec<String>,

    /// Set a lint to deny (error); `-D warnings` denies every warning
    #[arg(short = 'D', long = "deny", value_name = "LINT")]
    pub deny: Vec<String>,

    /// Print the explanation of a lint
    #[arg(long, value_name = "LINT")]
    pub explain: Option<String>,

    /// List the lints with their default levels
    #[arg(long)]
    pub list: bool,

    /// Write something other than the findings to stdout: `call-graph`
    /// prints the call graph of the functions that touch TAPI resources as
    /// Graphviz DOT, leaking paths in red (the exit status still reflects
    /// the findings)
    #[arg(long, value_name = "WHAT", value_parser = ["call-graph"])]
    pub emit: Option<String>,

    /// Lint these files or directories instead of cargo targets
    #[arg(value_name = "FILE_OR_DIR")]
    pub paths: Vec<PathBuf>,

    /// Lint levels in command-line order (filled in by [`parse`]).
    #[arg(skip)]
    pub levels: Vec<(Level, String)>,

    #[command(flatten)]
    pub ignored: Ignored,
}

/// `cargo check` options accepted for compatibility and ignored: every
/// target is always analyzed, nothing is built.
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Accepted for `cargo check` compatibility (ignored)")]
pub struct Ignored {
    #[arg(long, hide = true)]
    pub keep_going: bool,
    #[arg(long, hide = true)]
    pub lib: bool,
    #[arg(long, hide = true)]
    pub bins: bool,
    #[arg(long, hide = true, value_name = "NAME", num_args = 0..=1)]
    pub bin: Vec<String>,
    #[arg(long, hide = true)]
    pub examples: bool,
    #[arg(long, hide = true, value_name = "NAME", num_args = 0..=1)]
    pub example: Vec<String>,
    #[arg(long, hide = true)]
    pub tests: bool,
    #[arg(long, hide = true, value_name = "NAME", num_args = 0..=1)]
    pub test: Vec<String>,
    #[arg(long, hide = true)]
    pub benches: bool,
    #[arg(long, hide = true, value_name = "NAME", num_args = 0..=1)]
    pub bench: Vec<String>,
    #[arg(short = 'F', long, hide = true, value_name = "FEATURES")]
    pub features: Vec<String>,
    #[arg(long, hide = true)]
    pub all_features: bool,
    #[arg(long, hide = true)]
    pub no_default_features: bool,
    #[arg(long, hide = true, value_name = "TRIPLE")]
    pub target: Vec<String>,
    #[arg(long, hide = true, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    #[arg(long, hide = true, value_name = "KEY=VALUE")]
    pub config: Vec<String>,
    #[arg(short = 'Z', hide = true, value_name = "FLAG")]
    pub unstable: Vec<String>,
    #[arg(long, hide = true)]
    pub locked: bool,
    #[arg(long, hide = true)]
    pub offline: bool,
    #[arg(long, hide = true)]
    pub frozen: bool,
    #[arg(short = 'j', long, hide = true, value_name = "N")]
    pub jobs: Option<String>,
    #[arg(short = 'r', long, hide = true)]
    pub release: bool,
    #[arg(long, hide = true, value_name = "NAME")]
    pub profile: Option<String>,
    #[arg(long, hide = true, value_name = "FMTS", num_args = 0..=1)]
    pub timings: Option<Option<String>>,
    #[arg(long, hide = true)]
    pub future_incompat_report: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// A command line that could not be used: print it, exit with `code`.
#[derive(Debug)]
pub struct CliExit {
    pub message: String,
    /// 0 for `--help` and `--version`, 2 for errors.
    pub code: i32,
}

/// Parses `argv` (including the program name), dropping the `tapi-lint`
/// that cargo inserts.
pub fn parse<I, T>(argv: I) -> Result<Args, CliExit>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    if argv.get(1).is_some_and(|a| a == "tapi-lint") {
        argv.remove(1);
    }
    if let Some(i) = argv.iter().position(|a| a == "--") {
        argv.remove(i);
    }
    let matches = Args::command()
        .try_get_matches_from(argv)
        .map_err(|e| CliExit {
            message: e.render().ansi().to_string(),
            code: if e.use_stderr() { 2 } else { 0 },
        })?;
    let mut args = Args::from_arg_matches(&matches).map_err(|e| CliExit {
        message: e.render().ansi().to_string(),
        code: 2,
    })?;
    let mut levels: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Error),
    ] {
        if let (Some(idx), Some(vals)) = (matches.indices_of(id), matches.get_many::<String>(id)) {
            levels.extend(idx.zip(vals).map(|(i, v)| (i, level, v.clone())));
        }
    }
    levels.sort_by_key(|(i, ..)| *i);
    args.levels = levels.into_iter().map(|(_, l, n)| (l, n)).collect();
    // Validate the message format now: a bad one is a usage error.
    args.format().map_err(|message| CliExit {
        message: format!("error: {message}\n"),
        code: 2,
    })?;
    Ok(args)
}

/// `cargo tapi-lint lsp` (`cargo-tapi-lint [tapi-lint] lsp`): `Some` when
/// the command line asks for the language server, with an error for
/// arguments after `lsp` other than `--stdio` (what editors' clients add).
/// A directory named `lsp` is linted as `./lsp`.
pub fn language_server_command(argv: &[OsString]) -> Option<Result<(), String>> {
    let mut rest = argv.iter().skip(1).peekable();
    if rest.peek().is_some_and(|a| *a == "tapi-lint") {
        rest.next();
    }
    if rest.next().is_none_or(|a| a != "lsp") {
        return None;
    }
    let extra: Vec<String> = rest
        .filter(|a| *a != "--stdio")
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Some(if extra.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`cargo tapi-lint lsp` takes no arguments (got `{}`); it speaks LSP on stdin and stdout",
            extra.join(" ")
        ))
    })
}

impl Args {
    /// The output format from every `--message-format` (cargo allows
    /// several, and comma-separated lists).
    pub fn format(&self) -> Result<Format, String> {
        let mut format = Format::Human;
        let mut json = JsonStyle::default();
        let mut is_json = false;
        for value in self.message_format.iter().flat_map(|v| v.split(',')) {
            match value.trim() {
                "human" => format = Format::Human,
                "short" => {
                    format = Format::Short;
                    json.short = true;
                }
                "sarif" => format = Format::Sarif,
                "json" | "json-render-diagnostics" => is_json = true,
                "json-diagnostic-short" => {
                    is_json = true;
                    json.short = true;
                }
                "json-diagnostic-rendered-ansi" => {
                    is_json = true;
                    json.ansi = true;
                }
                other => {
                    return Err(format!(
                        "invalid message format `{other}` (expected human, short, json or sarif)"
                    ));
                }
            }
        }
        if format == Format::Sarif {
            return Ok(format);
        }
        Ok(if is_json { Format::Json(json) } else { format })
    }

    /// Whether human and short output get colors: `--color`, else
    /// `CARGO_TERM_COLOR`, else auto (a terminal on stderr and no
    /// `NO_COLOR`).
    pub fn use_color(&self) -> bool {
        let choice = self.color.unwrap_or_else(|| {
            std::env::var("CARGO_TERM_COLOR")
                .ok()
                .and_then(|v| ColorChoice::from_str(&v, true).ok())
                .unwrap_or_default()
        });
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stderr().is_terminal()
            }
        }
    }

    /// The lint levels from `-A/-W/-D`, and a warning for each unknown lint.
    pub fn lint_levels(&self) -> (LintLevels, Vec<String>) {
        LintLevels::from_flags(&self.levels)
    }
}

/// Levels after the command line: per lint, and for `warnings`.
#[derive(Debug, Default, Clone)]
pub struct LintLevels {
    per_lint: HashMap<&'static str, Level>,
    /// `-D warnings` / `-A warnings`.
    warnings: Option<Level>,
}

impl LintLevels {
    /// Applies `flags` in order; returns the warnings for unknown names.
    pub fn from_flags(flags: &[(Level, String)]) -> (LintLevels, Vec<String>) {
        let mut levels = LintLevels::default();
        let mut warnings = Vec::new();
        for (level, name) in flags {
            if name == "warnings" {
                levels.warnings = Some(*level);
            } else if matches!(name.as_str(), "tapi" | "tapi::all") {
                for lint in lints::ALL {
                    levels.per_lint.insert(lint.name, *level);
                }
            } else if let Some(lint) = lints::find(name) {
                levels.per_lint.insert(lint.name, *level);
            } else {
                warnings.push(format!("unknown lint: `{name}`"));
            }
        }
        (levels, warnings)
    }

    /// The level `lint` is reported at.
    pub fn level(&self, lint: &Lint) -> Level {
        let level = self
            .per_lint
            .get(lint.name)
            .copied()
            .unwrap_or(lint.default_level);
        match (level, self.warnings) {
            (Level::Warn, Some(Level::Error)) => Level::Error,
            (Level::Warn, Some(Level::Allow)) => Level::Allow,
            (level, _) => level,
        }
    }
}

/// `--explain LINT`: the lint's name, default level and summary, then its
/// explanation as plain text (the examples indented, not fenced).
pub fn explain(name: &str) -> Option<String> {
    let lint = lints::find(name)?;
    Some(format!(
        "{} ({} by default)\n\n{}\n\n{}",
        lint.code(),
        lint.default_level.as_str(),
        lint.summary,
        lint.explanation_text()
    ))
}

/// `--list`: every lint, its default level and summary.
pub fn list() -> String {
    let width = lints::ALL.iter().map(|l| l.code().len()).max().unwrap_or(4);
    let mut out = String::from("Lints and their default levels:\n\n");
    out.push_str(&format!(
        "    {:<width$}  {:<7}  meaning\n",
        "name", "default"
    ));
    out.push_str(&format!(
        "    {:<width$}  {:<7}  -------\n",
        "----", "-------"
    ));
    for l in lints::ALL {
        out.push_str(&format!(
            "    {:<width$}  {:<7}  {}\n",
            l.code(),
            l.default_level.as_str(),
            l.summary
        ));
    }
    out.push_str("\n`-A/-W/-D warnings` changes every lint at level warning.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(args: &[&str]) -> Args {
        let mut argv = vec!["cargo-tapi-lint"];
        argv.extend_from_slice(args);
        parse(argv).unwrap_or_else(|e| panic!("{args:?}: {}", e.message))
    }

    #[test]
    fn cargo_form_and_direct_form_both_parse() {
        assert!(ok(&["tapi-lint", "--workspace"]).workspace);
        assert!(ok(&["--workspace"]).workspace);
        assert_eq!(
            ok(&["tapi-lint", "-p", "a", "--package", "b"]).package,
            ["a", "b"]
        );
    }

    #[test]
    fn rust_analyzer_flags_are_accepted() {
        let a = ok(&[
            "tapi-lint",
            "--workspace",
            "--message-format=json-diagnostic-rendered-ansi",
            "--manifest-path",
            "/x/Cargo.toml",
            "--keep-going",
            "--all-targets",
            "--lib",
            "--bins",
            "--bin",
            "b",
            "--example",
            "e",
            "--test",
            "t",
            "--bench",
            "bb",
            "--examples",
            "--tests",
            "--benches",
            "--features",
            "f1,f2",
            "--all-features",
            "--no-default-features",
            "--target",
            "x86_64-pc-windows-msvc",
            "--target-dir",
            "/tmp/t",
            "--config",
            "a=1",
            "-Z",
            "unstable-options",
            "--locked",
            "--offline",
            "-j",
            "2",
        ]);
        assert_eq!(
            a.format().unwrap(),
            Format::Json(JsonStyle {
                short: false,
                ansi: true
            })
        );
        assert!(a.paths.is_empty());
    }

    #[test]
    fn message_formats() {
        assert_eq!(ok(&[]).format().unwrap(), Format::Human);
        assert_eq!(
            ok(&["--message-format", "short"]).format().unwrap(),
            Format::Short
        );
        assert_eq!(
            ok(&["--message-format=sarif"]).format().unwrap(),
            Format::Sarif
        );
        assert_eq!(
            ok(&["--message-format=json-diagnostic-short,json-render-diagnostics"])
                .format()
                .unwrap(),
            Format::Json(JsonStyle {
                short: true,
                ansi: false
            })
        );
        assert_eq!(
            ok(&["--message-format", "json"]).format().unwrap(),
            Format::Json(JsonStyle::default())
        );
        let err = parse(["x", "--message-format", "xml"]).unwrap_err();
        assert_eq!(err.code, 2);
        assert_eq!(parse(["x", "--bogus"]).unwrap_err().code, 2);
        assert_eq!(parse(["x", "--help"]).unwrap_err().code, 0);
    }

    #[test]
    fn later_level_flags_win_like_rustc() {
        let a = ok(&[
            "-D",
            "tapi::release_order",
            "-A",
            "release_order",
            "-W",
            "tapi::double_release",
        ]);
        let (levels, warnings) = a.lint_levels();
        assert!(warnings.is_empty());
        assert_eq!(levels.level(&lints::RELEASE_ORDER), Level::Allow);
        assert_eq!(levels.level(&lints::DOUBLE_RELEASE), Level::Warn);
        assert_eq!(levels.level(&lints::LINE_NOT_CLOSED), Level::Error);
        assert_eq!(levels.level(&lints::RELEASED_BY_GUARD), Level::Allow);

        let a = ok(&["-A", "release_order", "-D", "release_order"]);
        assert_eq!(a.lint_levels().0.level(&lints::RELEASE_ORDER), Level::Error);
    }

    #[test]
    fn deny_warnings_and_unknown_lints() {
        let a = ok(&[
            "-Dwarnings",
            "-W",
            "tapi::double_release",
            "-D",
            "tapi::nope",
        ]);
        let (levels, warnings) = a.lint_levels();
        assert_eq!(levels.level(&lints::RELEASE_ORDER), Level::Error);
        assert_eq!(levels.level(&lints::DOUBLE_RELEASE), Level::Error);
        // Allowed lints stay allowed.
        assert_eq!(levels.level(&lints::RELEASED_BY_GUARD), Level::Allow);
        assert_eq!(warnings, ["unknown lint: `tapi::nope`"]);
        let a = ok(&["--", "-A", "warnings"]);
        assert_eq!(a.lint_levels().0.level(&lints::RELEASE_ORDER), Level::Allow);
    }

    #[test]
    fn lsp_is_a_subcommand_in_both_forms() {
        let argv = |args: &[&str]| -> Vec<OsString> {
            std::iter::once("cargo-tapi-lint")
                .chain(args.iter().copied())
                .map(OsString::from)
                .collect()
        };
        assert_eq!(
            language_server_command(&argv(&["tapi-lint", "lsp"])),
            Some(Ok(()))
        );
        assert_eq!(
            language_server_command(&argv(&["lsp", "--stdio"])),
            Some(Ok(()))
        );
        assert!(matches!(
            language_server_command(&argv(&["tapi-lint", "lsp", "--port", "1"])),
            Some(Err(_))
        ));
        assert_eq!(
            language_server_command(&argv(&["tapi-lint", "./lsp"])),
            None
        );
        assert_eq!(
            language_server_command(&argv(&["--workspace", "lsp"])),
            None
        );
        assert_eq!(language_server_command(&argv(&[])), None);
    }

    #[test]
    fn explain_and_list() {
        let text = explain("tapi::line_not_closed").unwrap();
        assert!(
            text.starts_with("tapi::line_not_closed (error by default)"),
            "{text}"
        );
        assert!(text.contains(&lints::LINE_NOT_CLOSED.explanation_text()));
        assert!(text.contains("\n    fn ring_once(") && !text.contains("```"));
        assert!(explain("nope").is_none());
        let list = list();
        for l in lints::ALL {
            assert!(list.contains(&l.code()) && list.contains(l.summary));
        }
    }
}
