//! The TAPI 3 side of the guard. The `windows` crate's COM interfaces do
//! not exist off Windows, so these stand-ins have the same method names,
//! arities and result shapes (`Result<()>`, `Result<i32>` cookies,
//! `Result<u32>` for `Advise`, `Disconnect(DISCONNECT_CODE)`), and clone
//! and compare the way interface pointers do (clones are the same object).
#![allow(non_snake_case, non_camel_case_types, clippy::upper_case_acronyms)]

use std::cell::RefCell;
use std::rc::Rc;

use tapi_session::{
    Problem, Report, ResourceKind, reset_report_hook, set_report_hook, tapi_session,
};

// The guard's TAPI 2 side links against tapi32; here that is the simulator.
use tapi_sim as _;

type Result<T> = std::result::Result<T, i32>;
type Log = Rc<RefCell<Vec<String>>>;

#[derive(Clone)]
struct ITTAPI(Rc<()>, Log);
#[derive(Clone)]
struct IConnectionPoint(Rc<()>, Log);
#[derive(Clone)]
struct ITBasicCallControl(Rc<()>, Log);
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct DISCONNECT_CODE(i32);

macro_rules! com_identity {
    ($($t:ident),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                Rc::ptr_eq(&self.0, &other.0)
            }
        }
    )*};
}
com_identity!(ITTAPI, IConnectionPoint, ITBasicCallControl);

fn log(log: &Log, entry: String) {
    log.borrow_mut().push(entry);
}

impl ITTAPI {
    fn Initialize(&self) -> Result<()> {
        log(&self.1, "Initialize".into());
        Ok(())
    }
    fn Shutdown(&self) -> Result<()> {
        log(&self.1, "Shutdown".into());
        Ok(())
    }
    fn RegisterCallNotifications(
        &self,
        _address: &str,
        _monitor: bool,
        _owner: bool,
        _media: i32,
        _instance: i32,
    ) -> Result<i32> {
        log(&self.1, "RegisterCallNotifications".into());
        Ok(41)
    }
    fn UnregisterNotifications(&self, cookie: i32) -> Result<()> {
        log(&self.1, format!("UnregisterNotifications({cookie})"));
        Ok(())
    }
}

impl IConnectionPoint {
    fn Advise(&self, _sink: &str) -> Result<u32> {
        log(&self.1, "Advise".into());
        Ok(7)
    }
    fn Unadvise(&self, cookie: u32) -> Result<()> {
        log(&self.1, format!("Unadvise({cookie})"));
        Ok(())
    }
}

impl ITBasicCallControl {
    fn Connect(&self, _sync: bool) -> Result<()> {
        log(&self.1, "Connect".into());
        Ok(())
    }
    fn Disconnect(&self, code: DISCONNECT_CODE) -> Result<()> {
        log(&self.1, format!("Disconnect({})", code.0));
        Ok(())
    }
}

struct Objects {
    tapi: ITTAPI,
    point: IConnectionPoint,
    call: ITBasicCallControl,
    log: Log,
}

fn objects() -> Objects {
    let log: Log = Rc::default();
    Objects {
        tapi: ITTAPI(Rc::new(()), log.clone()),
        point: IConnectionPoint(Rc::new(()), log.clone()),
        call: ITBasicCallControl(Rc::new(()), log.clone()),
        log,
    }
}

fn with_reports<R>(run: impl FnOnce() -> R) -> (R, Vec<Report>) {
    use std::sync::Mutex;
    static LOCK: Mutex<()> = Mutex::new(());
    static REPORTS: Mutex<Vec<Report>> = Mutex::new(Vec::new());
    let _one_at_a_time = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_report_hook(|r| {
        REPORTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(r.clone())
    });
    let result = run();
    reset_report_hook();
    (
        result,
        std::mem::take(&mut *REPORTS.lock().unwrap_or_else(|e| e.into_inner())),
    )
}

/// Everything acquired through a reference to the TAPI object (as a
/// function taking `&ITTAPI` would) and left to the guard.
#[tapi_session]
fn start_and_forget(
    tapi: &ITTAPI,
    point: &IConnectionPoint,
    call: ITBasicCallControl,
) -> Result<()> {
    tapi.Initialize()?;
    let _sink = point.Advise("sink")?;
    let _registration = tapi.RegisterCallNotifications("address", true, true, 8, 0)?;
    call.Connect(false)?;
    Ok(())
}

#[test]
fn tapi3_leftovers_go_back_in_the_documented_order() {
    let o = objects();
    let (result, reports) = with_reports(|| start_and_forget(&o.tapi, &o.point, o.call.clone()));
    assert_eq!(result, Ok(()));
    assert_eq!(
        *o.log.borrow(),
        [
            "Initialize",
            "Advise",
            "RegisterCallNotifications",
            "Connect",
            "Disconnect(0)",
            "UnregisterNotifications(41)",
            "Unadvise(7)",
            "Shutdown",
        ]
    );
    let kinds: Vec<_> = reports
        .iter()
        .map(|r| match r.problem {
            Problem::Leftover { kind, .. } => kind,
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ResourceKind::Tapi3Call,
            ResourceKind::CallNotifications,
            ResourceKind::EventSink,
            ResourceKind::Tapi,
        ]
    );
}

/// Everything released by hand, through clones (the same COM objects):
/// nothing is left, and a second `Shutdown` is reported.
#[tapi_session]
fn start_and_stop(o: &Objects) -> Result<()> {
    o.tapi.Initialize()?;
    let sink = o.point.Advise("sink")?;
    let registration = o
        .tapi
        .RegisterCallNotifications("address", true, true, 8, 0)?;
    let same_tapi = o.tapi.clone();
    same_tapi.UnregisterNotifications(registration)?;
    o.point.Unadvise(sink)?;
    same_tapi.Shutdown()?;
    o.tapi.Shutdown()
}

#[test]
fn tapi3_releases_by_hand_are_seen_through_clones() {
    let o = objects();
    let (result, reports) = with_reports(|| start_and_stop(&o));
    assert_eq!(result, Ok(()));
    assert_eq!(o.log.borrow().last().map(String::as_str), Some("Shutdown"));
    assert_eq!(
        o.log.borrow().iter().filter(|e| *e == "Shutdown").count(),
        2
    );
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(matches!(
        reports[0].problem,
        Problem::DoubleRelease {
            function: "Shutdown",
            kind: ResourceKind::Tapi,
            ..
        }
    ));
}

/// A different TAPI object's `Shutdown` does not release this one.
#[tapi_session]
fn shut_down_the_wrong_object(o: &Objects, other: &ITTAPI) -> Result<()> {
    o.tapi.Initialize()?;
    other.Shutdown()
}

#[test]
fn tapi3_identity_is_the_object() {
    let (o, other) = (objects(), objects());
    let (_, reports) = with_reports(|| shut_down_the_wrong_object(&o, &other.tapi));
    assert_eq!(*o.log.borrow(), ["Initialize", "Shutdown"]);
    assert_eq!(reports.len(), 1);
}
