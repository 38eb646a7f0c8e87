//! Shared helpers for the end-to-end tests.
//!
//! * [`parse_expectations`] reads rustc UI-test style annotations
//!   (`//~ ERROR tapi::line_not_closed`, `//~^`, `//~|`, ...) from a fixture.
//! * [`analyzer_bin`] / [`run_analyzer`] build (once per test process) and run
//!   the `cargo-tapi-lint` binary.
//! * [`parse_stream`] / [`parse_findings`] read the analyzer's
//!   `--message-format json` output (spec §4), wrapped or bare.
//! * [`compare`] matches expectations against findings and renders a
//!   per-file report of what is missing and what is unexpected.
//! * [`plan_runs`] decides which analyzer invocations cover which fixture
//!   files.
//! * [`dynamic`] builds the fixture programs against the TAPI simulator and
//!   runs them, for the static-versus-dynamic test.

pub mod lsp_client;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod dynamic;

// ---------------------------------------------------------------------------
// Levels, expectations, findings
// ---------------------------------------------------------------------------

/// The level of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
    /// Anything else the analyzer printed (`note`, `help`, ...). Never
    /// expected by an annotation, so always reported as unexpected.
    Other(String),
}

impl Level {
    /// The level as written in a JSON diagnostic (`"error"`, `"warning"`).
    pub fn from_json(s: &str) -> Level {
        match s {
            "error" => Level::Error,
            "warning" => Level::Warning,
            other => Level::Other(other.to_owned()),
        }
    }

    /// The level as written in an annotation (`ERROR`, `WARN`, `WARNING`).
    pub fn from_annotation(s: &str) -> Option<Level> {
        match s.to_ascii_uppercase().as_str() {
            "ERROR" => Some(Level::Error),
            "WARN" | "WARNING" => Some(Level::Warning),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Error => f.write_str("error"),
            Level::Warning => f.write_str("warning"),
            Level::Other(s) => f.write_str(s),
        }
    }
}

/// One expected finding: lint `lint` at level `level` whose primary span
/// starts on `line` (1-based).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expected {
    pub line: usize,
    pub level: Level,
    pub lint: String,
}

/// One finding reported by the analyzer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Actual {
    /// `file_name` of the primary span, as printed (see [`resolve_file`] to
    /// map it onto a fixture path).
    pub file: String,
    /// `line_start` of the primary span (0 when the message has no span).
    pub line: usize,
    pub level: Level,
    /// `code.code`, or `<no code>`.
    pub lint: String,
    pub message: String,
}

// ---------------------------------------------------------------------------
// Annotations
// ---------------------------------------------------------------------------

/// A malformed annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotationError {
    /// The line the annotation is written on (1-based).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads the `//~` annotations of a fixture.
///
/// Forms (as in rustc's UI tests):
/// * `//~ ERROR tapi::lint` — on this line;
/// * `//~^ ERROR ...`, `//~^^ ...` — one, two, ... lines above;
/// * `//~v ...`, `//~vv ...` — one, two, ... lines below;
/// * `//~| ERROR ...` — the same line as the previous annotation's target.
///
/// The kind is `ERROR`, `WARN` or `WARNING` (any case); the next word is the
/// lint name; the rest of the line is ignored. Panics on a malformed
/// annotation; see [`try_parse_expectations`].
pub fn parse_expectations(text: &str) -> Vec<Expected> {
    match try_parse_expectations(text) {
        Ok(v) => v,
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("malformed annotations:\n  {}", list.join("\n  "))
        }
    }
}

