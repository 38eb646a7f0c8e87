//! The lint registry: every lint declared once, with its name, default
//! level, one-line summary and long explanation. `--explain`, the SARIF
//! rules and `docs/lints.md` ([`catalog_markdown`]) are all generated from
//! [`ALL`]; the explanation is also the rustdoc of the lint's static, the
//! page that [`Lint::docs_url`] (the SARIF rules' `helpUri`) points to.
//!
//! Each explanation says what the lint finds and why it matters, then
//! shows a leaking example (a block fenced ```` ```rust,ignore,leaks ````:
//! a whole file the lint reports) and the same file fixed
//! (```` ```rust,ignore,fixed ````), each after a paragraph starting
//! `Leaking:` / `Fixed:`. The `lint_docs` test runs every example through
//! the analyzer and keeps `docs/lints.md` in sync.

use tapi_model::ResourceKind;

mod docs;

pub use docs::{CATALOG_PATH, Example, ExampleKind, catalog_markdown, table_markdown};

/// How seriously a finding is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Allow,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Error => "error",
        }
    }
}

/// A lint's declaration.
#[derive(Debug)]
pub struct Lint {
    /// The name without the `tapi::` tool prefix, e.g. `line_not_closed`.
    pub name: &'static str,
    pub default_level: Level,
    /// One line: what the lint reports.
    pub summary: &'static str,
    /// The long explanation, as rustdoc sees it (Markdown, each line with
    /// the leading space `///` leaves), with a leaking and a fixed example;
    /// read it through [`Lint::explanation_text`],
    /// [`Lint::explanation_markdown`] and [`Lint::examples`].
    pub explanation: &'static str,
}

impl Lint {
    /// The name as diagnostics print it: `tapi::line_not_closed`.
    pub fn code(&self) -> String {
        format!("tapi::{}", self.name)
    }

    /// The lint's page in this version's documentation: the rustdoc of its
    /// static (`LINE_NOT_CLOSED` for `line_not_closed`), which is its
    /// explanation.
    pub fn docs_url(&self) -> String {
        format!(
            "{}/{}/static.{}.html",
            docs_root(),
            module_path!().replace("::", "/"),
            self.name.to_ascii_uppercase()
        )
    }
}

/// This version's documentation on docs.rs, the one place every
/// documentation URL is built from.
pub fn docs_root() -> String {
    format!(
        "https://docs.rs/{}/{}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION")
    )
}

impl PartialEq for Lint {
    fn eq(&self, other: &Lint) -> bool {
        self.name == other.name
    }
}
impl Eq for Lint {}

