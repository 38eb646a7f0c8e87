//! Configuration: `tapi-lint.toml`, found upward from the manifest
//! directory, and the `[workspace.metadata.tapi-lint]` and
//! `[package.metadata.tapi-lint]` tables of the manifests (never
//! `[lints.tapi]`: cargo passes that table to rustc, which rejects it).
//!
//! ```toml
//! exclude = ["src/generated/**"]      # findings there are not reported
//!
//! [lints]                             # levels: allow, warn, deny (or error)
//! release_order = "deny"
//!
//! [[wrapper]]                         # the program's own FFI shims
//! function = "shim_open_line"         # a name, or a path suffix: `shim::open_line`
//! acquires = "line"                   # line_app, line, call, request_recipient, phone_app, phone
//! handle = "return"                   # or "arg2": the out-pointer argument (0-based)
//! success = "nonzero"                 # return: "nonzero"; out-pointer: "zero" (default) or "positive"
//! parent = "arg0"                     # optional: the argument holding its parent
//!
//! [[wrapper]]
//! function = "shim_close_line"
//! releases = "line"
//! handle = "arg0"
//! ```
//!
//! Levels apply in this order, later ones winning: the registry's
//! defaults, `tapi-lint.toml`, the workspace table, the package's table
//! (for that package's findings), then the command line.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use tapi_model::{Creates, Effect, Function, HandleParam, ParentSlot, ResourceKind, Slot, Success};
use toml::Spanned;

use crate::lints::{self, Level};

pub const FILE_NAME: &str = "tapi-lint.toml";

/// Everything the configuration says, merged.
#[derive(Debug, Default)]
pub struct Config {
    /// Levels for every package, as `(level, lint)` flags.
    pub levels: Vec<(Level, String)>,
    /// Levels for one package's findings, by manifest path.
    pub package_levels: HashMap<String, Vec<(Level, String)>>,
    pub exclude: Exclude,
    pub wrappers: Wrappers,
    /// The files read, for `-v`.
    pub sources: Vec<PathBuf>,
}

/// Paths whose findings are not reported. Their code is still analyzed,
/// since callers elsewhere depend on what it does.
#[derive(Debug, Default)]
pub struct Exclude {
    /// Each set matches paths relative to the directory of the file that
    /// declared it.
    sets: Vec<(PathBuf, GlobSet)>,
}

impl Exclude {
    pub fn matches(&self, path: &Path) -> bool {
        self.sets.iter().any(|(base, set)| {
            path.strip_prefix(base)
                .is_ok_and(|relative| set.is_match(relative))
        })
    }
}

/// The program's own functions declared as acquiring or releasing.
#[derive(Debug, Default)]
pub struct Wrappers {
    entries: Vec<(Vec<String>, &'static Function)>,
}

impl Wrappers {
    /// The declaration whose path is a suffix of `canonical`.
    pub fn lookup(&self, canonical: &[String]) -> Option<&'static Function> {
        self.entries
            .iter()
            .find(|(path, _)| canonical.ends_with(path))
            .map(|(_, f)| *f)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A malformed configuration: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid configuration in {}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Where to look.
pub struct Inputs<'a> {
    /// Where the search for `tapi-lint.toml` starts (the manifest's
    /// directory, or the current one).
    pub start: &'a Path,
    /// The workspace's root manifest, if there is a workspace.
    pub workspace_manifest: Option<&'a Path>,
    /// The selected packages' manifests.
    pub package_manifests: Vec<&'a Path>,
}

pub fn load(inputs: &Inputs<'_>) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    if let Some(file) = find_upward(inputs.start) {
        let text = read(&file)?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
        config.merge(&file, &text, raw, None)?;
    }
    if let Some(manifest) = inputs.workspace_manifest
        && let Some((text, raw)) = manifest_table(manifest, Table::Workspace)?
    {
        config.merge(manifest, &text, raw, None)?;
    }
    for manifest in &inputs.package_manifests {
        if let Some((text, raw)) = manifest_table(manifest, Table::Package)? {
            let key = manifest.display().to_string();
            config.merge(manifest, &text, raw, Some(key))?;
        }
    }
    Ok(config)
}

