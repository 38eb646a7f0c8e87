//! The TAPI 2 C functions bound in `windows_sys::Win32::Devices::Tapi`
//! (windows-sys 0.61.2; the `windows` crate binds the same exports), one
//! row each, sorted by name in byte order so that [`crate::function`] can
//! binary-search.
//!
//! Sources: the contract (`shared/spec/lints.md` §1, whose argument numbers
//! are 1-based; here they are 0-based) and the sourced reference
//! (`shared/reference/tapi-semantics.md` §1 and the final table in §8).
//! Names, arities and positions are checked against the real bindings by
//! `tests/signatures.rs`.
//!
//! `handles` lists every handle-typed input parameter (`hlineapp`, `hline`,
//! `hcall` and the other `h…call`s, `hphoneapp`, `hphone`; all plain `u32`).
//! Out-parameters (`lph…`) never appear there: an acquirer names them in
//! its [`Creates`]. Agent handles (`hagent`, `hagentsession`) are not a
//! tracked resource and are not listed.

use crate::{Creates, Effect, Function, HandleParam, ParentSlot, ResourceKind, Slot, Success};

const fn f(
    name: &'static str,
    arity: usize,
    effect: Effect,
    handles: &'static [HandleParam],
) -> Function {
    Function {
        name,
        arity,
        effect,
        handles,
    }
}

const fn handle(index: usize, kind: ResourceKind) -> HandleParam {
    HandleParam { index, kind }
}
const fn line_app(index: usize) -> HandleParam {
    handle(index, ResourceKind::LineApp)
}
const fn line(index: usize) -> HandleParam {
    handle(index, ResourceKind::Line)
}
const fn call(index: usize) -> HandleParam {
    handle(index, ResourceKind::Call)
}
const fn phone_app(index: usize) -> HandleParam {
    handle(index, ResourceKind::PhoneApp)
}
const fn phone(index: usize) -> HandleParam {
    handle(index, ResourceKind::Phone)
}

/// A handle of `kind` written through the out-pointer at `arg`.
const fn creates(kind: ResourceKind, arg: usize, parent: ParentSlot) -> Creates {
    Creates {
        kind,
        out: Slot::Arg(arg),
        parent,
    }
}
/// The parent is the handle passed at `arg`.
const fn parent(arg: usize) -> ParentSlot {
    ParentSlot::Handle(Slot::Arg(arg))
}
/// The parent is whatever owns the call handle passed at `arg`.
const fn parent_of(arg: usize) -> ParentSlot {
    ParentSlot::ParentOf(Slot::Arg(arg))
}
const fn release(kind: ResourceKind, arg: usize) -> Effect {
    Effect::Release {
        kind,
        handle: Slot::Arg(arg),
    }
}

/// Uses (at most) the handles listed in its row.
const NONE: Effect = Effect::None;

// --- Synchronous acquirers: the handle is valid when the call returns 0
// (reference §1.1 and §8; spec §1 "return == 0").

/// `lineInitialize(lphlineapp, ..)`, `lineInitializeExA/W(lphlineapp, ..)`:
/// an `HLINEAPP` through arg 0; no parent.
const INIT_LINE_APP: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::LineApp, 0, ParentSlot::None)],
    success: Success::Zero,
};
/// `lineOpen/A/W(hlineapp, dwdeviceid, lphline, ..)`: an `HLINE` through
/// arg 2, owned by the line app in arg 0.
const OPEN_LINE: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Line, 2, parent(0))],
    success: Success::Zero,
};
/// `phoneInitialize(lphphoneapp, ..)`, `phoneInitializeExA/W(lphphoneapp, ..)`:
/// an `HPHONEAPP` through arg 0; no parent.
const INIT_PHONE_APP: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::PhoneApp, 0, ParentSlot::None)],
    success: Success::Zero,
};
/// `phoneOpen(hphoneapp, dwdeviceid, lphphone, ..)` (windows-sys has no A/W
/// variants): an `HPHONE` through arg 2, owned by the phone app in arg 0.
const OPEN_PHONE: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Phone, 2, parent(0))],
    success: Success::Zero,
};

