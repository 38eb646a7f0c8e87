//! How much stack parsing needs, per level of nesting, for every construct
//! that makes `syn` (or the drop of its tree, or `lower_file`) recurse —
//! and a check that `tapi_lint::stack::stack_needed` bounds it.
//!
//! The peak is read as the resident size of a fresh thread's stack mapping
//! (`/proc/self/smaps`): pages of a thread stack are only committed when
//! touched, and stay committed, so after the work the mapping's `Rss` is the
//! high-water mark. Linux only.
//!
//! `cargo test -p cargo-tapi-lint --test stack_measure -- --ignored --nocapture`
//! prints the table in `src/stack.rs` (add `--release` for the release
//! column).
#![cfg(target_os = "linux")]

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use tapi_lint::source::FileId;
use tapi_lint::stack::{deep_nesting_samples, nesting_estimate, stack_needed};

/// The resident bytes of the mapping that holds the current thread's stack.
fn current_stack_rss() -> usize {
    let marker = 0u8;
    let addr = std::hint::black_box(&marker) as *const u8 as usize;
    let smaps = std::fs::read_to_string("/proc/self/smaps").expect("read /proc/self/smaps");
    let mut inside = false;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if let Some((lo, hi)) = first.split_once('-')
            && let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
        {
            inside = lo <= addr && addr < hi;
            continue;
        }
        if inside && let Some(kb) = line.strip_prefix("Rss:") {
            let kb: usize = kb
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .expect("Rss in kB");
            return kb * 1024;
        }
    }
    panic!("no mapping holds the stack address {addr:#x}");
}

#[derive(Clone, Copy, Debug)]
enum Work {
    /// `syn::parse_file`, then drop the tree.
    Syn,
    /// `tapi_lint::lower::lower_file` (which parses, lowers and drops).
    Lower,
}

static UNIQUE: AtomicUsize = AtomicUsize::new(0);

/// Peak stack bytes `work` needs on `text`, on a fresh 1 GiB (+ a unique
/// few pages, so glibc cannot hand back a cached, already touched stack)
/// thread.
fn peak(work: Work, text: &str) -> usize {
    let extra = UNIQUE.fetch_add(1, Ordering::Relaxed) * 16 * 4096;
    let text = text.to_owned();
    std::thread::Builder::new()
        .stack_size((1 << 30) + extra)
        .spawn(move || {
            match work {
                Work::Syn => {
                    let parsed = syn::parse_file(&text);
                    assert!(parsed.is_ok(), "sample does not parse: {:?}", parsed.err());
                    drop(std::hint::black_box(parsed));
                }
                Work::Lower => {
                    let ir = tapi_lint::lower::lower_file(
                        FileId(0),
                        Path::new("sample.rs"),
                        &text,
                        vec!["crate".to_owned()],
                    );
                    assert!(ir.parse_error.is_none(), "{:?}", ir.parse_error);
                    drop(std::hint::black_box(ir));
                }
            }
            proc_macro2::extra::invalidate_current_thread_spans();
            current_stack_rss()
        })
        .expect("spawn a measuring thread")
        .join()
        .expect("the measuring thread panicked")
}

/// Every construct, at a depth where the whole file still parses quickly:
/// the measured peak must stay below the bound the driver plans with.
#[test]
fn stack_needed_bounds_the_measured_peak_of_every_construct() {
    const DEPTH: usize = 1500;
    for (name, text) in deep_nesting_samples(DEPTH) {
        let bound = stack_needed(&text);
        for work in [Work::Syn, Work::Lower] {
            let used = peak(work, &text);
            assert!(
                used <= bound,
                "{name} ({work:?}, depth {DEPTH}): used {used} bytes of stack, the bound is {bound}"
            );
        }
    }
}

#[test]
#[ignore = "measurement: prints the table documented in src/stack.rs"]
fn measure_stack_per_level() {
    const D1: usize = 1000;
    const D2: usize = 3000;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("profile: {profile}; bytes of stack between depth {D1} and {D2}");
    println!(
        "| {:<26} | {:>11} | {:>13} | {:>13} | {:>11} | {:>11} |",
        "construct", "units/level", "syn B/level", "lower B/level", "syn B/unit", "lower B/unit"
    );
    let samples1 = deep_nesting_samples(D1);
    let samples2 = deep_nesting_samples(D2);
    let (mut worst_syn, mut worst_lower) = (0.0f64, 0.0f64);
    for ((name, t1), (_, t2)) in samples1.iter().zip(&samples2) {
        let units = (nesting_estimate(t2) - nesting_estimate(t1)) as f64;
        let levels = (D2 - D1) as f64;
        let syn = (peak(Work::Syn, t2) as f64 - peak(Work::Syn, t1) as f64).max(0.0);
        let lower = (peak(Work::Lower, t2) as f64 - peak(Work::Lower, t1) as f64).max(0.0);
        worst_syn = worst_syn.max(syn / units);
        worst_lower = worst_lower.max(lower / units);
        println!(
            "| {:<26} | {:>11.2} | {:>13.0} | {:>13.0} | {:>11.0} | {:>11.0} |",
            name,
            units / levels,
            syn / levels,
            lower / levels,
            syn / units,
            lower / units
        );
    }
    println!(
        "worst bytes per estimate unit: syn {worst_syn:.0}, lower_file {worst_lower:.0}; \
         BYTES_PER_UNIT = {}",
        tapi_lint::stack::BYTES_PER_UNIT
    );
}