fn find_upward(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: format!("cannot read it: {e}"),
    })
}

#[derive(Clone, Copy)]
enum Table {
    Workspace,
    Package,
}

/// The `tapi-lint` table of a manifest's `[workspace.metadata]` or
/// `[package.metadata]`, read with its locations.
fn manifest_table(path: &Path, table: Table) -> Result<Option<(String, RawConfig)>, ConfigError> {
    #[derive(Deserialize)]
    struct Manifest {
        workspace: Option<Section>,
        package: Option<Section>,
    }
    #[derive(Deserialize)]
    struct Section {
        metadata: Option<Metadata>,
    }
    #[derive(Deserialize)]
    struct Metadata {
        #[serde(rename = "tapi-lint")]
        tapi_lint: Option<RawConfig>,
    }
    let text = read(path)?;
    // A manifest that does not parse is cargo's to report; only the
    // table, when it can be read, is ours.
    if !text.contains("tapi-lint") {
        return Ok(None);
    }
    let manifest: Manifest = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    let section = match table {
        Table::Workspace => manifest.workspace,
        Table::Package => manifest.package,
    };
    Ok(section
        .and_then(|s| s.metadata)
        .and_then(|m| m.tapi_lint)
        .map(|raw| (text, raw)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    lints: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default, rename = "wrapper")]
    wrappers: Vec<RawWrapper>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWrapper {
    function: Spanned<String>,
    acquires: Option<Spanned<String>>,
    releases: Option<Spanned<String>>,
    handle: Spanned<String>,
    success: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
}

impl Config {
    fn merge(
        &mut self,
        path: &Path,
        text: &str,
        raw: RawConfig,
        package: Option<String>,
    ) -> Result<(), ConfigError> {
        let error = |span: Range<usize>, message: String| located(path, text, span, message);
        let mut levels = Vec::new();
        for (name, level) in &raw.lints {
            let lint = lints::find(name.get_ref())
                .ok_or_else(|| error(name.span(), format!("unknown lint `{}`", name.get_ref())))?;
            let level = match level.get_ref().as_str() {
                "allow" => Level::Allow,
                "warn" => Level::Warn,
                "deny" | "error" => Level::Error,
                other => {
                    return Err(error(
                        level.span(),
                        format!(
                            "unknown level `{other}`; expected \"allow\", \"warn\" or \"deny\""
                        ),
                    ));
                }
            };
            levels.push((level, lint.name.to_owned()));
        }
        match package {
            Some(key) => self.package_levels.entry(key).or_default().extend(levels),
            None => self.levels.extend(levels),
        }

        if !raw.exclude.is_empty() {
            let mut set = GlobSetBuilder::new();
            for pattern in &raw.exclude {
                let glob = Glob::new(pattern.get_ref())
                    .map_err(|e| error(pattern.span(), format!("invalid pattern: {e}")))?;
                set.add(glob);
            }
            let set = set
                .build()
                .map_err(|e| error(0..0, format!("invalid exclude patterns: {e}")))?;
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let base = std::fs::canonicalize(&base).unwrap_or(base);
            self.exclude.sets.push((base, set));
        }

        for wrapper in &raw.wrappers {
            let function = wrapper_function(wrapper).map_err(|(span, m)| error(span, m))?;
            let path = wrapper
                .function
                .get_ref()
                .split("::")
                .map(str::to_owned)
                .collect();
            self.wrappers.entries.push((path, function));
        }
        self.sources.push(path.to_owned());
        Ok(())
    }
}

/// A wrapper declaration as a row of the model (leaked: the model's rows
/// are `'static`, and a configuration is read once per run).
fn wrapper_function(w: &RawWrapper) -> Result<&'static Function, (Range<usize>, String)> {
    let name = w.function.get_ref();
    if name.is_empty() || name.split("::").any(|s| s.is_empty()) {
        return Err((
            w.function.span(),
            format!("`{name}` is not a function name or path"),
        ));
    }
    let handle = slot(&w.handle)?;
    let effect_kind = |s: &Spanned<String>| kind(s);
    let (effect, handles) = match (&w.acquires, &w.releases) {
        (Some(k), None) => {
            let kind = effect_kind(k)?;
            let success = match (
                handle,
                w.success.as_ref().map(|s| (s.get_ref().as_str(), s.span())),
            ) {
                (Slot::Return | Slot::Receiver, None | Some(("nonzero", _))) => Success::Zero,
                (Slot::Arg(_), None | Some(("zero", _))) => Success::Zero,
                (Slot::Arg(_), Some(("positive", _))) => Success::Positive,
                (Slot::Return | Slot::Receiver, Some((_, span))) => {
                    return Err((span, "a returned handle is acquired when it is non-zero: `success = \"nonzero\"`".to_owned()));
                }
                (_, Some((other, span))) => {
                    return Err((
                        span,
                        format!(
                            "unknown success condition `{other}`; expected \"zero\" or \"positive\""
                        ),
                    ));
                }
            };
            let mut handles = Vec::new();
            let parent = match &w.parent {
                None => ParentSlot::None,
                Some(p) => {
                    let Slot::Arg(i) = slot(p)? else {
                        return Err((
                            p.span(),
                            "the parent is an argument: `parent = \"arg0\"`".to_owned(),
                        ));
                    };
                    let Some(&parent_kind) = kind.parents().first() else {
                        return Err((p.span(), format!("a {} has no parent", kind.noun())));
                    };
                    handles.push(HandleParam {
                        index: i,
                        kind: parent_kind,
                    });
                    ParentSlot::Handle(Slot::Arg(i))
                }
            };
            let creates = Box::leak(Box::new([Creates {
                kind,
                out: handle,
                parent,
            }]));
            (Effect::Acquire { creates, success }, handles)
        }
        (None, Some(k)) => {
            let kind = effect_kind(k)?;
            let Slot::Arg(i) = handle else {
                return Err((
                    w.handle.span(),
                    "a release takes its handle as an argument: `handle = \"arg0\"`".to_owned(),
                ));
            };
            if let Some(extra) = [&w.success, &w.parent].into_iter().flatten().next() {
                return Err((
                    extra.span(),
                    "only acquiring wrappers take `success` and `parent`".to_owned(),
                ));
            }
            (
                Effect::Release {
                    kind,
                    handle: Slot::Arg(i),
                },
                vec![HandleParam { index: i, kind }],
            )
        }
        _ => {
            return Err((
                w.function.span(),
                format!("wrapper `{name}` needs exactly one of `acquires` or `releases`"),
            ));
        }
    };
    Ok(Box::leak(Box::new(Function {
        name: Box::leak(
            name.rsplit("::")
                .next()
                .unwrap_or(name)
                .to_owned()
                .into_boxed_str(),
        ),
        arity: usize::MAX,
        effect,
        handles: Box::leak(handles.into_boxed_slice()),
    })))
}