// --- Asynchronous call creators: they return a positive request id, and
// the `HCALL` written through the out-pointer belongs to the line the call
// is on (reference §1.1 "Asynchronous", §8; spec §1 "return > 0"). The
// LINE_REPLY that confirms the call is beyond a static analysis: a
// positive return counts as acquired.

/// `lineMakeCall/A/W(hline, lphcall, ..)`.
const MAKE_CALL: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 1, parent(0))],
    success: Success::Positive,
};
/// `linePickup/A/W(hline, dwaddressid, lphcall, ..)`.
const PICKUP: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 2, parent(0))],
    success: Success::Positive,
};
/// `lineUnpark/A/W(hline, dwaddressid, lphcall, ..)`: a new handle, unrelated
/// to the one that was parked.
const UNPARK: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 2, parent(0))],
    success: Success::Positive,
};
/// `lineSetupTransfer/A/W(hcall, lphconsultcall, ..)`: the consultation call
/// is on the line of `hcall`.
const SETUP_TRANSFER: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 1, parent_of(0))],
    success: Success::Positive,
};
/// `lineSetupConference/A/W(hcall, hline, lphconfcall, lphconsultcall, ..)`:
/// two calls, the conference and the consultation, both owned by the line
/// passed as `hline` (arg 1).
const SETUP_CONFERENCE: Effect = Effect::Acquire {
    creates: &[
        creates(ResourceKind::Call, 2, parent(1)),
        creates(ResourceKind::Call, 3, parent(1)),
    ],
    success: Success::Positive,
};
/// `lineForward/A/W(hline, .., lphconsultcall, lpcallparams)`: the
/// consultation call through arg 5 (TAPI may leave it 0 when none is
/// needed; a 0 handle holds nothing, spec §1).
const FORWARD: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 5, parent(0))],
    success: Success::Positive,
};
/// `linePrepareAddToConference/A/W(hconfcall, lphconsultcall, ..)`: the
/// consultation call is on the conference call's line.
const PREPARE_ADD_TO_CONFERENCE: Effect = Effect::Acquire {
    creates: &[creates(ResourceKind::Call, 1, parent_of(0))],
    success: Success::Positive,
};

// --- Releases: each takes the handle as its only argument and counts as a
// release whatever it returns (spec §1).

const SHUTDOWN_LINE_APP: Effect = release(ResourceKind::LineApp, 0);
const CLOSE_LINE: Effect = release(ResourceKind::Line, 0);
const DEALLOCATE_CALL: Effect = release(ResourceKind::Call, 0);
const SHUTDOWN_PHONE_APP: Effect = release(ResourceKind::PhoneApp, 0);
const CLOSE_PHONE: Effect = release(ResourceKind::Phone, 0);

/// `lineRegisterRequestRecipient(hlineapp, dwregistrationinstance,
/// dwrequestmode, benable)`: registers the mode in arg 2 for the line app in
/// arg 0 when `benable` (arg 3) is non-zero, unregisters it when zero; 0 on
/// success (reference §8: "key = (arg0 hlineapp, arg2 mode)").
const REQUEST_RECIPIENT: Effect = Effect::Registration {
    owner: Slot::Arg(0),
    key_arg: 2,
    enable_arg: 3,
    success: Success::Zero,
};