/// Like [`parse_expectations`], but returns every malformed annotation
/// instead of panicking.
pub fn try_parse_expectations(text: &str) -> Result<Vec<Expected>, Vec<AnnotationError>> {
    let line_count = text.lines().count();
    let mut expected = Vec::new();
    let mut errors = Vec::new();
    let mut previous_target: Option<usize> = None;

    for (index, line) in text.lines().enumerate() {
        let lineno = index + 1;
        let Some(pos) = line.find("//~") else {
            continue;
        };
        let mut err = |message: String| {
            errors.push(AnnotationError {
                line: lineno,
                message,
            })
        };
        let rest = &line[pos + 3..];

        // Which line the annotation points at.
        let (target, rest) = if let Some(rest) = rest.strip_prefix('|') {
            match previous_target {
                Some(t) => (t, rest),
                None => {
                    err("`//~|` without a previous annotation".into());
                    continue;
                }
            }
        } else if rest.starts_with('^') {
            let n = rest.len() - rest.trim_start_matches('^').len();
            if n >= lineno {
                err(format!(
                    "`//~{}` points above the first line",
                    "^".repeat(n)
                ));
                continue;
            }
            (lineno - n, &rest[n..])
        } else if rest.starts_with('v') {
            let n = rest.len() - rest.trim_start_matches('v').len();
            if lineno + n > line_count {
                err(format!("`//~{}` points below the last line", "v".repeat(n)));
                continue;
            }
            (lineno + n, &rest[n..])
        } else {
            (lineno, rest)
        };
        previous_target = Some(target);

        // `ERROR tapi::lint_name rest-is-ignored`
        let rest = rest.trim_start();
        let kind_len = rest
            .find(|c: char| c.is_whitespace() || c == ':')
            .unwrap_or(rest.len());
        let kind = &rest[..kind_len];
        let Some(level) = Level::from_annotation(kind) else {
            err(if kind.is_empty() {
                "annotation without a kind (expected ERROR or WARN)".into()
            } else {
                format!("unknown annotation kind `{kind}` (expected ERROR or WARN)")
            });
            continue;
        };
        let rest = rest[kind_len..].trim_start_matches(':').trim_start();
        let lint_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let lint = rest[..lint_len].trim_end_matches(':');
        if lint.is_empty() {
            err(format!("`{kind}` annotation without a lint name"));
            continue;
        }
        expected.push(Expected {
            line: target,
            level,
            lint: lint.to_owned(),
        });
    }

    if errors.is_empty() {
        Ok(expected)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------
// The analyzer's JSON stream
// ---------------------------------------------------------------------------

/// What the analyzer printed with `--message-format json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    /// Every diagnostic, wrapped in `compiler-message` or bare.
    pub findings: Vec<Actual>,
    /// `success` of the last `build-finished` line, if any.
    pub build_finished: Option<bool>,
    /// How many `build-finished` lines there were.
    pub build_finished_count: usize,
    /// Whether the last JSON line was `build-finished`.
    pub ends_with_build_finished: bool,
    /// Messages skipped: other `reason`s, non-diagnostic `$message_type`s,
    /// and code-less, span-less summaries ("aborting due to ...").
    pub ignored: usize,
}

/// Parses the analyzer's stdout. Every non-blank line must be a JSON
/// object; anything else is an error naming the line.
pub fn parse_stream(stdout: &str) -> Result<Stream, String> {
    let mut stream = Stream::default();
    for (index, line) in stdout.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| {
            format!(
                "stdout line {} is not JSON ({e}): {}",
                index + 1,
                truncate(line, 300)
            )
        })?;
        let Some(object) = value.as_object() else {
            return Err(format!(
                "stdout line {} is not a JSON object: {}",
                index + 1,
                truncate(line, 300)
            ));
        };
        stream.ends_with_build_finished = false;
        let diagnostic = match object.get("reason").and_then(Value::as_str) {
            Some("compiler-message") => match object.get("message") {
                Some(message) if message.is_object() => message,
                _ => {
                    return Err(format!(
                        "stdout line {}: compiler-message without a `message` object",
                        index + 1
                    ));
                }
            },
            Some("build-finished") => {
                let success = object
                    .get("success")
                    .and_then(Value::as_bool)
                    .ok_or_else(|| {
                        format!(
                            "stdout line {}: build-finished without a boolean `success`",
                            index + 1
                        )
                    })?;
                stream.build_finished = Some(success);
                stream.build_finished_count += 1;
                stream.ends_with_build_finished = true;
                continue;
            }
            Some(_) => {
                stream.ignored += 1;
                continue;
            }
            None => {
                let message_type = object.get("$message_type").and_then(Value::as_str);
                let looks_like_diagnostic =
                    object.contains_key("level") && object.contains_key("spans");
                if message_type.is_some_and(|t| t != "diagnostic")
                    || (message_type.is_none() && !looks_like_diagnostic)
                {
                    stream.ignored += 1;
                    continue;
                }
                &value
            }
        };
        match diagnostic_to_actual(diagnostic) {
            Some(actual) => stream.findings.push(actual),
            None => stream.ignored += 1,
        }
    }
    Ok(stream)
}

/// The findings of the analyzer's stdout. Panics if it is not a JSON
/// stream; see [`parse_stream`].
pub fn parse_findings(json_stdout: &str) -> Vec<Actual> {
    match parse_stream(json_stdout) {
        Ok(stream) => stream.findings,
        Err(e) => panic!("cannot read the analyzer's JSON output: {e}"),
    }
}

