//! The guard at run time: real windows-sys calls, linked to the TAPI
//! simulator, inside `#[tapi_session]` functions. Every way out of a
//! session leaves nothing held; leftovers go back in TAPI's order; misuse
//! never reaches TAPI and gets TAPI's own error code.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::{null, null_mut};
use std::sync::Mutex;

use tapi_session::{
    Problem, Report, ResourceKind, reset_report_hook, set_report_hook, tapi_session,
};
use windows_sys::Win32::Devices::Tapi::*;

const API: u32 = 0x0002_0002;

/// The simulator is process-wide: one test at a time, each starting from a
/// fresh simulator and collecting the session reports.
fn scenario<R>(run: impl FnOnce() -> R) -> (R, Vec<Report>) {
    static REPORTS: Mutex<Vec<Report>> = Mutex::new(Vec::new());
    let _sim = tapi_sim::exclusive();
    REPORTS.lock().unwrap_or_else(|e| e.into_inner()).clear();
    set_report_hook(|r| {
        REPORTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(r.clone())
    });
    let result = run();
    reset_report_hook();
    let reports = std::mem::take(&mut *REPORTS.lock().unwrap_or_else(|e| e.into_inner()));
    (result, reports)
}

fn init_params() -> LINEINITIALIZEEXPARAMS {
    LINEINITIALIZEEXPARAMS {
        dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
        dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
        ..Default::default()
    }
}

fn leftovers(reports: &[Report]) -> Vec<ResourceKind> {
    reports
        .iter()
        .filter_map(|r| match r.problem {
            Problem::Leftover { kind, .. } => Some(kind),
            _ => None,
        })
        .collect()
}

/// The release functions the simulator saw, in order.
fn releases() -> Vec<String> {
    const RELEASES: &[&str] = &[
        "lineDeallocateCall",
        "lineClose",
        "lineRegisterRequestRecipient",
        "phoneClose",
        "lineShutdown",
        "phoneShutdown",
    ];
    tapi_sim::log()
        .into_iter()
        .map(|e| e.function.to_string())
        .filter(|f| RELEASES.contains(&f.as_str()))
        .collect()
}

/// Opens a line app, a line on device 0 and a call on it, and returns
/// early without releasing anything.
#[tapi_session]
fn forget_everything() -> u32 {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    let rc = unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    assert_eq!(rc, 0);
    let mut line = 0u32;
    let rc = unsafe {
        lineOpenW(
            app,
            0,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_NONE,
            LINEMEDIAMODE_INTERACTIVEVOICE,
            null(),
        )
    };
    if rc != 0 {
        return 1;
    }
    let mut call = 0u32;
    let dest: Vec<u16> = "5550100\0".encode_utf16().collect();
    let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    assert!(request > 0, "lineMakeCallW returned {request}");
    0
}

#[test]
fn return_releases_call_line_and_app_in_that_order() {
    let (rc, reports) = scenario(|| {
        let rc = forget_everything();
        assert!(
            tapi_sim::live().is_empty(),
            "held after return: {}",
            tapi_sim::live()
        );
        assert_eq!(
            releases(),
            ["lineDeallocateCall", "lineClose", "lineShutdown"]
        );
        rc
    });
    assert_eq!(rc, 0);
    assert_eq!(
        leftovers(&reports),
        [
            ResourceKind::Call,
            ResourceKind::Line,
            ResourceKind::LineApp
        ]
    );
}

