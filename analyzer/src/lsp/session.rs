//! The analysis behind the server: the workspace discovered as the command
//! line discovers it, analyzed again after every change with the open
//! documents in place of the files on disk, reusing what did not change.
//!
//! Two caches make a new analysis cheap:
//!
//! * the lowered IR of every file, keyed by path, module path and file id
//!   (spans in the IR carry the id), checked against a hash of the text:
//!   only edited files are parsed and lowered again;
//! * a [`CheckMemo`] per crate: only the functions an edit can have changed
//!   are summarised and checked again (see `check::incremental`).
//!
//! Entries not used by the last analysis are dropped, so the caches hold
//! one version of the workspace.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::check::CheckMemo;
use crate::cli::Args;
use crate::config::Wrappers;
use crate::diagnostic::Finding;
use crate::discover::{self, CrateInput, Selection};
use crate::driver::{self, Analysis, AnalyzeOptions, FreshStages, LowerJob, Lowered, Stages};
use crate::ir::CrateIr;
use crate::source::{FileId, SourceMap};
use crate::stack;

use super::documents::Documents;

/// The results of one analysis of everything: one [`Analysis`] per cargo
/// workspace, and one for the open files that belong to none.
#[derive(Default)]
pub struct Snapshot {
    pub analyses: Vec<Analysis>,
}

pub struct Session {
    roots: Vec<PathBuf>,
    /// Each workspace with the options its configuration gives.
    workspaces: Vec<(Selection, AnalyzeOptions)>,
    pool: rayon::ThreadPool,
    /// For files of no workspace: the defaults.
    loose_options: AnalyzeOptions,
    caches: Caches,
}

impl Session {
    /// Discovers the cargo workspace of each root (a folder the editor
    /// opened); a root that is none is left out, its files analyzed alone
    /// when opened. Returns the session and what could not be discovered.
    pub fn new(roots: Vec<PathBuf>) -> Result<(Session, Vec<String>), String> {
        let pool =
            stack::build_pool(None).map_err(|e| format!("cannot start worker threads: {e}"))?;
        let mut session = Session {
            roots,
            workspaces: Vec::new(),
            pool,
            loose_options: AnalyzeOptions::default(),
            caches: Caches::default(),
        };
        let problems = session.discover();
        Ok((session, problems))
    }

    /// Reads the workspaces and their configuration again (a `Cargo.toml`
    /// or `tapi-lint.toml` changed); returns what could not be discovered
    /// or configured (such a workspace is analyzed with the defaults).
    pub fn discover(&mut self) -> Vec<String> {
        let args = Args {
            workspace: true,
            ..Args::default()
        };
        let mut problems = Vec::new();
        self.workspaces.clear();
        for root in &self.roots {
            match discover::discover_from(&args, root) {
                // Two folders of one workspace: analyze it once.
                Ok(selection)
                    if self
                        .workspaces
                        .iter()
                        .any(|(w, _)| w.base == selection.base) => {}
                Ok(selection) => {
                    let options =
                        driver::configured_options(root, &selection).unwrap_or_else(|e| {
                            problems.push(format!("{}: {e}", root.display()));
                            AnalyzeOptions::default()
                        });
                    self.workspaces.push((selection, options));
                }
                Err(e) => problems.push(format!("{}: not a cargo workspace: {e}", root.display())),
            }
        }
        problems
    }

    /// Analyzes every workspace, then the open documents none of them
    /// reached, each a crate of its own.
    pub fn analyze(&mut self, documents: &Documents) -> Snapshot {
        let overlay = documents.texts_by_path();
        let stages = RoundStages {
            overlay: &overlay,
            caches: &self.caches,
        };
        let mut analyses: Vec<Analysis> = self
            .workspaces
            .iter()
            .map(|(w, options)| driver::analyze_with(w, options, &self.pool, &stages))
            .collect();
        let reached: HashSet<&Path> = analyses
            .iter()
            .flat_map(|a| a.sources.iter().map(|(_, f)| f.path.as_path()))
            .collect();
        let mut loose: Vec<&PathBuf> = overlay
            .keys()
            .filter(|p| !reached.contains(p.as_path()) && p.extension().is_some_and(|e| e == "rs"))
            .collect();
        loose.sort();
        if !loose.is_empty() {
            let selection = Selection {
                crates: loose.iter().map(|p| loose_crate(p)).collect(),
                base: PathBuf::from("/"),
                loose: true,
            };
            analyses.push(driver::analyze_with(
                &selection,
                &self.loose_options,
                &self.pool,
                &stages,
            ));
        }
        self.caches.end_round();
        Snapshot { analyses }
    }
}

