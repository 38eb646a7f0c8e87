//! Discovery: which crates to analyze.
//!
//! Without loose paths, the cargo workspace is read with `cargo metadata
//! --no-deps` (nothing is built) and packages are selected as `cargo check`
//! selects them: `-p` names them; `--workspace` takes every member;
//! otherwise the package of the manifest (`--manifest-path`, or the nearest
//! `Cargo.toml` above the current directory), or the workspace's default
//! members when that manifest is the workspace root. `--exclude` removes
//! packages. Every target of a selected package is a crate (lib, bins,
//! examples, tests, benches, build script), whatever target flags were
//! given; targets sharing a root file are analyzed once.
//!
//! With loose `FILE_OR_DIR` arguments, each file is a crate root, and each
//! directory contributes every `.rs` file under it (except under `target/`
//! and hidden directories); the driver then drops candidate roots that are
//! modules of another one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cargo_metadata::{Metadata, MetadataCommand, Package};

use crate::cli::Args;
use crate::report::{Origin, TargetJson};

/// One crate to analyze.
#[derive(Debug, Clone)]
pub struct CrateInput {
    /// The target name, or the file stem of a loose root.
    pub name: String,
    /// The root file, absolute.
    pub root: PathBuf,
    pub origin: Option<Arc<Origin>>,
    /// Crates of the same package it can use, by crate name and root file
    /// (a binary and its package's library): their code is followed too.
    pub deps: Vec<(String, PathBuf)>,
}

/// What to analyze and where display paths are relative to.
#[derive(Debug, Clone)]
pub struct Selection {
    pub crates: Vec<CrateInput>,
    /// The workspace root (cargo) or the current directory (loose files).
    pub base: PathBuf,
    /// Loose files: candidate roots, of which those reached as a module of
    /// another are dropped.
    pub loose: bool,
}

/// Discovery failed; the message is printed as `error: {0}`, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverError(pub String);

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn discover(args: &Args) -> Result<Selection, DiscoverError> {
    let cwd = std::env::current_dir()
        .map_err(|e| DiscoverError(format!("cannot read the current directory: {e}")))?;
    discover_from(args, &cwd)
}

/// [`discover`] as if run in `cwd` (the language server discovers each
/// workspace folder without changing its own directory).
pub fn discover_from(args: &Args, cwd: &Path) -> Result<Selection, DiscoverError> {
    if args.paths.is_empty() {
        cargo_targets(args, cwd)
    } else {
        loose_files(&args.paths, cwd)
    }
}

fn cargo_targets(args: &Args, cwd: &Path) -> Result<Selection, DiscoverError> {
    let mut cmd = MetadataCommand::new();
    cmd.no_deps().current_dir(cwd);
    if let Some(m) = &args.manifest_path {
        cmd.manifest_path(m);
    }
    let metadata = cmd.exec().map_err(|e| match e {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            DiscoverError(format!("`cargo metadata` failed:\n{}", stderr.trim_end()))
        }
        other => DiscoverError(format!("`cargo metadata` failed: {other}")),
    })?;
    let packages = select_packages(&metadata, args, cwd)?;
    let base = metadata.workspace_root.clone().into_std_path_buf();
    let mut seen = HashSet::new();
    let mut crates = Vec::new();
    for pkg in packages {
        // The package's library, which its binaries, tests and examples use.
        let lib = pkg
            .targets
            .iter()
            .find(|t| {
                t.kind
                    .iter()
                    .any(|k| matches!(k.to_string().as_str(), "lib" | "rlib" | "proc-macro"))
            })
            .map(|t| {
                (
                    t.name.replace('-', "_"),
                    t.src_path.clone().into_std_path_buf(),
                )
            });
        for t in &pkg.targets {
            let root = t.src_path.clone().into_std_path_buf();
            let key = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
            if !seen.insert(key) {
                continue;
            }
            if !root.is_file() {
                return Err(DiscoverError(format!(
                    "the root file of target `{}` of package `{}` does not exist: {}",
                    t.name,
                    pkg.name,
                    root.display()
                )));
            }
            let origin = Origin {
                package_id: pkg.id.repr.clone(),
                manifest_path: pkg.manifest_path.to_string(),
                target: TargetJson {
                    kind: t.kind.iter().map(|k| k.to_string()).collect(),
                    crate_types: t.crate_types.iter().map(|k| k.to_string()).collect(),
                    name: t.name.clone(),
                    src_path: t.src_path.to_string(),
                    edition: t.edition.to_string(),
                    doc: t.doc,
                    doctest: t.doctest,
                    test: t.test,
                },
            };
            let deps = match &lib {
                Some((name, lib_root)) if *lib_root != root => {
                    vec![(name.clone(), lib_root.clone())]
                }
                _ => Vec::new(),
            };
            crates.push(CrateInput {
                name: t.name.clone(),
                root,
                origin: Some(Arc::new(origin)),
                deps,
            });
        }
    }
    if crates.is_empty() {
        return Err(DiscoverError(
            "the selected packages have no targets: no Rust sources to lint".into(),
        ));
    }
    Ok(Selection {
        crates,
        base,
        loose: false,
    })
}