#[tapi_session]
fn open_then_fail(app: &mut u32) -> Result<(), i32> {
    let (mut devs, mut ver, mut params) = (0u32, API, init_params());
    let rc = unsafe {
        lineInitializeExW(
            app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    if rc != 0 {
        return Err(rc);
    }
    let mut phone_app = 0u32;
    let mut phone_params = PHONEINITIALIZEEXPARAMS {
        dwTotalSize: size_of::<PHONEINITIALIZEEXPARAMS>() as u32,
        dwOptions: PHONEINITIALIZEEXOPTION_USEEVENT,
        ..Default::default()
    };
    let rc = unsafe {
        phoneInitializeExW(
            &mut phone_app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut phone_params,
        )
    };
    if rc != 0 {
        return Err(rc);
    }
    let mut phone = 0u32;
    let rc = unsafe { phoneOpen(phone_app, 0, &mut phone, ver, 0, 0, PHONEPRIVILEGE_OWNER) };
    let opened: Result<u32, i32> = if rc == 0 { Ok(phone) } else { Err(rc) };
    let phone = opened?;
    // Pretend a later step failed.
    Err(if phone != 0 { -1 } else { -2 })
}

#[test]
fn question_mark_releases_phone_then_apps_newest_first() {
    let ((result, app), reports) = scenario(|| {
        let mut app = 0u32;
        let result = open_then_fail(&mut app);
        assert!(
            tapi_sim::live().is_empty(),
            "held after `?`: {}",
            tapi_sim::live()
        );
        // The apps in reverse order of acquisition.
        assert_eq!(releases(), ["phoneClose", "phoneShutdown", "lineShutdown"]);
        (result, app)
    });
    assert_eq!(result, Err(-1));
    assert_ne!(app, 0, "the out-parameter was the caller's");
    assert_eq!(
        leftovers(&reports),
        [
            ResourceKind::Phone,
            ResourceKind::PhoneApp,
            ResourceKind::LineApp
        ]
    );
}

#[tapi_session]
fn open_and_panic() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut line = 0u32;
    unsafe {
        lineOpenW(
            app,
            1,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_OWNER,
            LINEMEDIAMODE_INTERACTIVEVOICE,
            null(),
        )
    };
    let devices: Vec<u32> = Vec::new();
    let _ = devices[devs as usize];
}

#[test]
fn panic_unwinding_releases_everything() {
    let (outcome, reports) = scenario(|| {
        let outcome = catch_unwind(open_and_panic);
        assert!(
            tapi_sim::live().is_empty(),
            "held after panic: {}",
            tapi_sim::live()
        );
        assert_eq!(releases(), ["lineClose", "lineShutdown"]);
        outcome
    });
    assert!(outcome.is_err());
    assert_eq!(
        leftovers(&reports),
        [ResourceKind::Line, ResourceKind::LineApp]
    );
}

#[tapi_session]
fn open_lines_until_one_fails() -> usize {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut opened = 0;
    let mut lines = [0u32; 8];
    'devices: for device in 0..8 {
        let rc = unsafe {
            lineOpenW(
                app,
                device,
                &mut lines[device as usize],
                ver,
                0,
                0,
                LINECALLPRIVILEGE_NONE,
                0,
                null(),
            )
        };
        if rc != 0 {
            break 'devices;
        }
        opened += 1;
    }
    opened
}

#[test]
fn break_out_of_a_loop_then_return_releases_what_the_loop_opened() {
    let (opened, reports) = scenario(|| {
        let opened = open_lines_until_one_fails();
        assert!(
            tapi_sim::live().is_empty(),
            "held after break: {}",
            tapi_sim::live()
        );
        opened
    });
    assert_eq!(opened, 2, "the simulator has two line devices");
    assert_eq!(
        leftovers(&reports),
        [
            ResourceKind::Line,
            ResourceKind::Line,
            ResourceKind::LineApp
        ]
    );
}

#[tapi_session]
async fn open_and_wait_forever() {
    let (mut app, mut devs, mut ver) = (0u32, 0u32, API);
    {
        // The parameters hold a raw HANDLE: not kept across `.await`.
        let mut params = init_params();
        unsafe {
            lineInitializeExW(
                &mut app,
                null_mut(),
                None,
                null(),
                &mut devs,
                &mut ver,
                &mut params,
            )
        };
    }
    let mut line = 0u32;
    unsafe {
        lineOpenW(
            app,
            0,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_NONE,
            0,
            null(),
        )
    };
    std::future::pending::<()>().await;
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn dropping_a_pending_future_releases_what_it_held() {
    let (_, reports) = scenario(|| {
        // A TAPI 2 session keeps the future `Send`.
        let mut future = Box::pin(assert_send(open_and_wait_forever()));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(future.as_mut().poll(&mut context).is_pending());
        assert_eq!(tapi_sim::live().lines, 1, "held while pending");
        drop(future);
        assert!(
            tapi_sim::live().is_empty(),
            "held after drop: {}",
            tapi_sim::live()
        );
    });
    assert_eq!(
        leftovers(&reports),
        [ResourceKind::Line, ResourceKind::LineApp]
    );
}

/// Releases everything explicitly, then misuses every handle once.
#[tapi_session]
fn release_then_misuse() -> [i32; 5] {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut line = 0u32;
    unsafe {
        lineOpenW(
            app,
            0,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_NONE,
            0,
            null(),
        )
    };
    let mut call = 0u32;
    unsafe { lineMakeCallW(line, &mut call, null(), 0, null()) };
    assert_eq!(unsafe { lineClose(line) }, 0);
    let dealloc_after_close = unsafe { lineDeallocateCall(call) };
    let close_twice = unsafe { lineClose(line) };
    let make_call_on_closed = unsafe { lineMakeCallW(line, &mut call, null(), 0, null()) };
    assert_eq!(unsafe { lineShutdown(app) }, 0);
    let shutdown_twice = unsafe { lineShutdown(app) };
    let open_after_shutdown = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, 0, 0, null()) };
    [
        dealloc_after_close,
        close_twice,
        make_call_on_closed,
        shutdown_twice,
        open_after_shutdown,
    ]
}