fn loose_crate(path: &Path) -> CrateInput {
    CrateInput {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        root: path.to_path_buf(),
        origin: None,
        deps: Vec::new(),
    }
}

/// What one lowering is a function of, besides the text.
#[derive(Clone, PartialEq, Eq, Hash)]
struct LowerKey {
    path: PathBuf,
    module_path: Vec<String>,
    file: FileId,
}

struct LoweredFile {
    text_hash: u64,
    text_len: usize,
    lowered: Lowered,
    used: bool,
}

/// A crate, as far as its check memo goes: its name and root file.
type CrateKey = (String, PathBuf);

struct Memo {
    memo: CheckMemo,
    used: bool,
}

#[derive(Default)]
struct Caches {
    lowered: Mutex<HashMap<LowerKey, LoweredFile>>,
    checks: Mutex<HashMap<CrateKey, Memo>>,
}

impl Caches {
    /// Forgets what the analysis just finished did not use.
    fn end_round(&mut self) {
        let lowered = self.lowered.get_mut().unwrap_or_else(|e| e.into_inner());
        lowered.retain(|_, f| std::mem::take(&mut f.used));
        let checks = self.checks.get_mut().unwrap_or_else(|e| e.into_inner());
        checks.retain(|_, m| std::mem::take(&mut m.used));
    }
}

fn text_hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The stages of one analysis: documents before the disk, caches before
/// work.
struct RoundStages<'a> {
    overlay: &'a HashMap<PathBuf, Arc<str>>,
    caches: &'a Caches,
}

impl Stages for RoundStages<'_> {
    fn read(&self, path: &Path) -> Result<Arc<str>, String> {
        match self.overlay.get(path) {
            Some(text) => Ok(text.clone()),
            None => FreshStages.read(path),
        }
    }

    fn lower(&self, job: &LowerJob<'_>) -> Lowered {
        let key = LowerKey {
            path: job.path.to_path_buf(),
            module_path: job.module_path.to_vec(),
            file: job.file,
        };
        let hash = text_hash(job.text);
        {
            let mut lowered = self
                .caches
                .lowered
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(f) = lowered.get_mut(&key)
                && f.text_hash == hash
                && f.text_len == job.text.len()
            {
                f.used = true;
                return f.lowered.clone();
            }
        }
        // Lowered outside the lock: other files lower in parallel.
        let fresh = job.run();
        let mut lowered = self
            .caches
            .lowered
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        lowered.insert(
            key,
            LoweredFile {
                text_hash: hash,
                text_len: job.text.len(),
                lowered: fresh.clone(),
                used: true,
            },
        );
        fresh
    }

    fn check(
        &self,
        krate: &CrateIr,
        sources: &SourceMap,
        wrappers: &Arc<Wrappers>,
    ) -> Vec<Finding> {
        let root = krate
            .files
            .first()
            .map(|f| sources.get(f.file).path.clone())
            .unwrap_or_default();
        let key = (krate.name.clone(), root);
        // Taken out while it runs: crates are checked in parallel.
        let mut memo = {
            let mut checks = self.caches.checks.lock().unwrap_or_else(|e| e.into_inner());
            checks.remove(&key).map(|m| m.memo).unwrap_or_default()
        };
        let found = memo.check(krate, sources, wrappers);
        let mut checks = self.caches.checks.lock().unwrap_or_else(|e| e.into_inner());
        checks.insert(key, Memo { memo, used: true });
        found
    }
}