/// One rustc-style diagnostic object → [`Actual`]; `None` for code-less,
/// span-less summary messages.
fn diagnostic_to_actual(message: &Value) -> Option<Actual> {
    let code = message
        .get("code")
        .and_then(|c| c.get("code"))
        .and_then(Value::as_str);
    let spans = message
        .get("spans")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let primary = spans
        .iter()
        .find(|s| s.get("is_primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| spans.first());
    if code.is_none() && primary.is_none() {
        return None;
    }
    let (file, line) = match primary {
        Some(span) => (
            span.get("file_name")
                .and_then(Value::as_str)
                .unwrap_or("<no file_name>")
                .to_owned(),
            span.get("line_start").and_then(Value::as_u64).unwrap_or(0) as usize,
        ),
        None => ("<no span>".to_owned(), 0),
    };
    Some(Actual {
        file,
        line,
        level: Level::from_json(message.get("level").and_then(Value::as_str).unwrap_or("")),
        lint: code.unwrap_or("<no code>").to_owned(),
        message: message
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

// ---------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------

/// Normalizes a path lexically: `\` → `/`, drops `.`, folds `..`.
pub fn normalize_path(path: &str) -> String {
    let unified = path.replace('\\', "/");
    let absolute = unified.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Maps a `file_name` printed by the analyzer onto one of the `known`
/// fixture keys (paths relative to the workspace `root`, `/`-separated).
///
/// Tried in order: an absolute path under `root`; the name relative to each
/// of `bases` (keys of directories, e.g. `fixtures/crates/foo`, `""` for the
/// root); a unique key that ends with the name (component-wise). Otherwise
/// the normalized name itself is returned, so the finding shows up as
/// unexpected under the name the analyzer used.
pub fn resolve_file(
    file_name: &str,
    root: &Path,
    bases: &[&str],
    known: &BTreeSet<String>,
) -> String {
    let name = normalize_path(file_name);
    if name.starts_with('/') || Path::new(file_name).is_absolute() {
        let mut roots = vec![normalize_path(&root.to_string_lossy())];
        if let Ok(canonical) = root.canonicalize() {
            roots.push(normalize_path(&canonical.to_string_lossy()));
        }
        for r in &roots {
            if let Some(rel) = name
                .strip_prefix(r.as_str())
                .and_then(|s| s.strip_prefix('/'))
            {
                return rel.to_owned();
            }
        }
        return name;
    }
    for base in bases {
        let candidate = normalize_path(&format!("{base}/{name}"));
        if known.contains(&candidate) {
            return candidate;
        }
    }
    if known.contains(&name) {
        return name;
    }
    let mut suffix_matches = known
        .iter()
        .filter(|k| Path::new(k.as_str()).ends_with(Path::new(&name)));
    if let (Some(only), None) = (suffix_matches.next(), suffix_matches.next()) {
        return only.clone();
    }
    name
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

/// The outcome of [`compare`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Number of expectations.
    pub expected: usize,
    /// Number of findings.
    pub actual: usize,
    /// Expectations met by a finding.
    pub matched: usize,
    /// Expectations no finding met: (file, expectation).
    pub missing: Vec<(String, Expected)>,
    /// Findings no expectation asked for.
    pub extra: Vec<Actual>,
}

impl Comparison {
    pub fn is_ok(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty()
    }

    /// Per file, sorted by line, one line per mismatch:
    /// `file:line: expected error tapi::x` /
    /// `file:line: unexpected error tapi::x — message`.
    pub fn report(&self) -> String {
        if self.is_ok() {
            return format!(
                "all {} expected findings matched, nothing unexpected\n",
                self.expected
            );
        }
        let mut by_file: BTreeMap<&str, Vec<(usize, u8, String)>> = BTreeMap::new();
        for (file, e) in &self.missing {
            by_file.entry(file).or_default().push((
                e.line,
                0,
                format!("{file}:{}: expected {} {}", e.line, e.level, e.lint),
            ));
        }
        for a in &self.extra {
            by_file.entry(&a.file).or_default().push((
                a.line,
                1,
                format!(
                    "{}:{}: unexpected {} {} — {}",
                    a.file, a.line, a.level, a.lint, a.message
                ),
            ));
        }
        let mut out = format!(
            "{} missing, {} unexpected (expected {}, reported {}, matched {})\n",
            self.missing.len(),
            self.extra.len(),
            self.expected,
            self.actual,
            self.matched
        );
        for (file, mut lines) in by_file {
            lines.sort();
            out.push_str(&format!("\n{file}\n"));
            for (_, _, text) in lines {
                out.push_str(&format!("  {text}\n"));
            }
        }
        out
    }
}

/// Matches expectations (per file key) against findings (whose `file` is
/// already a key, see [`resolve_file`]). A finding meets an expectation when
/// file, line, level and lint are all equal; each meets at most one.
pub fn compare(expected: &BTreeMap<String, Vec<Expected>>, actual: &[Actual]) -> Comparison {
    let mut result = Comparison {
        expected: expected.values().map(Vec::len).sum(),
        actual: actual.len(),
        ..Comparison::default()
    };
    let mut used = vec![false; actual.len()];
    for (file, expectations) in expected {
        let mut sorted = expectations.clone();
        sorted.sort();
        for e in sorted {
            let hit = actual.iter().enumerate().position(|(i, a)| {
                !used[i]
                    && a.file == *file
                    && a.line == e.line
                    && a.level == e.level
                    && a.lint == e.lint
            });
            match hit {
                Some(i) => {
                    used[i] = true;
                    result.matched += 1;
                }
                None => result.missing.push((file.clone(), e)),
            }
        }
    }
    let mut extra: Vec<Actual> = actual
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| a.clone())
        .collect();
    extra.sort();
    result.extra = extra;
    result
}

// ---------------------------------------------------------------------------
// Fixture discovery
// ---------------------------------------------------------------------------

/// The workspace root (the parent of this package).
pub fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest_dir
            .parent()
            .expect("tests/ has a parent")
            .to_path_buf()
    })
}

/// Every `.rs` file under `dir`, sorted, skipping `target` directories,
/// hidden entries and `pending` (fixtures staged for a later milestone,
/// whose expectations the analyzer does not meet yet).
pub fn rust_files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if name != "target" && name != "pending" {
                    walk(&path, out);
                }
            } else if path.extension() == Some(OsStr::new("rs")) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// `path` relative to `root`, `/`-separated.
pub fn key_of(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// One invocation of the analyzer over part of the fixtures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Short name for reports (`fixtures package`, `loose fixtures/tapi3`, ...).
    pub name: String,
    /// Arguments after the binary, starting with `tapi-lint`; relative paths
    /// are relative to the workspace root (the analyzer's working directory).
    pub args: Vec<String>,
    /// Whether this is a cargo package run (then `build-finished` is
    /// required at the end of the stream).
    pub package: bool,
    /// Directories (keys) that relative `file_name`s may be relative to.
    pub bases: Vec<String>,
    /// The fixture files (keys) whose expectations this run checks.
    pub files: Vec<String>,
}

/// Decides the analyzer runs over `root/fixtures`:
/// * the fixtures package (`--manifest-path fixtures/Cargo.toml`), owning
///   every `.rs` file not owned by a run below;
/// * if `fixtures/tapi3/` has `.rs` files: one loose run over its top-level
///   `.rs` files, owning every `.rs` file under it;
/// * for each `fixtures/crates/NAME/Cargo.toml`: a package run owning the
///   `.rs` files under `fixtures/crates/NAME/`.
pub fn plan_runs(root: &Path) -> Vec<Run> {
    let fixtures = root.join("fixtures");
    let json = ["--message-format".to_owned(), "json".to_owned()];
    let mut runs = Vec::new();
    let mut owned: BTreeSet<String> = BTreeSet::new();

    let tapi3 = fixtures.join("tapi3");
    let tapi3_files: Vec<String> = rust_files_under(&tapi3)
        .iter()
        .map(|p| key_of(p, root))
        .collect();
    if !tapi3_files.is_empty() {
        let mut args = vec!["tapi-lint".to_owned()];
        args.extend(json.iter().cloned());
        args.extend(
            tapi3_files
                .iter()
                .filter(|k| {
                    k.strip_prefix("fixtures/tapi3/")
                        .is_some_and(|rest| !rest.contains('/'))
                })
                .cloned(),
        );
        owned.extend(tapi3_files.iter().cloned());
        runs.push(Run {
            name: "loose fixtures/tapi3".into(),
            args,
            package: false,
            bases: vec!["fixtures/tapi3".into(), String::new()],
            files: tapi3_files,
        });
    }

    for dir in dynamic::fixture_crates(root) {
        let key = key_of(&dir, root);
        let files: Vec<String> = rust_files_under(&dir)
            .iter()
            .map(|p| key_of(p, root))
            .collect();
        owned.extend(files.iter().cloned());
        let mut args = vec![
            "tapi-lint".to_owned(),
            "--manifest-path".to_owned(),
            format!("{key}/Cargo.toml"),
        ];
        args.extend(json.iter().cloned());
        runs.push(Run {
            name: format!("crate {key}"),
            args,
            package: true,
            bases: vec![key, String::new()],
            files,
        });
    }

    let package_files: Vec<String> = rust_files_under(&fixtures)
        .iter()
        .map(|p| key_of(p, root))
        .filter(|k| !owned.contains(k))
        .collect();
    let mut args = vec![
        "tapi-lint".to_owned(),
        "--manifest-path".to_owned(),
        "fixtures/Cargo.toml".to_owned(),
    ];
    args.extend(json.iter().cloned());
    runs.insert(
        0,
        Run {
            name: "fixtures package".into(),
            args,
            package: true,
            bases: vec![String::new(), "fixtures".into()],
            files: package_files,
        },
    );
    runs
}

// ---------------------------------------------------------------------------
// Building and running the analyzer
// ---------------------------------------------------------------------------

/// The `cargo` that runs this test (`$CARGO`, else the one it was built with).
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO")))
}