/// Whether `spec` (`name`, `name@version`, `name:version`, with `*`/`?`
/// globs in the name) names `pkg`.
fn spec_matches(spec: &str, pkg: &Package) -> bool {
    let (name, version) = match spec.split_once(['@', ':']) {
        Some((n, v)) if !spec.contains("://") => (n, Some(v)),
        _ => (spec, None),
    };
    glob_match(name, &pkg.name) && version.is_none_or(|v| pkg.version.to_string().starts_with(v))
}

fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

fn select_packages<'m>(
    metadata: &'m Metadata,
    args: &Args,
    cwd: &Path,
) -> Result<Vec<&'m Package>, DiscoverError> {
    let members: Vec<&Package> = metadata.workspace_packages();
    let mut selected: Vec<&Package> = if !args.package.is_empty() {
        let mut out: Vec<&Package> = Vec::new();
        for spec in &args.package {
            let hits: Vec<&Package> = members
                .iter()
                .copied()
                .filter(|p| spec_matches(spec, p))
                .collect();
            if hits.is_empty() {
                return Err(DiscoverError(format!(
                    "package ID specification `{spec}` did not match any packages"
                )));
            }
            for h in hits {
                if !out.iter().any(|p| p.id == h.id) {
                    out.push(h);
                }
            }
        }
        out
    } else if args.workspace {
        members.clone()
    } else {
        default_packages(metadata, &members, args.manifest_path.as_deref(), cwd)
    };
    for spec in &args.exclude {
        selected.retain(|p| !spec_matches(spec, p));
    }
    if selected.is_empty() {
        return Err(DiscoverError(
            "no packages selected: no Rust sources to lint".into(),
        ));
    }
    Ok(selected)
}

/// What `cargo check` without package flags checks.
fn default_packages<'m>(
    metadata: &'m Metadata,
    members: &[&'m Package],
    manifest_path: Option<&Path>,
    cwd: &Path,
) -> Vec<&'m Package> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let manifest = match manifest_path {
        Some(m) => Some(canon(&if m.is_absolute() {
            m.to_path_buf()
        } else {
            cwd.join(m)
        })),
        None => cwd
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.is_file())
            .map(|m| canon(&m)),
    };
    let root_manifest = canon(metadata.workspace_root.join("Cargo.toml").as_std_path());
    if let Some(manifest) = &manifest
        && *manifest != root_manifest
        && let Some(pkg) = members
            .iter()
            .find(|p| canon(p.manifest_path.as_std_path()) == *manifest)
    {
        return vec![*pkg];
    }
    if metadata.workspace_default_members.is_available() {
        let defaults: Vec<&Package> = members
            .iter()
            .copied()
            .filter(|p| metadata.workspace_default_members.contains(&p.id))
            .collect();
        if !defaults.is_empty() {
            return defaults;
        }
    }
    // Cargo older than 1.71: the root package, or every member of a
    // virtual workspace.
    match members
        .iter()
        .find(|p| canon(p.manifest_path.as_std_path()) == root_manifest)
    {
        Some(root) => vec![*root],
        None => members.to_vec(),
    }
}

fn loose_files(paths: &[PathBuf], cwd: &Path) -> Result<Selection, DiscoverError> {
    let mut files = Vec::new();
    for p in paths {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            cwd.join(p)
        };
        let meta = std::fs::metadata(&abs)
            .map_err(|e| DiscoverError(format!("cannot read `{}`: {e}", p.display())))?;
        if meta.is_dir() {
            let before = files.len();
            walk_rs(&abs, &mut files).map_err(|e| {
                DiscoverError(format!("cannot read directory `{}`: {e}", p.display()))
            })?;
            if files.len() == before {
                return Err(DiscoverError(format!(
                    "no Rust sources (`.rs` files) in `{}`",
                    p.display()
                )));
            }
        } else {
            files.push(abs);
        }
    }
    let mut seen = HashSet::new();
    let mut crates = Vec::new();
    for f in files {
        let canon = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
        if !seen.insert(canon.clone()) {
            continue;
        }
        let name = canon
            .file_stem()
            .map(|s| s.to_string_lossy().replace('-', "_"))
            .unwrap_or_default();
        crates.push(CrateInput {
            name,
            root: canon,
            origin: None,
            deps: Vec::new(),
        });
    }
    let base = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    Ok(Selection {
        crates,
        base,
        loose: true,
    })
}

/// Every `.rs` file under `dir`, sorted, skipping `target/` and hidden
/// directories.
pub fn walk_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ty = e.file_type()?;
        let path = e.path();
        if ty.is_dir() || (ty.is_symlink() && path.is_dir()) {
            if name.starts_with('.') || name == "target" || ty.is_symlink() {
                continue;
            }
            walk_rs(&path, out)?;
        } else if name.ends_with(".rs") && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_package_names() {
        assert!(glob_match("tapi-*", "tapi-model"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn walking_skips_target_and_hidden_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "src/lib.rs",
            "src/a/b.rs",
            "target/debug/x.rs",
            ".git/y.rs",
            "notes.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let mut out = Vec::new();
        walk_rs(root, &mut out).unwrap();
        let rel: Vec<_> = out
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            rel,
            [PathBuf::from("src/a/b.rs"), PathBuf::from("src/lib.rs")]
        );
    }
}