/// Every function of `windows_sys::Win32::Devices::Tapi`, sorted by name.
///
/// Functions that hand out something this model does not track have
/// [`Effect::None`] (spec §1 "Not tracked"): `lineGetNewCalls` and
/// `lineGetConfRelatedCalls` (call lists), `lineGetID*` (the `comm/datamodem`
/// Win32 handle), `lineCompleteTransfer` (a conference call only in
/// conference mode), `lineCompleteCall` (a completion id), `lineGetIcon*` /
/// `phoneGetIcon*` (icons that need no release, reference §1), the agent
/// functions (`lphagent`, `lphagentsession`), `lineDrop` (ends the session,
/// not the handle: `lineDeallocateCall` is still due) and
/// `tapiRequestMakeCall*` (the call belongs to the call manager). The three
/// `mapi32.dll` TNEF functions that windows-sys files under this module are
/// unrelated to TAPI.
#[rustfmt::skip]
pub static FUNCTIONS: &[Function] = &[
    // mapi32.dll, filed under Devices::Tapi by windows-sys: not TAPI.
    f("GetTnefStreamCodepage", 3, NONE, &[]),
    f("OpenTnefStream", 7, NONE, &[]),
    f("OpenTnefStreamEx", 8, NONE, &[]),
    f("lineAccept", 3, NONE, &[call(0)]),
    f("lineAddProvider", 3, NONE, &[]),
    f("lineAddProviderA", 3, NONE, &[]),
    f("lineAddProviderW", 3, NONE, &[]),
    f("lineAddToConference", 2, NONE, &[call(0), call(1)]),
    f("lineAgentSpecific", 5, NONE, &[line(0)]),
    f("lineAnswer", 3, NONE, &[call(0)]),
    f("lineBlindTransfer", 3, NONE, &[call(0)]),
    f("lineBlindTransferA", 3, NONE, &[call(0)]),
    f("lineBlindTransferW", 3, NONE, &[call(0)]),
    f("lineClose", 1, CLOSE_LINE, &[line(0)]),
    f("lineCompleteCall", 4, NONE, &[call(0)]),
    f("lineCompleteTransfer", 4, NONE, &[call(0), call(1)]), // conference-mode call: untracked
    f("lineConfigDialog", 3, NONE, &[]),
    f("lineConfigDialogA", 3, NONE, &[]),
    f("lineConfigDialogEdit", 6, NONE, &[]),
    f("lineConfigDialogEditA", 6, NONE, &[]),
    f("lineConfigDialogEditW", 6, NONE, &[]),
    f("lineConfigDialogW", 3, NONE, &[]),
    f("lineConfigProvider", 2, NONE, &[]),
    f("lineCreateAgentA", 4, NONE, &[line(0)]), // agent handles are not tracked
    f("lineCreateAgentSessionA", 6, NONE, &[line(0)]), // agent handles are not tracked
    f("lineCreateAgentSessionW", 6, NONE, &[line(0)]), // agent handles are not tracked
    f("lineCreateAgentW", 4, NONE, &[line(0)]), // agent handles are not tracked
    f("lineDeallocateCall", 1, DEALLOCATE_CALL, &[call(0)]),
    f("lineDevSpecific", 5, NONE, &[line(0), call(2)]),
    f("lineDevSpecificFeature", 4, NONE, &[line(0)]),
    f("lineDial", 3, NONE, &[call(0)]),
    f("lineDialA", 3, NONE, &[call(0)]),
    f("lineDialW", 3, NONE, &[call(0)]),
    f("lineDrop", 3, NONE, &[call(0)]), // ends the session, not the handle
    f("lineForward", 7, FORWARD, &[line(0)]),
    f("lineForwardA", 7, FORWARD, &[line(0)]),
    f("lineForwardW", 7, FORWARD, &[line(0)]),
    f("lineGatherDigits", 7, NONE, &[call(0)]),
    f("lineGatherDigitsA", 7, NONE, &[call(0)]),
    f("lineGatherDigitsW", 7, NONE, &[call(0)]),
    f("lineGenerateDigits", 4, NONE, &[call(0)]),
    f("lineGenerateDigitsA", 4, NONE, &[call(0)]),
    f("lineGenerateDigitsW", 4, NONE, &[call(0)]),
    f("lineGenerateTone", 5, NONE, &[call(0)]),
    f("lineGetAddressCaps", 6, NONE, &[line_app(0)]),
    f("lineGetAddressCapsA", 6, NONE, &[line_app(0)]),
    f("lineGetAddressCapsW", 6, NONE, &[line_app(0)]),
    f("lineGetAddressID", 5, NONE, &[line(0)]),
    f("lineGetAddressIDA", 5, NONE, &[line(0)]),
    f("lineGetAddressIDW", 5, NONE, &[line(0)]),
    f("lineGetAddressStatus", 3, NONE, &[line(0)]),
    f("lineGetAddressStatusA", 3, NONE, &[line(0)]),
    f("lineGetAddressStatusW", 3, NONE, &[line(0)]),
    f("lineGetAgentActivityListA", 3, NONE, &[line(0)]),
    f("lineGetAgentActivityListW", 3, NONE, &[line(0)]),
    f("lineGetAgentCapsA", 5, NONE, &[line_app(0)]),
    f("lineGetAgentCapsW", 5, NONE, &[line_app(0)]),
    f("lineGetAgentGroupListA", 3, NONE, &[line(0)]),
    f("lineGetAgentGroupListW", 3, NONE, &[line(0)]),
    f("lineGetAgentInfo", 3, NONE, &[line(0)]),
    f("lineGetAgentSessionInfo", 3, NONE, &[line(0)]),
    f("lineGetAgentSessionList", 3, NONE, &[line(0)]),
    f("lineGetAgentStatusA", 3, NONE, &[line(0)]),
    f("lineGetAgentStatusW", 3, NONE, &[line(0)]),
    f("lineGetAppPriority", 6, NONE, &[]),
    f("lineGetAppPriorityA", 6, NONE, &[]),
    f("lineGetAppPriorityW", 6, NONE, &[]),
    f("lineGetCallInfo", 2, NONE, &[call(0)]),
    f("lineGetCallInfoA", 2, NONE, &[call(0)]),
    f("lineGetCallInfoW", 2, NONE, &[call(0)]),
    f("lineGetCallStatus", 2, NONE, &[call(0)]),
    f("lineGetConfRelatedCalls", 2, NONE, &[call(0)]), // call list: not tracked
    f("lineGetCountry", 3, NONE, &[]),
    f("lineGetCountryA", 3, NONE, &[]),
    f("lineGetCountryW", 3, NONE, &[]),
    f("lineGetDevCaps", 5, NONE, &[line_app(0)]),
    f("lineGetDevCapsA", 5, NONE, &[line_app(0)]),
    f("lineGetDevCapsW", 5, NONE, &[line_app(0)]),
    f("lineGetDevConfig", 3, NONE, &[]),
    f("lineGetDevConfigA", 3, NONE, &[]),
    f("lineGetDevConfigW", 3, NONE, &[]),
    f("lineGetGroupListA", 2, NONE, &[line(0)]),
    f("lineGetGroupListW", 2, NONE, &[line(0)]),
    f("lineGetID", 6, NONE, &[line(0), call(2)]), // comm/datamodem HANDLE: untracked
    f("lineGetIDA", 6, NONE, &[line(0), call(2)]), // comm/datamodem HANDLE: untracked
    f("lineGetIDW", 6, NONE, &[line(0), call(2)]), // comm/datamodem HANDLE: untracked
    f("lineGetIcon", 3, NONE, &[]),
    f("lineGetIconA", 3, NONE, &[]),
    f("lineGetIconW", 3, NONE, &[]),
    f("lineGetLineDevStatus", 2, NONE, &[line(0)]),
    f("lineGetLineDevStatusA", 2, NONE, &[line(0)]),
    f("lineGetLineDevStatusW", 2, NONE, &[line(0)]),
    f("lineGetMessage", 3, NONE, &[line_app(0)]),
    f("lineGetNewCalls", 4, NONE, &[line(0)]), // call list: not tracked (spec §1)
    f("lineGetNumRings", 3, NONE, &[line(0)]),
    f("lineGetProviderList", 2, NONE, &[]),
    f("lineGetProviderListA", 2, NONE, &[]),
    f("lineGetProviderListW", 2, NONE, &[]),
    f("lineGetProxyStatus", 4, NONE, &[line_app(0)]),
    f("lineGetQueueInfo", 3, NONE, &[line(0)]),
    f("lineGetQueueListA", 3, NONE, &[line(0)]),
    f("lineGetQueueListW", 3, NONE, &[line(0)]),
    f("lineGetRequest", 3, NONE, &[line_app(0)]),
    f("lineGetRequestA", 3, NONE, &[line_app(0)]),
    f("lineGetRequestW", 3, NONE, &[line_app(0)]),
    f("lineGetStatusMessages", 3, NONE, &[line(0)]),
    f("lineGetTranslateCaps", 3, NONE, &[line_app(0)]),
    f("lineGetTranslateCapsA", 3, NONE, &[line_app(0)]),
    f("lineGetTranslateCapsW", 3, NONE, &[line_app(0)]),
    f("lineHandoff", 3, NONE, &[call(0)]),
    f("lineHandoffA", 3, NONE, &[call(0)]),
    f("lineHandoffW", 3, NONE, &[call(0)]),
    f("lineHold", 1, NONE, &[call(0)]),
    f("lineInitialize", 5, INIT_LINE_APP, &[]),
    f("lineInitializeExA", 7, INIT_LINE_APP, &[]),
    f("lineInitializeExW", 7, INIT_LINE_APP, &[]),
    f("lineMakeCall", 5, MAKE_CALL, &[line(0)]),
    f("lineMakeCallA", 5, MAKE_CALL, &[line(0)]),
    f("lineMakeCallW", 5, MAKE_CALL, &[line(0)]),
    f("lineMonitorDigits", 2, NONE, &[call(0)]),
    f("lineMonitorMedia", 2, NONE, &[call(0)]),
    f("lineMonitorTones", 3, NONE, &[call(0)]),
    f("lineNegotiateAPIVersion", 6, NONE, &[line_app(0)]),
    f("lineNegotiateExtVersion", 6, NONE, &[line_app(0)]),
    f("lineOpen", 9, OPEN_LINE, &[line_app(0)]),
    f("lineOpenA", 9, OPEN_LINE, &[line_app(0)]),
    f("lineOpenW", 9, OPEN_LINE, &[line_app(0)]),
    f("linePark", 4, NONE, &[call(0)]),
    f("lineParkA", 4, NONE, &[call(0)]),
    f("lineParkW", 4, NONE, &[call(0)]),
    f("linePickup", 5, PICKUP, &[line(0)]),
    f("linePickupA", 5, PICKUP, &[line(0)]),
    f("linePickupW", 5, PICKUP, &[line(0)]),
    f("linePrepareAddToConference", 3, PREPARE_ADD_TO_CONFERENCE, &[call(0)]),
    f("linePrepareAddToConferenceA", 3, PREPARE_ADD_TO_CONFERENCE, &[call(0)]),
    f("linePrepareAddToConferenceW", 3, PREPARE_ADD_TO_CONFERENCE, &[call(0)]),
    f("lineProxyMessage", 6, NONE, &[line(0), call(1)]),
    f("lineProxyResponse", 3, NONE, &[line(0)]),
    f("lineRedirect", 3, NONE, &[call(0)]),
    f("lineRedirectA", 3, NONE, &[call(0)]),
    f("lineRedirectW", 3, NONE, &[call(0)]),
    f("lineRegisterRequestRecipient", 4, REQUEST_RECIPIENT, &[line_app(0)]),
    f("lineReleaseUserUserInfo", 1, NONE, &[call(0)]),
    f("lineRemoveFromConference", 1, NONE, &[call(0)]),
    f("lineRemoveProvider", 2, NONE, &[]),
    f("lineSecureCall", 1, NONE, &[call(0)]),
    f("lineSendUserUserInfo", 3, NONE, &[call(0)]),
    f("lineSetAgentActivity", 3, NONE, &[line(0)]),
    f("lineSetAgentGroup", 3, NONE, &[line(0)]),
    f("lineSetAgentMeasurementPeriod", 3, NONE, &[line(0)]),
    f("lineSetAgentSessionState", 4, NONE, &[line(0)]),
    f("lineSetAgentState", 4, NONE, &[line(0)]),
    f("lineSetAgentStateEx", 4, NONE, &[line(0)]),
    f("lineSetAppPriority", 6, NONE, &[]),
    f("lineSetAppPriorityA", 6, NONE, &[]),
    f("lineSetAppPriorityW", 6, NONE, &[]),
    f("lineSetAppSpecific", 2, NONE, &[call(0)]),
    f("lineSetCallData", 3, NONE, &[call(0)]),
    f("lineSetCallParams", 5, NONE, &[call(0)]),
    f("lineSetCallPrivilege", 2, NONE, &[call(0)]),
    f("lineSetCallQualityOfService", 5, NONE, &[call(0)]),
    f("lineSetCallTreatment", 2, NONE, &[call(0)]),
    f("lineSetCurrentLocation", 2, NONE, &[line_app(0)]),
    f("lineSetDevConfig", 4, NONE, &[]),
    f("lineSetDevConfigA", 4, NONE, &[]),
    f("lineSetDevConfigW", 4, NONE, &[]),
    f("lineSetLineDevStatus", 3, NONE, &[line(0)]),
    f("lineSetMediaControl", 12, NONE, &[line(0), call(2)]),
    f("lineSetMediaMode", 2, NONE, &[call(0)]),
    f("lineSetNumRings", 3, NONE, &[line(0)]),
    f("lineSetQueueMeasurementPeriod", 3, NONE, &[line(0)]),
    f("lineSetStatusMessages", 3, NONE, &[line(0)]),
    f("lineSetTerminal", 7, NONE, &[line(0), call(2)]),
    f("lineSetTollList", 4, NONE, &[line_app(0)]),
    f("lineSetTollListA", 4, NONE, &[line_app(0)]),
    f("lineSetTollListW", 4, NONE, &[line_app(0)]),
    f("lineSetupConference", 6, SETUP_CONFERENCE, &[call(0), line(1)]),
    f("lineSetupConferenceA", 6, SETUP_CONFERENCE, &[call(0), line(1)]),
    f("lineSetupConferenceW", 6, SETUP_CONFERENCE, &[call(0), line(1)]),
    f("lineSetupTransfer", 3, SETUP_TRANSFER, &[call(0)]),
    f("lineSetupTransferA", 3, SETUP_TRANSFER, &[call(0)]),
    f("lineSetupTransferW", 3, SETUP_TRANSFER, &[call(0)]),
    f("lineShutdown", 1, SHUTDOWN_LINE_APP, &[line_app(0)]),
    f("lineSwapHold", 2, NONE, &[call(0), call(1)]),
    f("lineTranslateAddress", 7, NONE, &[line_app(0)]),
    f("lineTranslateAddressA", 7, NONE, &[line_app(0)]),
    f("lineTranslateAddressW", 7, NONE, &[line_app(0)]),
    f("lineTranslateDialog", 5, NONE, &[line_app(0)]),
    f("lineTranslateDialogA", 5, NONE, &[line_app(0)]),
    f("lineTranslateDialogW", 5, NONE, &[line_app(0)]),
    f("lineUncompleteCall", 2, NONE, &[line(0)]),
    f("lineUnhold", 1, NONE, &[call(0)]),
    f("lineUnpark", 4, UNPARK, &[line(0)]),
    f("lineUnparkA", 4, UNPARK, &[line(0)]),
    f("lineUnparkW", 4, UNPARK, &[line(0)]),
    f("phoneClose", 1, CLOSE_PHONE, &[phone(0)]),
    f("phoneConfigDialog", 3, NONE, &[]),
    f("phoneConfigDialogA", 3, NONE, &[]),
    f("phoneConfigDialogW", 3, NONE, &[]),
    f("phoneDevSpecific", 3, NONE, &[phone(0)]),
    f("phoneGetButtonInfo", 3, NONE, &[phone(0)]),
    f("phoneGetButtonInfoA", 3, NONE, &[phone(0)]),
    f("phoneGetButtonInfoW", 3, NONE, &[phone(0)]),
    f("phoneGetData", 4, NONE, &[phone(0)]),
    f("phoneGetDevCaps", 5, NONE, &[phone_app(0)]),
    f("phoneGetDevCapsA", 5, NONE, &[phone_app(0)]),
    f("phoneGetDevCapsW", 5, NONE, &[phone_app(0)]),
    f("phoneGetDisplay", 2, NONE, &[phone(0)]),
    f("phoneGetGain", 3, NONE, &[phone(0)]),
    f("phoneGetHookSwitch", 2, NONE, &[phone(0)]),
    f("phoneGetID", 3, NONE, &[phone(0)]),
    f("phoneGetIDA", 3, NONE, &[phone(0)]),
    f("phoneGetIDW", 3, NONE, &[phone(0)]),
    f("phoneGetIcon", 3, NONE, &[]),
    f("phoneGetIconA", 3, NONE, &[]),
    f("phoneGetIconW", 3, NONE, &[]),
    f("phoneGetLamp", 3, NONE, &[phone(0)]),
    f("phoneGetMessage", 3, NONE, &[phone_app(0)]),
    f("phoneGetRing", 3, NONE, &[phone(0)]),
    f("phoneGetStatus", 2, NONE, &[phone(0)]),
    f("phoneGetStatusA", 2, NONE, &[phone(0)]),
    f("phoneGetStatusMessages", 4, NONE, &[phone(0)]),
    f("phoneGetStatusW", 2, NONE, &[phone(0)]),
    f("phoneGetVolume", 3, NONE, &[phone(0)]),
    f("phoneInitialize", 5, INIT_PHONE_APP, &[]),
    f("phoneInitializeExA", 7, INIT_PHONE_APP, &[]),
    f("phoneInitializeExW", 7, INIT_PHONE_APP, &[]),
    f("phoneNegotiateAPIVersion", 6, NONE, &[phone_app(0)]),
    f("phoneNegotiateExtVersion", 6, NONE, &[phone_app(0)]),
    f("phoneOpen", 7, OPEN_PHONE, &[phone_app(0)]),
    f("phoneSetButtonInfo", 3, NONE, &[phone(0)]),
    f("phoneSetButtonInfoA", 3, NONE, &[phone(0)]),
    f("phoneSetButtonInfoW", 3, NONE, &[phone(0)]),
    f("phoneSetData", 4, NONE, &[phone(0)]),
    f("phoneSetDisplay", 5, NONE, &[phone(0)]),
    f("phoneSetGain", 3, NONE, &[phone(0)]),
    f("phoneSetHookSwitch", 3, NONE, &[phone(0)]),
    f("phoneSetLamp", 3, NONE, &[phone(0)]),
    f("phoneSetRing", 3, NONE, &[phone(0)]),
    f("phoneSetStatusMessages", 4, NONE, &[phone(0)]),
    f("phoneSetVolume", 3, NONE, &[phone(0)]),
    f("phoneShutdown", 1, SHUTDOWN_PHONE_APP, &[phone_app(0)]),
    f("tapiGetLocationInfo", 2, NONE, &[]),
    f("tapiGetLocationInfoA", 2, NONE, &[]),
    f("tapiGetLocationInfoW", 2, NONE, &[]),
    f("tapiRequestDrop", 2, NONE, &[]),
    f("tapiRequestMakeCall", 4, NONE, &[]), // the call belongs to the call manager
    f("tapiRequestMakeCallA", 4, NONE, &[]), // the call belongs to the call manager
    f("tapiRequestMakeCallW", 4, NONE, &[]), // the call belongs to the call manager
    f("tapiRequestMediaCall", 10, NONE, &[]),
    f("tapiRequestMediaCallA", 10, NONE, &[]),
    f("tapiRequestMediaCallW", 10, NONE, &[]),
];
