//! The lint registry: every lint declared once, with its name, default
//! level, one-line summary and long explanation. `--explain`, the SARIF
//! rules and `docs/lints.md` are all generated from [`ALL`]; the
//! explanation is also the rustdoc of the lint's static, the page that
//! [`Lint::docs_url`] (the SARIF rules' `helpUri`) points to.

use tapi_model::ResourceKind;

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
    /// The long explanation (Markdown), with a leaking and a fixed example.
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
    /// A line app (`HLINEAPP`) obtained from `lineInitializeEx` can reach the end of its
    /// lifetime without `lineShutdown`. Until it is shut down, TAPI keeps the application
    /// registered: its hidden window or event, its open lines and its calls stay allocated in
    /// the telephony service, and a pending `LINEERR_REINIT` cannot complete.
    ///
    /// ```rust,ignore
    /// let rc = lineInitializeExW(&mut app, ..);
    /// if rc != 0 { return Err(rc); }
    /// let rc = lineOpenW(app, 0, &mut line, ..);
    /// if rc != 0 { return Err(rc); } // leaks `app`
    /// ```
    ///
    /// Fixed: shut the app down on every path after it was initialized.
    ///
    /// ```rust,ignore
    /// if rc != 0 { lineShutdown(app); return Err(rc); }
    /// ```
    LINE_APP_NOT_SHUT_DOWN = "line_app_not_shut_down", Error, "a line app can reach the end of its lifetime without `lineShutdown`";
    /// A line (`HLINE`) opened with `lineOpen` can reach the end of its lifetime with neither
    /// `lineClose` nor `lineShutdown` of its line app. An open line with owner privilege keeps
    /// other applications from answering calls on it.
    ///
    /// ```rust,ignore
    /// if lineOpenW(app, dev, &mut line, ..) != 0 { return; }
    /// if lineMakeCallW(line, &mut call, ..) < 0 { return; } // leaks `line`
    /// ```
    ///
    /// Fixed: `lineClose(line)` before returning (or shut the app down).
    LINE_NOT_CLOSED = "line_not_closed", Error, "a line can reach the end of its lifetime with neither `lineClose` nor `lineShutdown`";
    /// A call handle (`HCALL`) from `lineMakeCall`, `linePickup`, `lineUnpark`,
    /// `lineSetupTransfer`, `lineSetupConference`, `lineForward` or
    /// `linePrepareAddToConference` can reach the end of its lifetime without
    /// `lineDeallocateCall`, `lineClose` of its line or `lineShutdown` of its app.
    ///
    /// ```rust,ignore
    /// let id = lineMakeCallW(line, &mut call, ..);
    /// if id < 0 { return; }
    /// lineDrop(call, ptr::null(), 0);
    /// // `call` is never deallocated
    /// ```
    ///
    /// Fixed: `lineDeallocateCall(call)` once the call is idle.
    CALL_NOT_DEALLOCATED = "call_not_deallocated", Error, "a call handle can reach the end of its lifetime without `lineDeallocateCall`";
    /// A request-recipient registration made with `lineRegisterRequestRecipient(.., TRUE)` or
    /// `ITTAPI::RegisterRequestRecipient(.., VARIANT_TRUE)` is never unregistered, nor is its
    /// line app shut down. While registered, TAPI routes assisted-telephony requests of
    /// every application to this one.
    ///
    /// Fixed: call the same function with `bEnable` = 0 (or shut the app down).
    RECIPIENT_NOT_UNREGISTERED = "recipient_not_unregistered", Error, "a request-recipient registration is never unregistered";
    /// A phone app (`HPHONEAPP`) from `phoneInitializeEx` can reach the end of its lifetime
    /// without `phoneShutdown`.
    ///
    /// Fixed: `phoneShutdown(app)` on every path after a successful initialization.
    PHONE_APP_NOT_SHUT_DOWN = "phone_app_not_shut_down", Error, "a phone app can reach the end of its lifetime without `phoneShutdown`";
    /// A phone (`HPHONE`) opened with `phoneOpen` (or an `ITPhone` opened with `Open`) can reach
    /// the end of its lifetime with neither `phoneClose` nor its app's shutdown. Owner
    /// privilege on a phone is exclusive.
    ///
    /// Fixed: `phoneClose(phone)` before returning.
    PHONE_NOT_CLOSED = "phone_not_closed", Error, "a phone can reach the end of its lifetime with neither `phoneClose` nor `phoneShutdown`";
    /// An `ITTAPI` object was initialized with `Initialize` and is never shut down with
    /// `Shutdown`.
    ///
    /// Fixed: `tapi.Shutdown()` before the object is dropped.
    TAPI_NOT_SHUT_DOWN = "tapi_not_shut_down", Error, "a TAPI 3 object is initialized and never shut down";
    /// A cookie from `ITTAPI::RegisterCallNotifications` is never passed to
    /// `UnregisterNotifications` (nor is the TAPI object shut down).
    ///
    /// Fixed: `tapi.UnregisterNotifications(cookie)`.
    NOTIFICATIONS_NOT_UNREGISTERED = "notifications_not_unregistered", Error, "a call-notification registration is never unregistered";
    /// A cookie from `IConnectionPoint::Advise` is never passed to `Unadvise`. TAPI keeps a
    /// reference to the sink, so the sink (and everything it holds) is never freed.
    ///
    /// Fixed: `cp.Unadvise(cookie)` before shutting TAPI down.
    SINK_NOT_UNADVISED = "sink_not_unadvised", Error, "an `Advise` cookie is never passed to `Unadvise`";
    /// An `ITBasicCallControl` was connected with `Connect` and is never disconnected.
    ///
    /// Fixed: `call.Disconnect(DC_NORMAL)` before releasing the call.
    CALL_NOT_DISCONNECTED = "call_not_disconnected", Error, "a TAPI 3 call is connected and never disconnected";
    /// The `i32` result of a TAPI function is cast to an unsigned type before a sign test.
    /// TAPI error codes are `0x8000xxxx`: as `u32` they are large positive numbers, so
    /// `rc as u32 > 0` takes every `LINEERR_*` for a request id, and a failed
    /// `lineMakeCall` is treated as a call that exists.
    ///
    /// ```rust,ignore
    /// let id = lineMakeCallW(line, &mut call, ..) as u32;
    /// if id > 0 { wait_for_reply(id); }
    /// ```
    ///
    /// Fixed: test the sign of the `i32`: `let id = lineMakeCallW(..); if id > 0 { .. }`.
    RESULT_CAST_UNSIGNED = "result_cast_unsigned", Error, "the `i32` result of a TAPI function is cast to an unsigned type before a sign test";
    /// A handle or cookie is passed to a TAPI function after it was released, explicitly
    /// (`lineClose(h)`) or through its parent (`lineShutdown` of the app ends its lines and
    /// calls). TAPI may reuse handle values, so the call can act on somebody else's line.
    ///
    /// Fixed: stop using a handle after its release; set it to 0 and test it.
    USE_AFTER_RELEASE = "use_after_release", Error, "a handle is used after it was released";
    /// A resource is released twice on some path.
    ///
    /// Fixed: release once; after a release, set the handle to 0 and release only non-zero
    /// handles.
    DOUBLE_RELEASE = "double_release", Error, "a resource is released twice";
    /// A parent is released while a child is still held: `lineShutdown` with a line still
    /// open, or `lineClose` with a call still allocated. TAPI frees the child implicitly, but
    /// Microsoft recommends closing every line before `lineShutdown`, and any later use of
    /// the child's handle is a use after release.
    ///
    /// Fixed: release the children first, then the parent.
    RELEASE_ORDER = "release_order", Warn, "a parent is released while a child is still held";
    /// Inside a `#[tapi_session]` function, a resource is left for the runtime guard to
    /// release. That is not a leak, but an explicit release states the intent.
    RELEASED_BY_GUARD = "released_by_guard", Allow, "a resource is left for the `#[tapi_session]` guard to release";
    /// A suppression suppresses nothing: no finding of the lints it names starts on its line
    /// or the next (a `// tapi-lint: allow(..)` comment), or inside the item or statement it
    /// is on (a `#[cfg_attr(tapi_lint, allow(tapi::..))]` attribute). Stale suppressions hide
    /// the next real finding there, so they are reported like unused `noqa` comments.
    ///
    /// ```rust,ignore
    /// // tapi-lint: allow(line_not_closed): closed by the monitor thread
    /// let rc = unsafe { lineGetDevCapsW(app, 0, ver, 0, &mut caps) }; // nothing to suppress
    /// ```
    ///
    /// Fixed: delete the suppression.
    UNUSED_SUPPRESSION = "unused_suppression", Warn, "a suppression suppresses nothing";
    /// A suppression cannot be honoured: it gives no reason, names a lint that does not
    /// exist, or is not of the form `// tapi-lint: allow(LINT, ..): reason` /
    /// `#[cfg_attr(tapi_lint, allow(tapi::LINT, reason = "..."))]`. It suppresses nothing.
    ///
    /// ```rust,ignore
    /// // tapi-lint: allow(line_not_closed)
    /// let rc = unsafe { lineOpenW(app, 0, &mut line, ..) };
    /// ```
    ///
    /// Fixed: say why the finding does not apply.
    ///
    /// ```rust,ignore
    /// // tapi-lint: allow(line_not_closed): the line is closed by `Monitor::drop`
    /// let rc = unsafe { lineOpenW(app, 0, &mut line, ..) };
    /// ```
    INVALID_SUPPRESSION = "invalid_suppression", Warn, "a suppression without a reason, with an unknown lint, or malformed";
    /// A source file could not be parsed (or was too deeply nested to parse safely); the
    /// other files are still analyzed.
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

    /// The explanations are the statics' rustdoc: an example block that is
    /// not `rust,ignore` would be compiled as a doctest (and the SARIF help
    /// relies on the marker to highlight it as Rust).
    #[test]
    fn every_example_block_is_marked_rust_ignore() {
        for lint in ALL {
            let mut open = false;
            for line in lint.explanation.lines().map(str::trim) {
                if let Some(info) = line.strip_prefix("```") {
                    assert!(
                        open || info == "rust,ignore",
                        "{}: example block opened with ```{info}",
                        lint.name
                    );
                    open = !open;
                }
            }
            assert!(!open, "{}: unclosed example block", lint.name);
        }
    }
}