macro_rules! declare_lints {
    ($( $(#[doc = $doc:literal])* $ident:ident = $name:literal, $level:ident, $summary:literal; )*) => {
        $(
            $(#[doc = $doc])*
            pub static $ident: Lint = Lint {
                name: $name,
                default_level: Level::$level,
                summary: $summary,
                explanation: concat!($($doc, "\n"),*),
            };
        )*
        /// Every lint, in the order of the catalog.
        pub static ALL: &[&Lint] = &[$(&$ident),*];
        /// Each lint's name and the name of its static, for the test that
        /// [`Lint::docs_url`] finds the static's page.
        #[cfg(test)]
        static STATIC_NAMES: &[(&str, &str)] = &[$(($name, stringify!($ident))),*];
    };
}

declare_lints! {
    /// A line app (`HLINEAPP`) obtained from `lineInitialize` or `lineInitializeEx` can reach the
    /// end of its lifetime without `lineShutdown`.
    ///
    /// Until it is shut down, TAPI keeps the application registered: its hidden window or event,
    /// its open lines and its calls stay allocated in the telephony service, and a pending
    /// `LINEERR_REINIT` cannot complete (after a reconfiguration, no application can open a device
    /// until every application has called `lineShutdown`). The finding is on the call that brought
    /// the app in (`lineInitializeEx`, or the call of a function that returned it), in the function
    /// where its lifetime ends.
    ///
    /// Leaking: when `lineOpenW` fails, `open_first_line` returns the error with the app still
    /// initialized, and its handle is lost.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Initializes TAPI and opens line device 0 for outgoing voice calls.
    /// fn open_first_line() -> Result<(u32, u32), i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc); // the line app stays registered with TAPI
    ///     }
    ///     Ok((app, line))
    /// }
    /// ```
    ///
    /// Fixed: shut the app down on every path after a successful initialization.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Initializes TAPI and opens line device 0 for outgoing voice calls.
    /// fn open_first_line() -> Result<(u32, u32), i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         unsafe { lineShutdown(app) };
    ///         return Err(rc);
    ///     }
    ///     Ok((app, line))
    /// }
    /// ```
    LINE_APP_NOT_SHUT_DOWN = "line_app_not_shut_down", Error, "a line app can reach the end of its lifetime without `lineShutdown`";
    /// A line (`HLINE`) opened with `lineOpen` can reach the end of its lifetime with neither
    /// `lineClose` nor `lineShutdown` of its line app.
    ///
    /// An open line holds resources TAPI allocated to the application, and a line open with owner
    /// privilege keeps other applications from answering calls on it; Microsoft asks applications
    /// that use a line only now and then to close it, so that others can open it.
    ///
    /// Leaking: `ring_once` returns the error of `lineMakeCallW` with the line still open.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Places a call to `number` on line device `dev` and hangs up again.
    /// fn ring_once(app: u32, dev: u32, ver: u32, number: &str) -> Result<(), i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     if request < 0 {
    ///         return Err(request); // the line stays open
    ///     }
    ///     unsafe { lineDrop(call, null(), 0) };
    ///     unsafe { lineDeallocateCall(call) };
    ///     unsafe { lineClose(line) };
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Fixed: close the line on that path too (or shut its app down).
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Places a call to `number` on line device `dev` and hangs up again.
    /// fn ring_once(app: u32, dev: u32, ver: u32, number: &str) -> Result<(), i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_NONE, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     if request < 0 {
    ///         unsafe { lineClose(line) };
    ///         return Err(request);
    ///     }
    ///     unsafe { lineDrop(call, null(), 0) };
    ///     unsafe { lineDeallocateCall(call) };
    ///     unsafe { lineClose(line) };
    ///     Ok(())
    /// }
    /// ```
    LINE_NOT_CLOSED = "line_not_closed", Error, "a line can reach the end of its lifetime with neither `lineClose` nor `lineShutdown`";
    /// A call handle (`HCALL`) from `lineMakeCall`, `linePickup`, `lineUnpark`,
    /// `lineSetupTransfer`, `lineSetupConference`, `lineForward` or `linePrepareAddToConference`
    /// can reach the end of its lifetime without `lineDeallocateCall`, `lineClose` of its line or
    /// `lineShutdown` of its app.
    ///
    /// `lineDrop` ends the call, not the handle: the handle of an idle call stays valid, and TAPI
    /// keeps the memory behind it, until the application deallocates it or closes the line. A call
    /// counts as acquired once its request returns a positive request id.
    ///
    /// Leaking: `ring_and_hang_up` drops the call but never deallocates its handle, and the line
    /// stays open in the caller, so nothing releases it implicitly either.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Calls `number` on an open line, lets it ring for `seconds`, and hangs up.
    /// fn ring_and_hang_up(line: u32, number: &str, seconds: u64) -> Result<(), i32> {
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     if request < 0 {
    ///         return Err(request);
    ///     }
    ///     sleep(Duration::from_secs(seconds));
    ///     unsafe { lineDrop(call, null(), 0) }; // ends the call, not the handle
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Fixed: `lineDeallocateCall(call)` once the call is dropped.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Calls `number` on an open line, lets it ring for `seconds`, and hangs up.
    /// fn ring_and_hang_up(line: u32, number: &str, seconds: u64) -> Result<(), i32> {
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     if request < 0 {
    ///         return Err(request);
    ///     }
    ///     sleep(Duration::from_secs(seconds));
    ///     unsafe { lineDrop(call, null(), 0) };
    ///     unsafe { lineDeallocateCall(call) };
    ///     Ok(())
    /// }
    /// ```
    CALL_NOT_DEALLOCATED = "call_not_deallocated", Error, "a call handle can reach the end of its lifetime without `lineDeallocateCall`";
    /// A request-recipient registration made with `lineRegisterRequestRecipient(.., TRUE)` or
    /// `ITTAPI::RegisterRequestRecipient(.., VARIANT_TRUE)` is never unregistered, nor is its line
    /// app shut down.
    ///
    /// While registered, TAPI routes the assisted-telephony requests (`tapiRequestMakeCall`) of
    /// every application to this one. `lineShutdown` ends the registration too, so it lives as long
    /// as its line app: it leaks only along with the app, and both are reported.
    ///
    /// Leaking: when `lineGetRequestW` fails, `serve_make_call_requests` returns with the app
    /// initialized and still registered.
    ///
    /// ```rust,ignore,leaks
    /// use std::ffi::c_void;
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Registers as the call manager for `tapiRequestMakeCall` and serves queued requests.
    /// fn serve_make_call_requests() -> Result<usize, i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let rc = unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 1) };
    ///     if rc != 0 {
    ///         unsafe { lineShutdown(app) };
    ///         return Err(rc);
    ///     }
    ///     let mut served = 0;
    ///     loop {
    ///         let mut request = LINEREQMAKECALLW::default();
    ///         let buffer = &mut request as *mut LINEREQMAKECALLW as *mut c_void;
    ///         let rc = unsafe { lineGetRequestW(app, LINEREQUESTMODE_MAKECALL, buffer) };
    ///         if rc == LINEERR_NOREQUEST as i32 {
    ///             break;
    ///         }
    ///         if rc != 0 {
    ///             // Still registered: TAPI keeps routing every application's requests here.
    ///             return Err(rc);
    ///         }
    ///         served += 1;
    ///     }
    ///     unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 0) };
    ///     unsafe { lineShutdown(app) };
    ///     Ok(served)
    /// }
    /// ```
    ///
    /// Fixed: unregister (the same call with `bEnable` = 0) and shut the app down on that path too.
    ///
    /// ```rust,ignore,fixed
    /// use std::ffi::c_void;
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Registers as the call manager for `tapiRequestMakeCall` and serves queued requests.
    /// fn serve_make_call_requests() -> Result<usize, i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let rc = unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 1) };
    ///     if rc != 0 {
    ///         unsafe { lineShutdown(app) };
    ///         return Err(rc);
    ///     }
    ///     let mut served = 0;
    ///     loop {
    ///         let mut request = LINEREQMAKECALLW::default();
    ///         let buffer = &mut request as *mut LINEREQMAKECALLW as *mut c_void;
    ///         let rc = unsafe { lineGetRequestW(app, LINEREQUESTMODE_MAKECALL, buffer) };
    ///         if rc == LINEERR_NOREQUEST as i32 {
    ///             break;
    ///         }
    ///         if rc != 0 {
    ///             unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 0) };
    ///             unsafe { lineShutdown(app) };
    ///             return Err(rc);
    ///         }
    ///         served += 1;
    ///     }
    ///     unsafe { lineRegisterRequestRecipient(app, 0, LINEREQUESTMODE_MAKECALL, 0) };
    ///     unsafe { lineShutdown(app) };
    ///     Ok(served)
    /// }
    /// ```
    RECIPIENT_NOT_UNREGISTERED = "recipient_not_unregistered", Error, "a request-recipient registration is never unregistered";
    /// A phone app (`HPHONEAPP`) from `phoneInitialize` or `phoneInitializeEx` can reach the end of
    /// its lifetime without `phoneShutdown`.
    ///
    /// As with a line app, TAPI keeps the application's registration, its hidden window or event
    /// and its open phones until `phoneShutdown`, which also closes every phone still open.
    ///
    /// Leaking: `list_phones` returns early when there is no phone device, skipping the
    /// `phoneShutdown` at the end.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Prints the status of every phone device; returns how many there are.
    /// fn list_phones() -> Result<u32, i32> {
    ///     let mut init = PHONEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<PHONEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: PHONEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         phoneInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     if devs == 0 {
    ///         return Ok(0); // skips the phoneShutdown below
    ///     }
    ///     for dev in 0..devs {
    ///         let mut phone = 0u32;
    ///         let rc = unsafe { phoneOpen(app, dev, &mut phone, ver, 0, 0, PHONEPRIVILEGE_MONITOR) };
    ///         if rc == 0 {
    ///             let mut status = PHONESTATUS {
    ///                 dwTotalSize: size_of::<PHONESTATUS>() as u32,
    ///                 ..Default::default()
    ///             };
    ///             if unsafe { phoneGetStatusW(phone, &mut status) } == 0 {
    ///                 let ring_mode = status.dwRingMode;
    ///                 println!("phone {dev}: ring mode {ring_mode}");
    ///             }
    ///             unsafe { phoneClose(phone) };
    ///         }
    ///     }
    ///     unsafe { phoneShutdown(app) };
    ///     Ok(devs)
    /// }
    /// ```
    ///
    /// Fixed: shut the app down on every path after a successful initialization.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Prints the status of every phone device; returns how many there are.
    /// fn list_phones() -> Result<u32, i32> {
    ///     let mut init = PHONEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<PHONEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: PHONEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         phoneInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     if devs == 0 {
    ///         unsafe { phoneShutdown(app) };
    ///         return Ok(0);
    ///     }
    ///     for dev in 0..devs {
    ///         let mut phone = 0u32;
    ///         let rc = unsafe { phoneOpen(app, dev, &mut phone, ver, 0, 0, PHONEPRIVILEGE_MONITOR) };
    ///         if rc == 0 {
    ///             let mut status = PHONESTATUS {
    ///                 dwTotalSize: size_of::<PHONESTATUS>() as u32,
    ///                 ..Default::default()
    ///             };
    ///             if unsafe { phoneGetStatusW(phone, &mut status) } == 0 {
    ///                 let ring_mode = status.dwRingMode;
    ///                 println!("phone {dev}: ring mode {ring_mode}");
    ///             }
    ///             unsafe { phoneClose(phone) };
    ///         }
    ///     }
    ///     unsafe { phoneShutdown(app) };
    ///     Ok(devs)
    /// }
    /// ```
    PHONE_APP_NOT_SHUT_DOWN = "phone_app_not_shut_down", Error, "a phone app can reach the end of its lifetime without `phoneShutdown`";
    /// A phone (`HPHONE`) opened with `phoneOpen` (or an `ITPhone` opened with `Open`) can reach
    /// the end of its lifetime with neither `phoneClose` nor its app's shutdown.
    ///
    /// Owner privilege on a phone is exclusive: only one application at a time can have a phone
    /// device open as owner, and an owner should close it when finished so that other applications
    /// can control the phone.
    ///
    /// Leaking: `silence_ringer` returns the error of `phoneSetRing` with the phone still open as
    /// owner.
    ///
    /// ```rust,ignore,leaks
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Takes over phone device `dev` and silences its ringer.
    /// fn silence_ringer(app: u32, dev: u32, ver: u32) -> Result<u32, i32> {
    ///     let mut phone = 0u32;
    ///     let rc = unsafe { phoneOpen(app, dev, &mut phone, ver, 0, 0, PHONEPRIVILEGE_OWNER) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let request = unsafe { phoneSetRing(phone, 0, 0) };
    ///     if request < 0 {
    ///         // Still open with owner privilege: no other application can control the phone.
    ///         return Err(request);
    ///     }
    ///     Ok(phone)
    /// }
    /// ```
    ///
    /// Fixed: `phoneClose(phone)` before returning the error.
    ///
    /// ```rust,ignore,fixed
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Takes over phone device `dev` and silences its ringer.
    /// fn silence_ringer(app: u32, dev: u32, ver: u32) -> Result<u32, i32> {
    ///     let mut phone = 0u32;
    ///     let rc = unsafe { phoneOpen(app, dev, &mut phone, ver, 0, 0, PHONEPRIVILEGE_OWNER) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let request = unsafe { phoneSetRing(phone, 0, 0) };
    ///     if request < 0 {
    ///         unsafe { phoneClose(phone) };
    ///         return Err(request);
    ///     }
    ///     Ok(phone)
    /// }
    /// ```
    PHONE_NOT_CLOSED = "phone_not_closed", Error, "a phone can reach the end of its lifetime with neither `phoneClose` nor `phoneShutdown`";
    /// An `ITTAPI` object was initialized with `Initialize` and is never shut down with `Shutdown`.
    ///
    /// An application must call `Shutdown` when it ends a TAPI session; it disconnects the
    /// application from TAPI. Dropping the `ITTAPI` only releases a COM reference: the `windows`
    /// crate does not shut the object down.
    ///
    /// Leaking: `list_addresses` returns an error of `Next` or `AddressName` through `?`, skipping
    /// `Shutdown`.
    ///
    /// ```rust,ignore,leaks
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::System::Com::*;
    /// use windows::core::Result;
    ///
    /// /// Prints the name of every TAPI address; returns how many there are.
    /// fn list_addresses() -> Result<usize> {
    ///     let tapi: ITTAPI = unsafe { CoCreateInstance(&TAPI, None, CLSCTX_INPROC_SERVER)? };
    ///     unsafe { tapi.Initialize()? };
    ///     let addresses = unsafe { tapi.EnumerateAddresses()? };
    ///     let mut count = 0;
    ///     loop {
    ///         let mut slot = [None];
    ///         unsafe { addresses.Next(&mut slot, None)? }; // an error skips the Shutdown below
    ///         let Some(address) = slot[0].take() else {
    ///             break;
    ///         };
    ///         println!("{}", unsafe { address.AddressName()? });
    ///         count += 1;
    ///     }
    ///     unsafe { tapi.Shutdown()? };
    ///     Ok(count)
    /// }
    /// ```
    ///
    /// Fixed: do the fallible work in a helper, shut down, then return what the helper returned.
    ///
    /// ```rust,ignore,fixed
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::System::Com::*;
    /// use windows::core::Result;
    ///
    /// /// Prints the name of every TAPI address; returns how many there are.
    /// fn list_addresses() -> Result<usize> {
    ///     let tapi: ITTAPI = unsafe { CoCreateInstance(&TAPI, None, CLSCTX_INPROC_SERVER)? };
    ///     unsafe { tapi.Initialize()? };
    ///     let listed = print_addresses(&tapi);
    ///     unsafe { tapi.Shutdown()? };
    ///     listed
    /// }
    ///
    /// fn print_addresses(tapi: &ITTAPI) -> Result<usize> {
    ///     let addresses = unsafe { tapi.EnumerateAddresses()? };
    ///     let mut count = 0;
    ///     loop {
    ///         let mut slot = [None];
    ///         unsafe { addresses.Next(&mut slot, None)? };
    ///         let Some(address) = slot[0].take() else {
    ///             break;
    ///         };
    ///         println!("{}", unsafe { address.AddressName()? });
    ///         count += 1;
    ///     }
    ///     Ok(count)
    /// }
    /// ```
    TAPI_NOT_SHUT_DOWN = "tapi_not_shut_down", Error, "a TAPI 3 object is initialized and never shut down";
    /// A cookie from `ITTAPI::RegisterCallNotifications` is never passed to
    /// `UnregisterNotifications` (nor is the TAPI object shut down).
    ///
    /// The registration makes TAPI offer the address's calls to the application, as owner or
    /// monitor, until `UnregisterNotifications` removes it; once the cookie is lost, only
    /// `Shutdown` of the whole TAPI object does.
    ///
    /// Leaking: `answer_calls_for` lets the cookie go out of scope when its time is up.
    ///
    /// ```rust,ignore,leaks
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
    /// use windows::core::Result;
    ///
    /// /// Takes ownership of incoming audio calls on `address` for `seconds`. The event sink is
    /// /// advised and the event filter set by the caller.
    /// fn answer_calls_for(tapi: &ITTAPI, address: &ITAddress, seconds: u64) -> Result<()> {
    ///     let (monitor, owner, media) = (VARIANT_FALSE, VARIANT_TRUE, TAPIMEDIATYPE_AUDIO as i32);
    ///     let cookie = unsafe { tapi.RegisterCallNotifications(address, monitor, owner, media, 0)? };
    ///     sleep(Duration::from_secs(seconds));
    ///     // `cookie` is dropped: TAPI keeps offering the address's calls to this application.
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Fixed: `tapi.UnregisterNotifications(cookie)`.
    ///
    /// ```rust,ignore,fixed
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
    /// use windows::core::Result;
    ///
    /// /// Takes ownership of incoming audio calls on `address` for `seconds`. The event sink is
    /// /// advised and the event filter set by the caller.
    /// fn answer_calls_for(tapi: &ITTAPI, address: &ITAddress, seconds: u64) -> Result<()> {
    ///     let (monitor, owner, media) = (VARIANT_FALSE, VARIANT_TRUE, TAPIMEDIATYPE_AUDIO as i32);
    ///     let cookie = unsafe { tapi.RegisterCallNotifications(address, monitor, owner, media, 0)? };
    ///     sleep(Duration::from_secs(seconds));
    ///     unsafe { tapi.UnregisterNotifications(cookie) }
    /// }
    /// ```
    NOTIFICATIONS_NOT_UNREGISTERED = "notifications_not_unregistered", Error, "a call-notification registration is never unregistered";
    /// A cookie from `IConnectionPoint::Advise` is never passed to `Unadvise`.
    ///
    /// TAPI keeps a reference to the sink until `Unadvise`, so the sink (and everything it holds)
    /// is never freed and keeps receiving events. An `Advise` cookie has no parent: shutting TAPI
    /// down does not release it.
    ///
    /// Leaking: when `SetEventFilter` fails, `?` returns from `count_calls` with the sink still
    /// advised.
    ///
    /// ```rust,ignore,leaks
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::System::Com::*;
    /// use windows::core::{Interface, Ref, Result, implement};
    ///
    /// static CALLS_OFFERED: AtomicU32 = AtomicU32::new(0);
    ///
    /// /// Counts the calls TAPI offers to the application.
    /// #[implement(ITTAPIEventNotification)]
    /// struct CallCounter;
    ///
    /// impl ITTAPIEventNotification_Impl for CallCounter_Impl {
    ///     fn Event(&self, event: TAPI_EVENT, _object: Ref<IDispatch>) -> Result<()> {
    ///         if event == TE_CALLNOTIFICATION {
    ///             CALLS_OFFERED.fetch_add(1, Ordering::SeqCst);
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Counts the calls offered during `seconds`.
    /// fn count_calls(tapi: &ITTAPI, seconds: u64) -> Result<u32> {
    ///     let container: IConnectionPointContainer = tapi.cast()?;
    ///     let point = unsafe { container.FindConnectionPoint(&ITTAPIEventNotification::IID)? };
    ///     let sink: ITTAPIEventNotification = CallCounter.into();
    ///     let cookie = unsafe { point.Advise(&sink)? };
    ///     unsafe { tapi.SetEventFilter(TE_CALLNOTIFICATION.0)? }; // `?` leaves the sink advised
    ///     sleep(Duration::from_secs(seconds));
    ///     unsafe { point.Unadvise(cookie)? };
    ///     Ok(CALLS_OFFERED.load(Ordering::SeqCst))
    /// }
    /// ```
    ///
    /// Fixed: keep the error, unadvise, then return it.
    ///
    /// ```rust,ignore,fixed
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::System::Com::*;
    /// use windows::core::{Interface, Ref, Result, implement};
    ///
    /// static CALLS_OFFERED: AtomicU32 = AtomicU32::new(0);
    ///
    /// /// Counts the calls TAPI offers to the application.
    /// #[implement(ITTAPIEventNotification)]
    /// struct CallCounter;
    ///
    /// impl ITTAPIEventNotification_Impl for CallCounter_Impl {
    ///     fn Event(&self, event: TAPI_EVENT, _object: Ref<IDispatch>) -> Result<()> {
    ///         if event == TE_CALLNOTIFICATION {
    ///             CALLS_OFFERED.fetch_add(1, Ordering::SeqCst);
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// /// Counts the calls offered during `seconds`.
    /// fn count_calls(tapi: &ITTAPI, seconds: u64) -> Result<u32> {
    ///     let container: IConnectionPointContainer = tapi.cast()?;
    ///     let point = unsafe { container.FindConnectionPoint(&ITTAPIEventNotification::IID)? };
    ///     let sink: ITTAPIEventNotification = CallCounter.into();
    ///     let cookie = unsafe { point.Advise(&sink)? };
    ///     let filtered = unsafe { tapi.SetEventFilter(TE_CALLNOTIFICATION.0) };
    ///     if filtered.is_ok() {
    ///         sleep(Duration::from_secs(seconds));
    ///     }
    ///     unsafe { point.Unadvise(cookie)? };
    ///     filtered.map(|()| CALLS_OFFERED.load(Ordering::SeqCst))
    /// }
    /// ```
    SINK_NOT_UNADVISED = "sink_not_unadvised", Error, "an `Advise` cookie is never passed to `Unadvise`";
    /// An `ITBasicCallControl` was connected with `Connect` and is never disconnected.
    ///
    /// Dropping the call object only releases its COM reference; the call itself stays up.
    /// Microsoft's order is `Disconnect`, then release the call object.
    ///
    /// Leaking: when the cast to `ITCallInfo` or `CallState` fails, `?` returns from `call_once`
    /// with the call still connected.
    ///
    /// ```rust,ignore,leaks
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::Foundation::VARIANT_TRUE;
    /// use windows::core::{BSTR, Interface, Result};
    ///
    /// /// Calls `number` from `address` and keeps the call up for `seconds` if it connects.
    /// fn call_once(address: &ITAddress, number: &str, seconds: u64) -> Result<bool> {
    ///     let (kind, media) = (LINEADDRESSTYPE_PHONENUMBER as i32, TAPIMEDIATYPE_AUDIO as i32);
    ///     let number = BSTR::from(number);
    ///     let call: ITBasicCallControl = unsafe { address.CreateCall(&number, kind, media)? };
    ///     unsafe { call.Connect(VARIANT_TRUE)? };
    ///     let info: ITCallInfo = call.cast()?; // an error returns with the call still connected
    ///     if unsafe { info.CallState()? } != CS_CONNECTED {
    ///         unsafe { call.Disconnect(DC_NOANSWER)? };
    ///         return Ok(false);
    ///     }
    ///     sleep(Duration::from_secs(seconds));
    ///     unsafe { call.Disconnect(DC_NORMAL)? };
    ///     Ok(true)
    /// }
    /// ```
    ///
    /// Fixed: read the state in a helper, and disconnect when it fails too.
    ///
    /// ```rust,ignore,fixed
    /// use std::thread::sleep;
    /// use std::time::Duration;
    /// use windows::Win32::Devices::Tapi::*;
    /// use windows::Win32::Foundation::VARIANT_TRUE;
    /// use windows::core::{BSTR, Interface, Result};
    ///
    /// /// Calls `number` from `address` and keeps the call up for `seconds` if it connects.
    /// fn call_once(address: &ITAddress, number: &str, seconds: u64) -> Result<bool> {
    ///     let (kind, media) = (LINEADDRESSTYPE_PHONENUMBER as i32, TAPIMEDIATYPE_AUDIO as i32);
    ///     let number = BSTR::from(number);
    ///     let call: ITBasicCallControl = unsafe { address.CreateCall(&number, kind, media)? };
    ///     unsafe { call.Connect(VARIANT_TRUE)? };
    ///     let connected = match is_connected(&call) {
    ///         Ok(connected) => connected,
    ///         Err(e) => {
    ///             unsafe { call.Disconnect(DC_NORMAL)? };
    ///             return Err(e);
    ///         }
    ///     };
    ///     if connected {
    ///         sleep(Duration::from_secs(seconds));
    ///     }
    ///     unsafe { call.Disconnect(DC_NORMAL)? };
    ///     Ok(connected)
    /// }
    ///
    /// fn is_connected(call: &ITBasicCallControl) -> Result<bool> {
    ///     let info: ITCallInfo = call.cast()?;
    ///     Ok(unsafe { info.CallState()? } == CS_CONNECTED)
    /// }
    /// ```
    CALL_NOT_DISCONNECTED = "call_not_disconnected", Error, "a TAPI 3 call is connected and never disconnected";
    /// The `i32` result of a TAPI function is cast to an unsigned type before a sign test.
    ///
    /// TAPI functions return 0 or a positive request id on success and a negative `LINEERR_*` or
    /// `PHONEERR_*` code (`0x8000_0000` and up) on failure. As `u32`, every error code is a large
    /// positive number, so `rc as u32 > 0` takes each failure for a pending request: the program
    /// waits for a `LINE_REPLY` that never comes and, after `lineMakeCall`, holds a call handle
    /// TAPI never wrote. It is the Rust form of the C bug
    /// `DWORD rc = lineMakeCall(..); if (rc > 0)`. Reported at the cast.
    ///
    /// Leaking: `start_call` returns `Ok` for a failed `lineMakeCallW`.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Starts a call to `number`. Returns the call handle (valid once the `LINE_REPLY` for
    /// /// the request reports success) and the request id that reply will carry.
    /// fn start_call(line: u32, number: &str) -> Result<(u32, u32), i32> {
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     let request = request as u32;
    ///     if request > 0 {
    ///         // Also taken for LINEERR_CALLUNAVAIL: as `u32`, every error code is above 0.
    ///         Ok((call, request))
    ///     } else {
    ///         Err(request as i32)
    ///     }
    /// }
    /// ```
    ///
    /// Fixed: test the sign of the `i32`, and cast only the request id known to be positive.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Starts a call to `number`. Returns the call handle (valid once the `LINE_REPLY` for
    /// /// the request reports success) and the request id that reply will carry.
    /// fn start_call(line: u32, number: &str) -> Result<(u32, u32), i32> {
    ///     let dest: Vec<u16> = number.encode_utf16().chain(Some(0)).collect();
    ///     let mut call = 0u32;
    ///     let request = unsafe { lineMakeCallW(line, &mut call, dest.as_ptr(), 0, null()) };
    ///     if request > 0 {
    ///         Ok((call, request as u32))
    ///     } else {
    ///         Err(request)
    ///     }
    /// }
    /// ```
    RESULT_CAST_UNSIGNED = "result_cast_unsigned", Error, "the `i32` result of a TAPI function is cast to an unsigned type before a sign test";
    /// A handle or cookie is passed to a TAPI function after it was released, explicitly
    /// (`lineClose(h)`) or through its parent (`lineShutdown` of the app ends its lines and calls).
    ///
    /// A released handle is no longer valid. At best the call fails (`LINEERR_INVALLINEHANDLE`,
    /// `LINEERR_INVALCALLHANDLE`), but TAPI may reuse handle values, so the call can act on
    /// somebody else's line or call. Reported at the use; releasing the same resource a second time
    /// is `double_release` instead.
    ///
    /// Leaking: `hang_up` deallocates the call handle, then drops the call through it.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Hangs up `call` and frees its handle.
    /// fn hang_up(call: u32) -> i32 {
    ///     unsafe { lineDeallocateCall(call) };
    ///     // The handle is gone: TAPI may already have given its value to another call.
    ///     unsafe { lineDrop(call, null(), 0) }
    /// }
    /// ```
    ///
    /// Fixed: drop the call first, then deallocate its handle. In longer code, set a handle to 0
    /// when it is released and test it before each use.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Hangs up `call` and frees its handle.
    /// fn hang_up(call: u32) -> i32 {
    ///     let request = unsafe { lineDrop(call, null(), 0) };
    ///     unsafe { lineDeallocateCall(call) };
    ///     request
    /// }
    /// ```
    USE_AFTER_RELEASE = "use_after_release", Error, "a handle is used after it was released";
    /// A resource is released twice on some path.
    ///
    /// The second release acts on a handle that is no longer valid: at best it fails with
    /// `LINEERR_INVALLINEHANDLE` (or the code for its kind), and if TAPI has reused the value
    /// meanwhile, it releases somebody else's resource. Reported at the second release, with the
    /// first as a label.
    ///
    /// Leaking: when no ring arrives in time, `wait_for_ring` closes the line in the loop and again
    /// after it.
    ///
    /// ```rust,ignore,leaks
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Waits up to 20 s for `line` to ring, then closes it.
    /// fn wait_for_ring(app: u32, line: u32) -> bool {
    ///     unsafe { lineSetStatusMessages(line, LINEDEVSTATE_RINGING, 0) };
    ///     let mut message = LINEMESSAGE::default();
    ///     let rang = loop {
    ///         if unsafe { lineGetMessage(app, &mut message, 20_000) } != 0 {
    ///             unsafe { lineClose(line) }; // no ring in time: give the line back early
    ///             break false;
    ///         }
    ///         let (id, param1) = (message.dwMessageID, message.dwParam1 as u32);
    ///         if id == LINE_LINEDEVSTATE as u32 && param1 & LINEDEVSTATE_RINGING != 0 {
    ///             break true;
    ///         }
    ///     };
    ///     unsafe { lineClose(line) };
    ///     rang
    /// }
    /// ```
    ///
    /// Fixed: release once, where every path goes (or set the handle to 0 after releasing it and
    /// release only non-zero handles).
    ///
    /// ```rust,ignore,fixed
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Waits up to 20 s for `line` to ring, then closes it.
    /// fn wait_for_ring(app: u32, line: u32) -> bool {
    ///     unsafe { lineSetStatusMessages(line, LINEDEVSTATE_RINGING, 0) };
    ///     let mut message = LINEMESSAGE::default();
    ///     let rang = loop {
    ///         if unsafe { lineGetMessage(app, &mut message, 20_000) } != 0 {
    ///             break false;
    ///         }
    ///         let (id, param1) = (message.dwMessageID, message.dwParam1 as u32);
    ///         if id == LINE_LINEDEVSTATE as u32 && param1 & LINEDEVSTATE_RINGING != 0 {
    ///             break true;
    ///         }
    ///     };
    ///     unsafe { lineClose(line) };
    ///     rang
    /// }
    /// ```
    DOUBLE_RELEASE = "double_release", Error, "a resource is released twice";
    /// A parent is released while a child is still held: `lineShutdown` with a line still open, or
    /// `lineClose` with a call still allocated.
    ///
    /// TAPI frees the child implicitly, but Microsoft recommends closing every line before
    /// `lineShutdown`, and any later use of the child's handle is a use after release. Reported
    /// once per parent release, with a label on each child still held.
    ///
    /// Leaking: `monitor` shuts the app down with its line still open.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Prints the first `count` messages about line device 0.
    /// fn monitor(count: usize) -> Result<(), i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         unsafe { lineShutdown(app) };
    ///         return Err(rc);
    ///     }
    ///     let mut message = LINEMESSAGE::default();
    ///     for _ in 0..count {
    ///         if unsafe { lineGetMessage(app, &mut message, 60_000) } != 0 {
    ///             break;
    ///         }
    ///         let (id, device) = (message.dwMessageID, message.hDevice);
    ///         println!("message {id} about {device:#x}");
    ///     }
    ///     unsafe { lineShutdown(app) }; // closes the line behind the program's back
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Fixed: release the children first, then the parent.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::{null, null_mut};
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Prints the first `count` messages about line device 0.
    /// fn monitor(count: usize) -> Result<(), i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, 0, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         unsafe { lineShutdown(app) };
    ///         return Err(rc);
    ///     }
    ///     let mut message = LINEMESSAGE::default();
    ///     for _ in 0..count {
    ///         if unsafe { lineGetMessage(app, &mut message, 60_000) } != 0 {
    ///             break;
    ///         }
    ///         let (id, device) = (message.dwMessageID, message.hDevice);
    ///         println!("message {id} about {device:#x}");
    ///     }
    ///     unsafe { lineClose(line) };
    ///     unsafe { lineShutdown(app) };
    ///     Ok(())
    /// }
    /// ```
    RELEASE_ORDER = "release_order", Warn, "a parent is released while a child is still held";
    /// Inside a `#[tapi_session]` function, a resource is left for the runtime guard to release.
    ///
    /// That is not a leak: when the session ends, the guard releases what the function's calls
    /// acquired and did not release, children before parents, and reports it. But an explicit
    /// release states the intent and does not depend on the guard. The lint is allowed by default;
    /// `-W tapi::released_by_guard` finds the functions that rely on the guard.
    ///
    /// Leaking: `usable_lines` never shuts the app down; the guard does, on every path.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::{null, null_mut};
    /// use tapi_session::tapi_session;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Returns how many line devices support the API version this program needs.
    /// #[tapi_session]
    /// fn usable_lines() -> Result<u32, i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut usable = 0;
    ///     for dev in 0..devs {
    ///         let (mut api, mut ext) = (0u32, LINEEXTENSIONID::default());
    ///         let low = 0x0002_0000;
    ///         let rc = unsafe { lineNegotiateAPIVersion(app, dev, low, ver, &mut api, &mut ext) };
    ///         if rc == 0 {
    ///             usable += 1;
    ///         }
    ///     }
    ///     Ok(usable) // the session guard shuts the line app down
    /// }
    /// ```
    ///
    /// Fixed: `lineShutdown(app)` before returning.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::{null, null_mut};
    /// use tapi_session::tapi_session;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Returns how many line devices support the API version this program needs.
    /// #[tapi_session]
    /// fn usable_lines() -> Result<u32, i32> {
    ///     let mut init = LINEINITIALIZEEXPARAMS {
    ///         dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
    ///         dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
    ///         ..Default::default()
    ///     };
    ///     let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    ///     let rc = unsafe {
    ///         lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut init)
    ///     };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     let mut usable = 0;
    ///     for dev in 0..devs {
    ///         let (mut api, mut ext) = (0u32, LINEEXTENSIONID::default());
    ///         let low = 0x0002_0000;
    ///         let rc = unsafe { lineNegotiateAPIVersion(app, dev, low, ver, &mut api, &mut ext) };
    ///         if rc == 0 {
    ///             usable += 1;
    ///         }
    ///     }
    ///     unsafe { lineShutdown(app) };
    ///     Ok(usable)
    /// }
    /// ```
    RELEASED_BY_GUARD = "released_by_guard", Allow, "a resource is left for the `#[tapi_session]` guard to release";
    /// A suppression suppresses nothing: no finding of the lints it names starts on its line or the
    /// next (a `// tapi-lint: allow(..)` comment), or inside the item or statement it is on (a
    /// `#[cfg_attr(tapi_lint, allow(tapi::..))]` attribute).
    ///
    /// Stale suppressions hide the next real finding there, so they are reported like unused `noqa`
    /// comments. A suppression whose lints are all allowed is not reported.
    ///
    /// Leaking: the line is returned to the caller, which the analyzer follows, so there is no
    /// `line_not_closed` here to suppress.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Opens line device `dev` for monitoring; the caller closes the line.
    /// fn open_monitor(app: u32, dev: u32, ver: u32) -> Result<u32, i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     // tapi-lint: allow(line_not_closed): returned to the caller, who closes it
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     Ok(line)
    /// }
    /// ```
    ///
    /// Fixed: delete the suppression.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Opens line device `dev` for monitoring; the caller closes the line.
    /// fn open_monitor(app: u32, dev: u32, ver: u32) -> Result<u32, i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     Ok(line)
    /// }
    /// ```
    UNUSED_SUPPRESSION = "unused_suppression", Warn, "a suppression suppresses nothing";
    /// A suppression cannot be honoured: it gives no reason, names a lint that does not exist, or
    /// is not of the form `// tapi-lint: allow(LINT, ..): reason` /
    /// `#[cfg_attr(tapi_lint, allow(tapi::LINT, reason = "..."))]`.
    ///
    /// It suppresses nothing, so the finding it was written for is reported as well.
    ///
    /// Leaking: the comment gives no reason, so the `line_not_closed` it was written for is
    /// reported too.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Starts monitoring line device `dev` for the life of the process.
    /// fn start_monitor(app: u32, dev: u32, ver: u32) -> Result<(), i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     // tapi-lint: allow(line_not_closed)
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     unsafe { lineSetStatusMessages(line, LINEDEVSTATE_RINGING, 0) };
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Fixed: say why the finding does not apply. As an attribute on the function, that is
    /// `#[cfg_attr(tapi_lint, allow(tapi::line_not_closed, reason = "..."))]`.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Starts monitoring line device `dev` for the life of the process.
    /// fn start_monitor(app: u32, dev: u32, ver: u32) -> Result<(), i32> {
    ///     let mut line = 0u32;
    ///     let (privileges, media) = (LINECALLPRIVILEGE_MONITOR, LINEMEDIAMODE_INTERACTIVEVOICE);
    ///     // tapi-lint: allow(line_not_closed): open until exit; main's lineShutdown closes it
    ///     let rc = unsafe { lineOpenW(app, dev, &mut line, ver, 0, 0, privileges, media, null()) };
    ///     if rc != 0 {
    ///         return Err(rc);
    ///     }
    ///     unsafe { lineSetStatusMessages(line, LINEDEVSTATE_RINGING, 0) };
    ///     Ok(())
    /// }
    /// ```
    INVALID_SUPPRESSION = "invalid_suppression", Warn, "a suppression without a reason, with an unknown lint, or malformed";
    /// A source file could not be parsed (or was too deeply nested to parse safely); the other
    /// files are still analyzed.
    ///
    /// The analyzer reads sources without building them, so nothing in a file that does not parse
    /// is checked: its leaks go unreported until it parses. The finding is at the syntax error.
    ///
    /// Leaking: a missing `;` after `lineDeallocateCall(call)`.
    ///
    /// ```rust,ignore,leaks
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Hangs up `call` on `line`, frees the call handle and closes the line.
    /// fn hang_up(line: u32, call: u32) {
    ///     unsafe {
    ///         lineDrop(call, null(), 0);
    ///         lineDeallocateCall(call)
    ///         lineClose(line);
    ///     }
    /// }
    /// ```
    ///
    /// Fixed: the same file, parsing.
    ///
    /// ```rust,ignore,fixed
    /// use std::ptr::null;
    /// use windows_sys::Win32::Devices::Tapi::*;
    ///
    /// /// Hangs up `call` on `line`, frees the call handle and closes the line.
    /// fn hang_up(line: u32, call: u32) {
    ///     unsafe {
    ///         lineDrop(call, null(), 0);
    ///         lineDeallocateCall(call);
    ///         lineClose(line);
    ///     }
    /// }
    /// ```
    PARSE_ERROR = "parse_error", Error, "a source file could not be parsed";
}

/// Looks a lint up by name, with or without the `tapi::` prefix.
pub fn find(name: &str) -> Option<&'static Lint> {
    let name = name.strip_prefix("tapi::").unwrap_or(name);
    ALL.iter().copied().find(|l| l.name == name)
}

/// The lint reported when a resource of `kind` leaks.
pub fn leak_lint(kind: ResourceKind) -> &'static Lint {
    match kind {
        ResourceKind::LineApp => &LINE_APP_NOT_SHUT_DOWN,
        ResourceKind::Line => &LINE_NOT_CLOSED,
        ResourceKind::Call => &CALL_NOT_DEALLOCATED,
        ResourceKind::RequestRecipient => &RECIPIENT_NOT_UNREGISTERED,
        ResourceKind::PhoneApp => &PHONE_APP_NOT_SHUT_DOWN,
        ResourceKind::Phone => &PHONE_NOT_CLOSED,
        ResourceKind::Tapi => &TAPI_NOT_SHUT_DOWN,
        ResourceKind::CallNotifications => &NOTIFICATIONS_NOT_UNREGISTERED,
        ResourceKind::EventSink => &SINK_NOT_UNADVISED,
        ResourceKind::Tapi3Call => &CALL_NOT_DISCONNECTED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_has_a_unique_name_summary_and_explanation() {
        let mut names: Vec<_> = ALL.iter().map(|l| l.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for lint in ALL {
            assert!(
                !lint.summary.is_empty() && lint.explanation.len() > 40,
                "{}",
                lint.name
            );
        }
        assert_eq!(
            find("tapi::double_release").unwrap().default_level,
            Level::Error
        );
        assert_eq!(find("release_order").unwrap().default_level, Level::Warn);
    }

    #[test]
    fn docs_urls_name_each_lints_static() {
        assert_eq!(STATIC_NAMES.len(), ALL.len());
        for (lint, (name, static_name)) in ALL.iter().zip(STATIC_NAMES) {
            assert_eq!(lint.name, *name);
            assert_eq!(
                lint.docs_url(),
                format!(
                    "https://docs.rs/cargo-tapi-lint/{}/tapi_lint/lints/static.{static_name}.html",
                    env!("CARGO_PKG_VERSION")
                )
            );
        }
    }

    /// The explanations are the statics' rustdoc: a block that is not
    /// `rust,ignore,..` would be compiled as a doctest. Every explanation
    /// has the same shape, which `--explain`, the SARIF help and the
    /// catalog rely on, and the `lint_docs` test runs its examples.
    #[test]
    fn every_explanation_has_a_leaking_then_a_fixed_example() {
        for lint in ALL {
            let blocks: Vec<(&str, &str)> = {
                let lines: Vec<&str> = lint.explanation.lines().map(str::trim).collect();
                let mut blocks = Vec::new();
                let mut open = None;
                for (i, line) in lines.iter().enumerate() {
                    if let Some(info) = line.strip_prefix("```") {
                        match open.take() {
                            Some(_) => assert!(info.is_empty(), "{}: ```{info}", lint.name),
                            None => {
                                // The paragraph before the block: its first line.
                                let before = lines[..i.saturating_sub(1)]
                                    .iter()
                                    .rev()
                                    .take_while(|l| !l.is_empty())
                                    .last()
                                    .copied()
                                    .unwrap_or_default();
                                blocks.push((info, before));
                                open = Some(info);
                            }
                        }
                    }
                }
                assert!(open.is_none(), "{}: unclosed example block", lint.name);
                blocks
            };
            let infos: Vec<&str> = blocks.iter().map(|(info, _)| *info).collect();
            assert_eq!(
                infos,
                ["rust,ignore,leaks", "rust,ignore,fixed"],
                "{}",
                lint.name
            );
            assert!(blocks[0].1.starts_with("Leaking: "), "{}", lint.name);
            assert!(blocks[1].1.starts_with("Fixed: "), "{}", lint.name);
            let examples = lint.examples();
            assert_eq!(examples.len(), 2, "{}", lint.name);
            assert_eq!(examples[0].kind, ExampleKind::Leaks);
            assert_eq!(examples[1].kind, ExampleKind::Fixed);
            assert_ne!(examples[0].code, examples[1].code, "{}", lint.name);
            for example in &examples {
                assert!(
                    example.code.contains("::Win32::Devices::Tapi::*;"),
                    "{}: an example is a whole file, with its `use`s",
                    lint.name
                );
                for line in example.code.lines() {
                    // Indented by four in a 100-column terminal.
                    assert!(line.chars().count() <= 95, "{}: {line}", lint.name);
                    assert_eq!(line, line.trim_end(), "{}", lint.name);
                }
            }
            let first = lint.first_paragraph();
            assert!(first.ends_with('.'), "{}: {first}", lint.name);
        }
    }
}