/// The `cargo-tapi-lint` binary, built on first use.
///
/// `$TAPI_LINT_BIN`, if set, is used as is. Otherwise runs
/// `cargo build -p cargo-tapi-lint --bin cargo-tapi-lint` once per process,
/// with the profile (and `--target`, and `--target-dir` when it differs from
/// `cargo metadata`'s) of the running test executable, and takes the
/// executable path from cargo's JSON `compiler-artifact` message. Panics with
/// cargo's output if the build fails.
pub fn analyzer_bin() -> &'static Path {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BIN.get_or_init(build_analyzer) {
        Ok(path) => path,
        Err(e) => panic!("could not build cargo-tapi-lint:\n{e}"),
    }
}

/// How the running test executable was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildLayout {
    /// Cargo profile name (`dev` for `target/debug`).
    pub profile: String,
    /// `--target` triple, when the output dir is `target/<triple>/<profile>`.
    pub target: Option<String>,
    /// `--target-dir` to pass, when the executable is outside the target
    /// and build directories `cargo metadata` reports.
    pub target_dir: Option<PathBuf>,
}

/// Derives the [`BuildLayout`] from a test executable path
/// (`<dir>/[<triple>/]<profile>/deps/<name>`) and the target/build
/// directories of the workspace.
pub fn build_layout(exe: &Path, known_dirs: &[PathBuf]) -> BuildLayout {
    let mut dir = exe.parent().unwrap_or(Path::new(""));
    if dir.file_name() == Some(OsStr::new("deps")) {
        dir = dir.parent().unwrap_or(Path::new(""));
    }
    let profile_dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "debug".to_owned());
    let profile = match profile_dir_name.as_str() {
        "debug" => "dev".to_owned(),
        other => other.to_owned(),
    };
    let same = |a: &Path| {
        known_dirs.iter().any(|k| {
            k == a
                || (k.canonicalize().ok().is_some()
                    && k.canonicalize().ok() == a.canonicalize().ok())
        })
    };
    let up = dir.parent().unwrap_or(Path::new(""));
    if same(up) {
        return BuildLayout {
            profile,
            target: None,
            target_dir: None,
        };
    }
    if let Some(upup) = up.parent()
        && same(upup)
    {
        return BuildLayout {
            profile,
            target: up.file_name().map(|n| n.to_string_lossy().into_owned()),
            target_dir: None,
        };
    }
    // A `--target-dir` the metadata does not know about: a target root has
    // CACHEDIR.TAG, a `<triple>` directory below it does not.
    if !up.join("CACHEDIR.TAG").exists()
        && let Some(upup) = up.parent()
        && upup.join("CACHEDIR.TAG").exists()
    {
        return BuildLayout {
            profile,
            target: up.file_name().map(|n| n.to_string_lossy().into_owned()),
            target_dir: Some(upup.to_path_buf()),
        };
    }
    BuildLayout {
        profile,
        target: None,
        target_dir: Some(up.to_path_buf()),
    }
}