#[test]
fn misuse_is_stopped_with_tapi_error_codes() {
    let (codes, reports) = scenario(|| {
        let codes = release_then_misuse();
        // Only the two real releases reached TAPI.
        assert_eq!(releases(), ["lineClose", "lineShutdown"]);
        assert!(tapi_sim::live().is_empty());
        codes
    });
    assert_eq!(
        codes,
        [
            LINEERR_INVALCALLHANDLE as i32,
            LINEERR_INVALLINEHANDLE as i32,
            LINEERR_INVALLINEHANDLE as i32,
            LINEERR_INVALAPPHANDLE as i32,
            LINEERR_INVALAPPHANDLE as i32,
        ]
    );
    let kinds: Vec<_> = reports
        .iter()
        .map(|r| match &r.problem {
            Problem::UseAfterRelease { function, .. } => format!("use {function}"),
            Problem::DoubleRelease { function, .. } => format!("double {function}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "use lineDeallocateCall",
            "double lineClose",
            "use lineMakeCallW",
            "double lineShutdown",
            "use lineOpenW",
        ]
    );
    assert!(reports.iter().all(|r| r.session == "release_then_misuse"));
}

/// The simulator answers the same misuse, unguarded, with the same codes.
#[test]
fn the_guard_answers_as_tapi_would() {
    let (codes, _) = scenario(|| {
        let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
        unsafe {
            lineInitializeExW(
                &mut app,
                null_mut(),
                None,
                null(),
                &mut devs,
                &mut ver,
                &mut params,
            )
        };
        let mut line = 0u32;
        unsafe {
            lineOpenW(
                app,
                0,
                &mut line,
                ver,
                0,
                0,
                LINECALLPRIVILEGE_NONE,
                0,
                null(),
            )
        };
        unsafe { lineClose(line) };
        let close_twice = unsafe { lineClose(line) };
        unsafe { lineShutdown(app) };
        let shutdown_twice = unsafe { lineShutdown(app) };
        [close_twice, shutdown_twice]
    });
    assert_eq!(
        codes,
        [
            LINEERR_INVALLINEHANDLE as i32,
            LINEERR_INVALAPPHANDLE as i32
        ]
    );
}

#[tapi_session]
fn close_line(line: u32) -> i32 {
    unsafe { lineClose(line) }
}

#[tapi_session]
fn outer_with_nested_release() -> i32 {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut line = 0u32;
    unsafe {
        lineOpenW(
            app,
            0,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_NONE,
            0,
            null(),
        )
    };
    assert_eq!(close_line(line), 0);
    // Closed in the nested session: still stopped here.
    unsafe { lineClose(line) }
}

#[test]
fn sessions_nest() {
    let (second_close, reports) = scenario(|| {
        let rc = outer_with_nested_release();
        assert!(tapi_sim::live().is_empty());
        assert_eq!(releases(), ["lineClose", "lineShutdown"]);
        rc
    });
    assert_eq!(second_close, LINEERR_INVALLINEHANDLE as i32);
    assert_eq!(leftovers(&reports), [ResourceKind::LineApp]);
}

#[tapi_session]
fn close_on_another_thread() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut line = 0u32;
    unsafe {
        lineOpenW(
            app,
            0,
            &mut line,
            ver,
            0,
            0,
            LINECALLPRIVILEGE_NONE,
            0,
            null(),
        )
    };
    let closer = std::thread::spawn(move || unsafe { lineClose(line) });
    assert_eq!(closer.join().unwrap(), 0);
    unsafe { lineShutdown(app) };
}