fn slot(s: &Spanned<String>) -> Result<Slot, (Range<usize>, String)> {
    let text = s.get_ref();
    if text == "return" {
        return Ok(Slot::Return);
    }
    text.strip_prefix("arg")
        .and_then(|n| n.parse().ok())
        .map(Slot::Arg)
        .ok_or_else(|| {
            (
                s.span(),
                format!("`{text}` is neither \"return\" nor \"argN\" (0-based)"),
            )
        })
}

fn kind(s: &Spanned<String>) -> Result<ResourceKind, (Range<usize>, String)> {
    // Only TAPI 2 kinds: a C shim hands out handles, not COM objects.
    Ok(match s.get_ref().as_str() {
        "line_app" => ResourceKind::LineApp,
        "line" => ResourceKind::Line,
        "call" => ResourceKind::Call,
        "request_recipient" => ResourceKind::RequestRecipient,
        "phone_app" => ResourceKind::PhoneApp,
        "phone" => ResourceKind::Phone,
        other => {
            return Err((
                s.span(),
                format!(
                    "unknown resource kind `{other}`; expected line_app, line, call, \
                     request_recipient, phone_app or phone"
                ),
            ));
        }
    })
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    located(
        path,
        text,
        e.span().unwrap_or(0..0),
        e.message().trim_end().to_owned(),
    )
}