fn build_analyzer() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("TAPI_LINT_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let root = workspace_root();
    let manifest = root.join("Cargo.toml");

    let metadata = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !metadata.status.success() {
        return Err(format!("cargo metadata failed: {}", metadata.status));
    }
    let metadata: Value = serde_json::from_slice(&metadata.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    let known_dirs: Vec<PathBuf> = ["target_directory", "build_directory"]
        .iter()
        .filter_map(|k| metadata.get(*k).and_then(Value::as_str).map(PathBuf::from))
        .collect();

    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let layout = build_layout(&exe, &known_dirs);

    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--manifest-path"]).arg(&manifest).args([
        "-p",
        "cargo-tapi-lint",
        "--bin",
        "cargo-tapi-lint",
        "--message-format=json-render-diagnostics",
        "--profile",
        &layout.profile,
    ]);
    if let Some(target) = &layout.target {
        cmd.args(["--target", target]);
    }
    if let Some(dir) = &layout.target_dir {
        cmd.arg("--target-dir").arg(dir);
    }
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{cmd:?} failed with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    executable_from_build_output(&String::from_utf8_lossy(&output.stdout), "cargo-tapi-lint")
        .ok_or_else(|| {
            format!(
                "{cmd:?} reported no executable for cargo-tapi-lint; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

/// The `executable` of the `compiler-artifact` for bin target `bin` in the
/// output of `cargo build --message-format json`.
pub fn executable_from_build_output(stdout: &str, bin: &str) -> Option<PathBuf> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("reason").and_then(Value::as_str) == Some("compiler-artifact"))
        .filter(|v| v.pointer("/target/name").and_then(Value::as_str) == Some(bin))
        .filter_map(|v| {
            v.get("executable")
                .and_then(Value::as_str)
                .map(PathBuf::from)
        })
        .next_back()
}

/// How long one analyzer run may take (`$TAPI_LINT_TEST_TIMEOUT` seconds,
/// default 600).
pub fn analyzer_timeout() -> Duration {
    let secs = std::env::var("TAPI_LINT_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// Runs the analyzer with `args` in the workspace root, stdin closed.
/// Panics if it cannot be started or exceeds [`analyzer_timeout`] (it is
/// then killed).
pub fn run_analyzer<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(analyzer_bin());
    cmd.args(args).current_dir(workspace_root());
    run_with_timeout(cmd, analyzer_timeout())
}

/// Runs `cmd` capturing stdout and stderr; kills it and panics after
/// `timeout`.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Output {
    let description = format!("{cmd:?}");
    let mut run =
        Captured::spawn(&mut cmd).unwrap_or_else(|e| panic!("cannot start {description}: {e}"));
    match run.wait(timeout, Duration::from_millis(20)) {
        Ok(Some(status)) => {
            let (stdout, stderr) = run.output();
            Output {
                status,
                stdout,
                stderr,
            }
        }
        Ok(None) => panic!("{description} did not finish within {timeout:?}; killed"),
        Err(e) => panic!("waiting for {description}: {e}"),
    }
}

/// A child process, stdin closed, whose stdout and stderr are drained on
/// threads so that a chatty child never blocks on a full pipe.
pub struct Captured {
    child: std::process::Child,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

impl Captured {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Captured> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.read_to_end(&mut buf);
                buf
            })
        };
        let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
        let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
        Ok(Captured {
            child,
            stdout,
            stderr,
        })
    }

    /// Waits for the exit, polling every `poll`; `None` if it had to be
    /// killed after `timeout`.
    pub fn wait(
        &mut self,
        timeout: Duration,
        poll: Duration,
    ) -> std::io::Result<Option<std::process::ExitStatus>> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Ok(None);
            }
            std::thread::sleep(poll);
        }
    }

    /// What the process wrote. After a kill, a process it started may still
    /// hold the pipes open: do not call this then.
    pub fn output(self) -> (Vec<u8>, Vec<u8>) {
        (
            self.stdout.join().unwrap_or_default(),
            self.stderr.join().unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(line: usize, level: Level, lint: &str) -> Expected {
        Expected {
            line,
            level,
            lint: lint.to_owned(),
        }
    }

    fn a(file: &str, line: usize, level: Level, lint: &str, message: &str) -> Actual {
        Actual {
            file: file.to_owned(),
            line,
            level,
            lint: lint.to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn same_line_annotation() {
        let text = "fn main() {\n    lineOpen(); //~ ERROR tapi::line_not_closed\n}\n";
        assert_eq!(
            parse_expectations(text),
            vec![e(2, Level::Error, "tapi::line_not_closed")]
        );
    }

    #[test]
    fn caret_annotations_point_above() {
        let text = "\
a
b
c
//~^ ERROR tapi::line_not_closed
//~^^ WARN tapi::release_order
//~^^^ ERROR tapi::double_release the rest is ignored
";
        assert_eq!(
            parse_expectations(text),
            vec![
                e(3, Level::Error, "tapi::line_not_closed"),
                e(3, Level::Warning, "tapi::release_order"),
                e(3, Level::Error, "tapi::double_release"),
            ]
        );
    }

    #[test]
    fn pipe_annotation_reuses_previous_target() {
        let text = "\
lineShutdown(app);
//~^ WARN tapi::release_order
//~| ERROR tapi::use_after_release
//~| ERROR tapi::line_not_closed
x(); //~ ERROR tapi::call_not_deallocated
//~| WARNING tapi::release_order
";
        assert_eq!(
            parse_expectations(text),
            vec![
                e(1, Level::Warning, "tapi::release_order"),
                e(1, Level::Error, "tapi::use_after_release"),
                e(1, Level::Error, "tapi::line_not_closed"),
                e(5, Level::Error, "tapi::call_not_deallocated"),
                e(5, Level::Warning, "tapi::release_order"),
            ]
        );
    }

    #[test]
    fn below_annotation_and_kind_spellings() {
        let text = "\
//~v error tapi::phone_not_closed
phoneOpen();
//~vv Warning: tapi::release_order: note
x
lineShutdown(app);
y(); //~ ERROR: tapi::double_release: second release
z(); //~ WARN tapi::release_order, because children
";
        assert_eq!(
            parse_expectations(text),
            vec![
                e(2, Level::Error, "tapi::phone_not_closed"),
                e(5, Level::Warning, "tapi::release_order"),
                e(6, Level::Error, "tapi::double_release"),
                e(7, Level::Warning, "tapi::release_order"),
            ]
        );
    }

    #[test]
    fn no_annotations() {
        assert!(parse_expectations("fn main() {}\n// ~ ERROR not one\n").is_empty());
    }

    #[test]
    fn malformed_annotations_are_all_reported() {
        let text = "\
//~^ ERROR tapi::x
//~| ERROR tapi::x
a //~ NOTE tapi::x
b //~ ERROR
c //~
d //~vv ERROR tapi::x
";
        let errors = try_parse_expectations(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5, 6], "{errors:?}");
        assert!(errors[2].message.contains("unknown annotation kind `NOTE`"));
        assert!(errors[3].message.contains("without a lint name"));
    }

    #[test]
    #[should_panic(expected = "malformed annotations")]
    fn parse_expectations_panics_on_malformed() {
        parse_expectations("x //~ ALLOW tapi::released_by_guard\n");
    }

    /// A handcrafted stream in the spec §4 shape, with a bare message, a
    /// non-diagnostic reason, a secondary span before the primary one and a
    /// code-less summary.
    const SAMPLE: &str = r#"
{"reason":"compiler-artifact","package_id":"x","target":{"name":"x"}}
{"reason":"compiler-message","package_id":"tapi-fixtures 0.1.0","manifest_path":"/w/fixtures/Cargo.toml","target":{"name":"leak"},"message":{"$message_type":"diagnostic","message":"line `h_line` is never closed","code":{"code":"tapi::line_not_closed","explanation":null},"level":"error","spans":[{"file_name":"fixtures/src/bin/leak.rs","byte_start":0,"byte_end":0,"line_start":3,"line_end":3,"column_start":5,"column_end":9,"is_primary":false,"label":"acquired here","text":[],"suggested_replacement":null,"suggestion_applicability":null,"expansion":null},{"file_name":"fixtures/src/bin/leak.rs","byte_start":0,"byte_end":0,"line_start":12,"line_end":12,"column_start":9,"column_end":60,"is_primary":true,"label":"line opened here","text":[],"suggested_replacement":null,"suggestion_applicability":null,"expansion":null}],"children":[],"rendered":"..."}}
{"reason":"compiler-message","package_id":"tapi-fixtures 0.1.0","manifest_path":"/w/fixtures/Cargo.toml","target":{"name":"order"},"message":{"$message_type":"diagnostic","message":"line app released while line `h` is held","code":{"code":"tapi::release_order","explanation":null},"level":"warning","spans":[{"file_name":"src/bin/order.rs","line_start":20,"line_end":20,"column_start":5,"column_end":20,"is_primary":true,"label":null}],"children":[],"rendered":"..."}}
{"$message_type":"diagnostic","message":"TAPI 3 object never shut down","code":{"code":"tapi::tapi_not_shut_down"},"level":"error","spans":[{"file_name":"/w/fixtures/tapi3/init.rs","line_start":7,"line_end":7,"column_start":1,"column_end":2,"is_primary":true}],"children":[]}
{"$message_type":"diagnostic","message":"aborting due to 2 previous errors","code":null,"level":"error","spans":[],"children":[]}
{"$message_type":"future_incompat","future_incompat_report":[]}

{"reason":"build-finished","success":false}
"#;

    #[test]
    fn parses_the_sample_stream() {
        let stream = parse_stream(SAMPLE).unwrap();
        assert_eq!(
            stream.findings,
            vec![
                a(
                    "fixtures/src/bin/leak.rs",
                    12,
                    Level::Error,
                    "tapi::line_not_closed",
                    "line `h_line` is never closed"
                ),
                a(
                    "src/bin/order.rs",
                    20,
                    Level::Warning,
                    "tapi::release_order",
                    "line app released while line `h` is held"
                ),
                a(
                    "/w/fixtures/tapi3/init.rs",
                    7,
                    Level::Error,
                    "tapi::tapi_not_shut_down",
                    "TAPI 3 object never shut down"
                ),
            ]
        );
        assert_eq!(stream.build_finished, Some(false));
        assert_eq!(stream.build_finished_count, 1);
        assert!(stream.ends_with_build_finished);
        assert_eq!(stream.ignored, 3);
        assert_eq!(parse_findings(SAMPLE), stream.findings);
    }

    #[test]
    fn build_finished_not_last_and_missing() {
        let s =
            parse_stream("{\"reason\":\"build-finished\",\"success\":true}\n{\"reason\":\"x\"}\n")
                .unwrap();
        assert_eq!(s.build_finished, Some(true));
        assert!(!s.ends_with_build_finished);
        let s = parse_stream("").unwrap();
        assert_eq!(s, Stream::default());
    }

    #[test]
    fn non_json_output_is_an_error() {
        let err =
            parse_stream("{\"reason\":\"x\"}\nerror[tapi::line_not_closed]: oops\n").unwrap_err();
        assert!(err.contains("stdout line 2 is not JSON"), "{err}");
        let err = parse_stream("[1,2]").unwrap_err();
        assert!(err.contains("not a JSON object"), "{err}");
        let err = parse_stream("{\"reason\":\"build-finished\"}").unwrap_err();
        assert!(err.contains("success"), "{err}");
    }

    #[test]
    #[should_panic(expected = "cannot read the analyzer's JSON output")]
    fn parse_findings_panics_on_garbage() {
        parse_findings("warning: something human-readable");
    }

    #[test]
    fn message_without_primary_span_uses_first_span_and_no_code() {
        let s = parse_stream(
            r#"{"message":"m","code":null,"level":"note","spans":[{"file_name":"a.rs","line_start":4,"is_primary":false}]}"#,
        )
        .unwrap();
        assert_eq!(
            s.findings,
            vec![a("a.rs", 4, Level::Other("note".into()), "<no code>", "m")]
        );
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path("./a/b/../c.rs"), "a/c.rs");
        assert_eq!(normalize_path("a\\b\\c.rs"), "a/b/c.rs");
        assert_eq!(normalize_path("/w//x/./y.rs"), "/w/x/y.rs");
        assert_eq!(normalize_path("../x.rs"), "../x.rs");
    }

    #[test]
    fn resolves_file_names() {
        let known: BTreeSet<String> = [
            "fixtures/src/bin/leak.rs",
            "fixtures/src/bin/order.rs",
            "fixtures/tapi3/init.rs",
            "fixtures/crates/multi/src/main.rs",
            "fixtures/crates/other/src/main.rs",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let root = Path::new("/w");
        let pkg = ["", "fixtures"];
        // Relative to the workspace root, or to the package.
        assert_eq!(
            resolve_file("fixtures/src/bin/leak.rs", root, &pkg, &known),
            "fixtures/src/bin/leak.rs"
        );
        assert_eq!(
            resolve_file("src/bin/order.rs", root, &pkg, &known),
            "fixtures/src/bin/order.rs"
        );
        assert_eq!(
            resolve_file(".\\src\\bin\\order.rs", root, &pkg, &known),
            "fixtures/src/bin/order.rs"
        );
        // Absolute.
        assert_eq!(
            resolve_file("/w/fixtures/tapi3/init.rs", root, &pkg, &known),
            "fixtures/tapi3/init.rs"
        );
        assert_eq!(
            resolve_file("/elsewhere/init.rs", root, &pkg, &known),
            "/elsewhere/init.rs"
        );
        // Unique suffix.
        assert_eq!(
            resolve_file("init.rs", root, &pkg, &known),
            "fixtures/tapi3/init.rs"
        );
        assert_eq!(
            resolve_file("tapi3/init.rs", root, &pkg, &known),
            "fixtures/tapi3/init.rs"
        );
        // Ambiguous suffix: resolved by the run's base, else left alone.
        assert_eq!(
            resolve_file("src/main.rs", root, &["fixtures/crates/multi", ""], &known),
            "fixtures/crates/multi/src/main.rs"
        );
        assert_eq!(
            resolve_file("src/main.rs", root, &pkg, &known),
            "src/main.rs"
        );
        // Suffix matching is component-wise.
        assert_eq!(resolve_file("it.rs", root, &pkg, &known), "it.rs");
    }

    fn expectations(list: &[(&str, Expected)]) -> BTreeMap<String, Vec<Expected>> {
        let mut map: BTreeMap<String, Vec<Expected>> = BTreeMap::new();
        for (file, e) in list {
            map.entry(file.to_string()).or_default().push(e.clone());
        }
        map
    }

    #[test]
    fn compare_all_matched() {
        let exp = expectations(&[
            ("f.rs", e(3, Level::Error, "tapi::line_not_closed")),
            ("f.rs", e(3, Level::Error, "tapi::line_not_closed")),
            ("g.rs", e(1, Level::Warning, "tapi::release_order")),
        ]);
        let act = vec![
            a("g.rs", 1, Level::Warning, "tapi::release_order", "m"),
            a("f.rs", 3, Level::Error, "tapi::line_not_closed", "m1"),
            a("f.rs", 3, Level::Error, "tapi::line_not_closed", "m2"),
        ];
        let c = compare(&exp, &act);
        assert!(c.is_ok(), "{}", c.report());
        assert_eq!((c.expected, c.actual, c.matched), (3, 3, 3));
        assert!(c.report().contains("all 3 expected findings matched"));
    }

    #[test]
    fn compare_reports_every_kind_of_mismatch() {
        let exp = expectations(&[
            ("f.rs", e(3, Level::Error, "tapi::line_not_closed")), // wrong line
            ("f.rs", e(5, Level::Error, "tapi::double_release")),  // wrong level
            ("f.rs", e(7, Level::Error, "tapi::use_after_release")), // wrong lint
            ("f.rs", e(9, Level::Error, "tapi::call_not_deallocated")), // duplicate
            ("g.rs", e(1, Level::Warning, "tapi::release_order")), // missing
            ("h.rs", e(2, Level::Error, "tapi::phone_not_closed")), // matched
        ]);
        let act = vec![
            a(
                "f.rs",
                4,
                Level::Error,
                "tapi::line_not_closed",
                "never closed",
            ),
            a("f.rs", 5, Level::Warning, "tapi::double_release", "twice"),
            a(
                "f.rs",
                7,
                Level::Error,
                "tapi::double_release",
                "twice again",
            ),
            a("f.rs", 9, Level::Error, "tapi::call_not_deallocated", "a"),
            a("f.rs", 9, Level::Error, "tapi::call_not_deallocated", "b"),
            a("h.rs", 2, Level::Error, "tapi::phone_not_closed", "p"),
            a("elsewhere.rs", 1, Level::Error, "tapi::parse_error", "bad"),
        ];
        let c = compare(&exp, &act);
        assert!(!c.is_ok());
        assert_eq!((c.expected, c.actual, c.matched), (6, 7, 2));
        assert_eq!(c.missing.len(), 4);
        assert_eq!(c.extra.len(), 5);
        let report = c.report();
        let expected_report = "\
4 missing, 5 unexpected (expected 6, reported 7, matched 2)

elsewhere.rs
  elsewhere.rs:1: unexpected error tapi::parse_error — bad

f.rs
  f.rs:3: expected error tapi::line_not_closed
  f.rs:4: unexpected error tapi::line_not_closed — never closed
  f.rs:5: expected error tapi::double_release
  f.rs:5: unexpected warning tapi::double_release — twice
  f.rs:7: expected error tapi::use_after_release
  f.rs:7: unexpected error tapi::double_release — twice again
  f.rs:9: unexpected error tapi::call_not_deallocated — b

g.rs
  g.rs:1: expected warning tapi::release_order
";
        assert_eq!(report, expected_report, "\n{report}");
    }

    #[test]
    fn sample_stream_end_to_end() {
        let known: BTreeSet<String> = [
            "fixtures/src/bin/leak.rs",
            "fixtures/src/bin/order.rs",
            "fixtures/tapi3/init.rs",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let sources = [
            (
                "fixtures/src/bin/leak.rs",
                "\n".repeat(11) + "    lineOpen(); //~ ERROR tapi::line_not_closed\n",
            ),
            (
                "fixtures/src/bin/order.rs",
                "\n".repeat(19) + "lineShutdown(app);\n//~^ WARN tapi::release_order\n",
            ),
            (
                "fixtures/tapi3/init.rs",
                "\n".repeat(6) + "x //~ ERROR tapi::tapi_not_shut_down\n",
            ),
        ];
        let exp: BTreeMap<String, Vec<Expected>> = sources
            .iter()
            .map(|(k, text)| (k.to_string(), parse_expectations(text)))
            .collect();
        let mut findings = parse_findings(SAMPLE);
        for f in &mut findings {
            f.file = resolve_file(&f.file, Path::new("/w"), &["", "fixtures"], &known);
        }
        let c = compare(&exp, &findings);
        assert!(c.is_ok(), "{}", c.report());
        assert_eq!(c.matched, 3);
    }

    #[test]
    fn finds_the_executable_in_cargo_build_output() {
        let out = r#"{"reason":"compiler-artifact","target":{"name":"tapi_lint","kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","target":{"name":"cargo-tapi-lint","kind":["bin"]},"executable":"/t/debug/cargo-tapi-lint"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable_from_build_output(out, "cargo-tapi-lint"),
            Some(PathBuf::from("/t/debug/cargo-tapi-lint"))
        );
        assert_eq!(executable_from_build_output(out, "other"), None);
    }

    #[test]
    fn derives_build_layout_from_test_executable() {
        let known = [PathBuf::from("/w/target")];
        assert_eq!(
            build_layout(Path::new("/w/target/debug/deps/fixtures-abc"), &known),
            BuildLayout {
                profile: "dev".into(),
                target: None,
                target_dir: None
            }
        );
        assert_eq!(
            build_layout(Path::new("/w/target/release/deps/fixtures-abc"), &known).profile,
            "release"
        );
        assert_eq!(
            build_layout(
                Path::new("/w/target/x86_64-unknown-linux-gnu/ci/deps/t"),
                &known
            ),
            BuildLayout {
                profile: "ci".into(),
                target: Some("x86_64-unknown-linux-gnu".into()),
                target_dir: None
            }
        );
        assert_eq!(
            build_layout(Path::new("/other/debug/deps/t"), &known),
            BuildLayout {
                profile: "dev".into(),
                target: None,
                target_dir: Some(PathBuf::from("/other"))
            }
        );
    }

    #[test]
    fn the_running_test_executable_has_a_known_layout() {
        // This very unit test binary lives in target/<profile>/deps.
        let exe = std::env::current_exe().unwrap();
        let target = workspace_root().join("target");
        if exe.starts_with(&target) && std::env::var_os("CARGO_TARGET_DIR").is_none() {
            let layout = build_layout(&exe, &[target]);
            assert_eq!(layout.target_dir, None, "{layout:?}");
        }
    }

    #[test]
    fn plans_runs_over_a_fixture_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "fn main() {}\n").unwrap();
        };
        write("fixtures/Cargo.toml");
        write("fixtures/src/bin/a.rs");
        write("fixtures/src/bin/b/main.rs");
        write("fixtures/src/common.rs");
        write("fixtures/target/debug/build/x/out/gen.rs");
        write("fixtures/.hidden/x.rs");
        write("fixtures/tapi3/init.rs");
        write("fixtures/tapi3/helpers/mod.rs");
        write("fixtures/crates/multi/Cargo.toml");
        write("fixtures/crates/multi/src/main.rs");
        write("fixtures/crates/multi/src/state.rs");
        write("fixtures/crates/multi/target/x.rs");
        write("fixtures/crates/notacrate/loose.rs");

        let runs = plan_runs(root);
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "fixtures package",
                "loose fixtures/tapi3",
                "crate fixtures/crates/multi"
            ]
        );
        assert_eq!(
            runs[0].args,
            vec![
                "tapi-lint",
                "--manifest-path",
                "fixtures/Cargo.toml",
                "--message-format",
                "json"
            ]
        );
        assert!(runs[0].package);
        assert_eq!(
            runs[0].files,
            vec![
                "fixtures/crates/notacrate/loose.rs",
                "fixtures/src/bin/a.rs",
                "fixtures/src/bin/b/main.rs",
                "fixtures/src/common.rs",
            ]
        );
        assert_eq!(
            runs[1].args,
            vec![
                "tapi-lint",
                "--message-format",
                "json",
                "fixtures/tapi3/init.rs"
            ]
        );
        assert!(!runs[1].package);
        assert_eq!(
            runs[1].files,
            vec!["fixtures/tapi3/helpers/mod.rs", "fixtures/tapi3/init.rs"]
        );
        assert_eq!(
            runs[2].args,
            vec![
                "tapi-lint",
                "--manifest-path",
                "fixtures/crates/multi/Cargo.toml",
                "--message-format",
                "json"
            ]
        );
        assert_eq!(
            runs[2].files,
            vec![
                "fixtures/crates/multi/src/main.rs",
                "fixtures/crates/multi/src/state.rs"
            ]
        );
        assert_eq!(
            runs[2].bases,
            vec!["fixtures/crates/multi".to_owned(), String::new()]
        );
    }

    #[cfg(unix)]
    #[test]
    fn run_with_timeout_captures_and_kills() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = run_with_timeout(cmd, Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");

        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_with_timeout(cmd, Duration::from_millis(200))
        }));
        assert!(panic.is_err());
    }
}
