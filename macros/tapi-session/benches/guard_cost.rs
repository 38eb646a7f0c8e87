//! What the guard costs per intercepted call, against the same call made
//! raw. The TAPI functions are the real windows-sys declarations, resolved
//! here to stubs that do almost nothing, so the difference is the guard's
//! own work (the model lookup, the registry lock and map operations), not
//! the simulator's.
//!
//! Two workloads, each timed raw and inside a `#[tapi_session]` function:
//! - use: `lineSetStatusMessages(line, ..)` on a held line (one handle
//!   check per call);
//! - open/close: `lineOpenW` then `lineClose` (one acquisition and one
//!   release recorded, two intercepted calls per iteration).
//!
//! Prints the median of several runs of each, in ns per call.

use std::hint::black_box;
use std::ptr::null;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use tapi_session::tapi_session;
use windows_sys::Win32::Devices::Tapi::*;

static NEXT_LINE: AtomicU32 = AtomicU32::new(1);

#[unsafe(no_mangle)]
unsafe extern "system" fn lineSetStatusMessages(
    hline: u32,
    linestates: u32,
    addressstates: u32,
) -> i32 {
    black_box((hline, linestates, addressstates));
    0
}

#[unsafe(no_mangle)]
unsafe extern "system" fn lineOpenW(
    _app: u32,
    _device: u32,
    lphline: *mut u32,
    _api: u32,
    _ext: u32,
    _instance: usize,
    _privileges: u32,
    _media: u32,
    _params: *const LINECALLPARAMS,
) -> i32 {
    // SAFETY: the benchmark passes a valid pointer.
    unsafe { *lphline = NEXT_LINE.fetch_add(1, Ordering::Relaxed) };
    0
}

/// The guard's own release calls, which the benchmark never triggers but
/// the runtime links against.
mod releases {
    #[unsafe(no_mangle)]
    pub extern "system" fn lineClose(hline: u32) -> i32 {
        std::hint::black_box(hline);
        0
    }
    #[unsafe(no_mangle)]
    pub extern "system" fn lineDeallocateCall(_: u32) -> i32 {
        0
    }
    #[unsafe(no_mangle)]
    pub extern "system" fn lineShutdown(_: u32) -> i32 {
        0
    }
    #[unsafe(no_mangle)]
    pub extern "system" fn phoneClose(_: u32) -> i32 {
        0
    }
    #[unsafe(no_mangle)]
    pub extern "system" fn phoneShutdown(_: u32) -> i32 {
        0
    }
    #[unsafe(no_mangle)]
    pub extern "system" fn lineRegisterRequestRecipient(_: u32, _: u32, _: u32, _: u32) -> i32 {
        0
    }
}

const ITERATIONS: u32 = 1_000_000;
const RUNS: usize = 9;

fn raw_use(line: u32) {
    for _ in 0..ITERATIONS {
        black_box(unsafe { lineSetStatusMessages(black_box(line), 0, 0) });
    }
}

#[tapi_session]
fn guarded_use() {
    let mut line = 0u32;
    unsafe { lineOpenW(1, 0, &mut line, 0, 0, 0, 0, 0, null()) };
    for _ in 0..ITERATIONS {
        black_box(unsafe { lineSetStatusMessages(black_box(line), 0, 0) });
    }
    unsafe { lineClose(line) };
}

fn raw_open_close() {
    for _ in 0..ITERATIONS {
        let mut line = 0u32;
        unsafe { lineOpenW(1, 0, &mut line, 0, 0, 0, 0, 0, null()) };
        black_box(unsafe { lineClose(line) });
    }
}

#[tapi_session]
fn guarded_open_close() {
    for _ in 0..ITERATIONS {
        let mut line = 0u32;
        unsafe { lineOpenW(1, 0, &mut line, 0, 0, 0, 0, 0, null()) };
        black_box(unsafe { lineClose(line) });
    }
}

/// Median ns per call over `RUNS` runs of `calls` calls each.
fn median_ns(calls: u32, mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let raw = median_ns(ITERATIONS, || raw_use(7));
    let guarded = median_ns(ITERATIONS, guarded_use);
    println!(
        "use (handle check):   raw {raw:7.1} ns/call   guarded {guarded:7.1} ns/call   guard cost {:6.1} ns/call",
        guarded - raw
    );
    let raw = median_ns(2 * ITERATIONS, raw_open_close);
    let guarded = median_ns(2 * ITERATIONS, guarded_open_close);
    println!(
        "open/close (record):  raw {raw:7.1} ns/call   guarded {guarded:7.1} ns/call   guard cost {:6.1} ns/call",
        guarded - raw
    );
}