fn located(path: &Path, text: &str, span: Range<usize>, message: String) -> ConfigError {
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ConfigError {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn load_from(start: &Path) -> Result<Config, ConfigError> {
        load(&Inputs {
            start,
            workspace_manifest: None,
            package_manifests: Vec::new(),
        })
    }

    #[test]
    fn the_file_is_found_upward_and_read() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            FILE_NAME,
            "exclude = [\"gen/**\"]\n[lints]\nrelease_order = \"deny\"\n\"tapi::line_not_closed\" = \"warn\"\n\n[[wrapper]]\nfunction = \"shim::open_line\"\nacquires = \"line\"\nhandle = \"return\"\nparent = \"arg0\"\n",
        );
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        let config = load_from(&nested).unwrap();
        assert_eq!(
            config.levels,
            [
                (Level::Error, "release_order".to_owned()),
                (Level::Warn, "line_not_closed".to_owned())
            ]
        );
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert!(config.exclude.matches(&root.join("gen/x/y.rs")));
        assert!(!config.exclude.matches(&root.join("src/gen.rs")));
        let canon = |p: &str| p.split("::").map(str::to_owned).collect::<Vec<_>>();
        let f = config
            .wrappers
            .lookup(&canon("crate::ffi::shim::open_line"))
            .unwrap();
        assert_eq!(f.name, "open_line");
        assert!(matches!(
            f.effect,
            Effect::Acquire {
                creates: [Creates {
                    kind: ResourceKind::Line,
                    out: Slot::Return,
                    parent: ParentSlot::Handle(Slot::Arg(0))
                }],
                ..
            }
        ));
        assert!(config.wrappers.lookup(&canon("crate::open_line")).is_none());
    }

    #[test]
    fn errors_point_at_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("[lints]\nline_not_close = \"warn\"\n", 2, 1, "unknown lint"),
            (
                "[lints]\nline_not_closed = \"loud\"\n",
                2,
                19,
                "unknown level",
            ),
            (
                "[[wrapper]]\nfunction = \"f\"\nacquires = \"lines\"\nhandle = \"arg0\"\n",
                3,
                12,
                "unknown resource kind",
            ),
            (
                "[[wrapper]]\nfunction = \"f\"\nreleases = \"line\"\nhandle = \"return\"\n",
                4,
                10,
                "takes its handle as an argument",
            ),
            (
                "[[wrapper]]\nfunction = \"f\"\nhandle = \"arg0\"\n",
                2,
                12,
                "exactly one of",
            ),
            ("colour = true\n", 1, 1, "unknown field"),
            ("[lints\n", 1, 7, ""),
        ];
        for (text, line, column, message) in cases {
            write(dir.path(), FILE_NAME, text);
            let e = load_from(dir.path()).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
            assert!(e.message.contains(message), "{text}: {e}");
        }
    }

    #[test]
    fn manifest_tables_are_read_with_locations() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = write(
            dir.path(),
            "Cargo.toml",
            "[package]\nname = \"p\"\nversion = \"0.1.0\"\n\n[package.metadata.tapi-lint.lints]\nrelease_order = \"allow\"\n\n[workspace.metadata.tapi-lint]\nexclude = [\"[\"]\n",
        );
        let config = load(&Inputs {
            start: dir.path(),
            workspace_manifest: None,
            package_manifests: vec![&manifest],
        })
        .unwrap();
        assert_eq!(
            config.package_levels[&manifest.display().to_string()],
            [(Level::Allow, "release_order".to_owned())]
        );
        let e = load(&Inputs {
            start: dir.path(),
            workspace_manifest: Some(&manifest),
            package_manifests: Vec::new(),
        })
        .unwrap_err();
        assert_eq!((e.line, e.column), (9, 12), "{e}");
    }
}
