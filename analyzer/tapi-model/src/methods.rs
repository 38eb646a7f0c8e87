//! The TAPI 3 COM methods that acquire or release something, as bound in
//! `windows::Win32::Devices::Tapi` and `windows::Win32::System::Com`.
//!
//! Sources: the contract (`shared/spec/lints.md` §1) and the reference
//! (`shared/reference/tapi-semantics.md` §2 and §8). Arities count the
//! parameters after the receiver; `tests/signatures.rs` checks them against
//! the `windows` crate's source.

use crate::{Creates, Effect, HandleParam, Method, ParentSlot, ResourceKind, Slot, Success};

/// Every TAPI 3 method the model knows, grouped by interface.
pub static METHODS: &[Method] = &[
    // ITTAPI::Initialize(&self): the TAPI object itself becomes the
    // resource; ITTAPI::Shutdown(&self) gives it back (reference §2.2, §8).
    Method {
        interface: "ITTAPI",
        name: "Initialize",
        arity: 0,
        effect: Effect::Acquire {
            creates: &[Creates {
                kind: ResourceKind::Tapi,
                out: Slot::Receiver,
                parent: ParentSlot::None,
            }],
            success: Success::Ok,
        },
        handles: &[],
    },
    Method {
        interface: "ITTAPI",
        name: "Shutdown",
        arity: 0,
        effect: Effect::Release {
            kind: ResourceKind::Tapi,
            handle: Slot::Receiver,
        },
        handles: &[],
    },
    // RegisterCallNotifications(paddress, fmonitor, fowner, lmediatypes,
    // lcallbackinstance) -> Result<i32>: the cookie in `Ok` belongs to the
    // TAPI object; UnregisterNotifications(lregister) releases it.
    Method {
        interface: "ITTAPI",
        name: "RegisterCallNotifications",
        arity: 5,
        effect: Effect::Acquire {
            creates: &[Creates {
                kind: ResourceKind::CallNotifications,
                out: Slot::Return,
                parent: ParentSlot::Handle(Slot::Receiver),
            }],
            success: Success::Ok,
        },
        handles: &[],
    },
    Method {
        interface: "ITTAPI",
        name: "UnregisterNotifications",
        arity: 1,
        effect: Effect::Release {
            kind: ResourceKind::CallNotifications,
            handle: Slot::Arg(0),
        },
        handles: &[HandleParam {
            index: 0,
            kind: ResourceKind::CallNotifications,
        }],
    },
    // RegisterRequestRecipient(lregistrationinstance, lrequestmode, fenable):
    // registers the mode (arg 1) on the TAPI object while `fenable` (arg 2)
    // is VARIANT_TRUE, unregisters it with VARIANT_FALSE.
    Method {
        interface: "ITTAPI",
        name: "RegisterRequestRecipient",
        arity: 3,
        effect: Effect::Registration {
            owner: Slot::Receiver,
            key_arg: 1,
            enable_arg: 2,
            success: Success::Ok,
        },
        handles: &[],
    },
    // IConnectionPoint::Advise(sink) -> Result<u32>: a cookie that
    // Unadvise(cookie) gives back; no parent (reference §2.2, [D:RegisterEvents]).
    Method {
        interface: "IConnectionPoint",
        name: "Advise",
        arity: 1,
        effect: Effect::Acquire {
            creates: &[Creates {
                kind: ResourceKind::EventSink,
                out: Slot::Return,
                parent: ParentSlot::None,
            }],
            success: Success::Ok,
        },
        handles: &[],
    },
    Method {
        interface: "IConnectionPoint",
        name: "Unadvise",
        arity: 1,
        effect: Effect::Release {
            kind: ResourceKind::EventSink,
            handle: Slot::Arg(0),
        },
        handles: &[HandleParam {
            index: 0,
            kind: ResourceKind::EventSink,
        }],
    },
    // ITPhone::Open(privilege) opens the phone object itself until
    // ITPhone::Close() (or the TAPI object's Shutdown) [D:ITPhone.Open].
    Method {
        interface: "ITPhone",
        name: "Open",
        arity: 1,
        effect: Effect::Acquire {
            creates: &[Creates {
                kind: ResourceKind::Phone,
                out: Slot::Receiver,
                parent: ParentSlot::None,
            }],
            success: Success::Ok,
        },
        handles: &[],
    },
    Method {
        interface: "ITPhone",
        name: "Close",
        arity: 0,
        effect: Effect::Release {
            kind: ResourceKind::Phone,
            handle: Slot::Receiver,
        },
        handles: &[],
    },
    // ITBasicCallControl::Connect(fsync) puts the call on the wire until
    // Disconnect(code) [D:Connect], [D:Disconnect].
    Method {
        interface: "ITBasicCallControl",
        name: "Connect",
        arity: 1,
        effect: Effect::Acquire {
            creates: &[Creates {
                kind: ResourceKind::Tapi3Call,
                out: Slot::Receiver,
                parent: ParentSlot::None,
            }],
            success: Success::Ok,
        },
        handles: &[],
    },
    Method {
        interface: "ITBasicCallControl",
        name: "Disconnect",
        arity: 1,
        effect: Effect::Release {
            kind: ResourceKind::Tapi3Call,
            handle: Slot::Receiver,
        },
        handles: &[],
    },
];