#[test]
fn a_handle_may_be_released_on_another_thread() {
    let (_, reports) = scenario(|| {
        close_on_another_thread();
        assert!(tapi_sim::live().is_empty());
        // The guard saw the other thread's close and did not close again.
        assert_eq!(releases(), ["lineClose", "lineShutdown"]);
    });
    assert!(reports.is_empty(), "{reports:?}");
}

#[tapi_session]
fn reopen_after_close() -> i32 {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    let mut line = 0u32;
    for _ in 0..3 {
        unsafe {
            lineOpenW(
                app,
                0,
                &mut line,
                ver,
                0,
                0,
                LINECALLPRIVILEGE_NONE,
                0,
                null(),
            )
        };
        assert_eq!(unsafe { lineClose(line) }, 0);
    }
    unsafe { lineShutdown(app) }
}

#[test]
fn reacquired_handles_are_usable_again() {
    let (rc, reports) = scenario(reopen_after_close);
    assert_eq!(rc, 0);
    assert!(reports.is_empty(), "{reports:?}");
}

#[tapi_session]
fn recipient_left_registered() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 1) };
}

#[test]
fn registrations_are_cancelled_before_the_app_shuts_down() {
    let (_, reports) = scenario(|| {
        recipient_left_registered();
        assert!(tapi_sim::live().is_empty(), "{}", tapi_sim::live());
        // The registration itself, then the guard's: unregister, shut down.
        assert_eq!(
            releases(),
            [
                "lineRegisterRequestRecipient",
                "lineRegisterRequestRecipient",
                "lineShutdown"
            ]
        );
    });
    assert_eq!(
        leftovers(&reports),
        [ResourceKind::RequestRecipient, ResourceKind::LineApp]
    );
}

#[tapi_session(on_leak = "panic")]
fn strict_forgets_line() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    unsafe { lineShutdown(app) };
    let mut line = 0u32;
    let _ = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, 0, 0, null()) };
}

#[tapi_session(on_leak = "panic")]
fn strict_forgets_app() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
}

#[test]
fn panic_policy_fails_on_misuse_and_on_leftovers_after_releasing() {
    let (outcomes, _) = scenario(|| {
        let misuse = catch_unwind(strict_forgets_line);
        let leftover = catch_unwind(strict_forgets_app);
        assert!(tapi_sim::live().is_empty(), "{}", tapi_sim::live());
        (misuse, leftover)
    });
    let message = |r: Result<(), Box<dyn std::any::Any + Send>>| {
        *r.expect_err("the policy panics")
            .downcast::<String>()
            .unwrap()
    };
    let (misuse, leftover) = outcomes;
    assert!(message(misuse).contains("`lineOpenW` called with line app"));
    assert!(message(leftover).contains("line app"));
}

#[tapi_session(on_leak = "abort")]
fn abort_on_leftover() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
}

/// `abort` ends the process, so it runs in a child: this test binary,
/// asked to run only the abort scenario.
#[test]
fn abort_policy_aborts_after_releasing() {
    if std::env::var_os("TAPI_SESSION_ABORT_CHILD").is_some() {
        let _sim = tapi_sim::exclusive();
        abort_on_leftover();
        unreachable!("the session aborts");
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "abort_policy_aborts_after_releasing",
            "--nocapture",
        ])
        .env("TAPI_SESSION_ABORT_CHILD", "1")
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(output.status.signal(), Some(6), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tapi-session: `abort_on_leftover`")
            && stderr.contains("released with `lineShutdown`"),
        "{stderr}"
    );
}

/// A panic inside the guarded code, with the session panicking again at
/// exit, must not abort: the policy stays quiet while unwinding.
#[tapi_session(on_leak = "panic")]
fn strict_and_panicking() {
    let (mut app, mut devs, mut ver, mut params) = (0u32, 0u32, API, init_params());
    unsafe {
        lineInitializeExW(
            &mut app,
            null_mut(),
            None,
            null(),
            &mut devs,
            &mut ver,
            &mut params,
        )
    };
    panic!("the body's own panic");
}

#[test]
fn panic_policy_does_not_double_panic() {
    let (outcome, reports) = scenario(|| {
        let outcome = catch_unwind(AssertUnwindSafe(strict_and_panicking));
        assert!(tapi_sim::live().is_empty());
        outcome
    });
    let payload = outcome.expect_err("panics");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the body's own panic")
    );
    assert_eq!(leftovers(&reports), [ResourceKind::LineApp]);
}
