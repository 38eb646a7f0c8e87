//! What each TAPI function acquires, releases and uses.
//!
//! This crate is the single source of TAPI knowledge for both halves of the
//! product: the static analyzer (`cargo tapi-lint`) and the runtime guard
//! (`#[tapi_session]`). It is plain data, with no dependencies, so that either
//! side can embed it. The facts come from `shared/reference/tapi-semantics.md`
//! and the contract in `shared/spec/lints.md`; the `signatures` test checks
//! every parameter position here against the real `windows-sys` source.
//!
//! Parameter positions are 0-based (the spec's table counts from 1).

mod functions;
mod methods;

pub use functions::FUNCTIONS;
pub use methods::METHODS;

/// Something an application acquires from TAPI and must give back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// `HLINEAPP` from `lineInitialize(Ex)`.
    LineApp,
    /// `HLINE` from `lineOpen`.
    Line,
    /// `HCALL` from `lineMakeCall` and the other call-creating functions.
    Call,
    /// A request-recipient registration (`lineRegisterRequestRecipient`,
    /// `ITTAPI::RegisterRequestRecipient`).
    RequestRecipient,
    /// `HPHONEAPP` from `phoneInitialize(Ex)`.
    PhoneApp,
    /// `HPHONE` from `phoneOpen`, or an `ITPhone` opened with `Open`.
    Phone,
    /// An `ITTAPI` object after `Initialize`.
    Tapi,
    /// A cookie from `ITTAPI::RegisterCallNotifications`.
    CallNotifications,
    /// A cookie from `IConnectionPoint::Advise`.
    EventSink,
    /// An `ITBasicCallControl` after `Connect`.
    Tapi3Call,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 10] = [
        ResourceKind::LineApp,
        ResourceKind::Line,
        ResourceKind::Call,
        ResourceKind::RequestRecipient,
        ResourceKind::PhoneApp,
        ResourceKind::Phone,
        ResourceKind::Tapi,
        ResourceKind::CallNotifications,
        ResourceKind::EventSink,
        ResourceKind::Tapi3Call,
    ];

    /// How diagnostics name a resource of this kind ("line app", "call", ...).
    pub fn noun(self) -> &'static str {
        match self {
            ResourceKind::LineApp => "line app",
            ResourceKind::Line => "line",
            ResourceKind::Call => "call",
            ResourceKind::RequestRecipient => "request-recipient registration",
            ResourceKind::PhoneApp => "phone app",
            ResourceKind::Phone => "phone",
            ResourceKind::Tapi => "TAPI object",
            ResourceKind::CallNotifications => "call-notification registration",
            ResourceKind::EventSink => "event sink",
            ResourceKind::Tapi3Call => "TAPI 3 call",
        }
    }

    /// The usual way to give a resource of this kind back, for messages.
    pub fn release_name(self) -> &'static str {
        match self {
            ResourceKind::LineApp => "lineShutdown",
            ResourceKind::Line => "lineClose",
            ResourceKind::Call => "lineDeallocateCall",
            ResourceKind::RequestRecipient => "lineRegisterRequestRecipient(.., 0)",
            ResourceKind::PhoneApp => "phoneShutdown",
            ResourceKind::Phone => "phoneClose",
            ResourceKind::Tapi => "ITTAPI::Shutdown",
            ResourceKind::CallNotifications => "ITTAPI::UnregisterNotifications",
            ResourceKind::EventSink => "IConnectionPoint::Unadvise",
            ResourceKind::Tapi3Call => "ITBasicCallControl::Disconnect",
        }
    }

    /// Kinds whose release also ends a resource of this kind implicitly.
    pub fn parents(self) -> &'static [ResourceKind] {
        match self {
            ResourceKind::Line => &[ResourceKind::LineApp],
            ResourceKind::Call => &[ResourceKind::Line],
            ResourceKind::RequestRecipient => &[ResourceKind::LineApp, ResourceKind::Tapi],
            ResourceKind::Phone => &[ResourceKind::PhoneApp, ResourceKind::Tapi],
            ResourceKind::CallNotifications | ResourceKind::Tapi3Call => &[ResourceKind::Tapi],
            ResourceKind::LineApp
            | ResourceKind::PhoneApp
            | ResourceKind::Tapi
            | ResourceKind::EventSink => &[],
        }
    }

    /// Where a resource of this kind comes in the order a session gives
    /// things back (lower first): calls before the lines they are on, lines
    /// and phones before registrations, registrations and sinks before the
    /// apps and the TAPI object that own them. Reference §1.4 (drop and
    /// deallocate calls, then close, then shut down) and §2.3 (TAPI 3:
    /// disconnect, unregister, unadvise, `Shutdown`).
    pub fn release_rank(self) -> u8 {
        match self {
            ResourceKind::Call | ResourceKind::Tapi3Call => 0,
            ResourceKind::Line | ResourceKind::Phone => 1,
            ResourceKind::RequestRecipient | ResourceKind::CallNotifications => 2,
            ResourceKind::EventSink => 3,
            ResourceKind::LineApp | ResourceKind::PhoneApp => 4,
            ResourceKind::Tapi => 5,
        }
    }

    /// The error code TAPI returns when a resource of this kind that is no
    /// longer held is released again: `LINEERR_NOTREGISTERED` for a
    /// registration (reference §8), the invalid-handle code otherwise.
    pub fn not_held_error(self) -> Option<i32> {
        match self {
            ResourceKind::RequestRecipient => Some(0x8000_0047_u32 as i32),
            _ => self.invalid_handle_error(),
        }
    }

    /// The error code TAPI returns when a released handle of this kind is
    /// passed to it (for the runtime guard); `None` where it is not a TAPI 2
    /// handle.
    pub fn invalid_handle_error(self) -> Option<i32> {
        // LINEERR_* / PHONEERR_* are u32 in windows-sys; functions return i32.
        match self {
            ResourceKind::LineApp | ResourceKind::RequestRecipient => Some(0x8000_0014_u32 as i32),
            ResourceKind::Line => Some(0x8000_002B_u32 as i32),
            ResourceKind::Call => Some(0x8000_0018_u32 as i32),
            ResourceKind::PhoneApp => Some(0x9000_0007_u32 as i32),
            ResourceKind::Phone => Some(0x9000_0013_u32 as i32),
            _ => None,
        }
    }
}

/// When an acquiring call has actually created its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Success {
    /// Synchronous TAPI 2 function: the return value is `0`.
    Zero,
    /// Asynchronous TAPI 2 function: the return value is a positive request id.
    Positive,
    /// COM method: the `windows::core::Result` is `Ok`.
    Ok,
}

/// Where a function or method finds (or puts) a handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The argument at this 0-based position (for an out-parameter: the
    /// pointer through which the handle is written).
    Arg(usize),
    /// The value inside `Ok(..)` of the returned `Result` (COM cookies).
    Return,
    /// The receiver of a COM method (`tapi.Initialize()`).
    Receiver,
}

/// Which resource owns a newly acquired one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParentSlot {
    /// No parent (apps, TAPI 3 objects, event sinks).
    None,
    /// The handle in this slot is the parent (`lineOpen(hLineApp, ..)`).
    Handle(Slot),
    /// The parent is the parent of the handle in this slot: a consultation
    /// call created from `hCall` belongs to the line `hCall` was made on.
    ParentOf(Slot),
}

/// One resource an acquiring function creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Creates {
    pub kind: ResourceKind,
    /// Where the new handle appears.
    pub out: Slot,
    pub parent: ParentSlot,
}

/// What a call does to the resources it touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Neither acquires nor releases (it may still use handles; see
    /// [`Function::handles`]).
    None,
    /// Creates these resources when `success` holds.
    Acquire {
        creates: &'static [Creates],
        success: Success,
    },
    /// Gives back the resource in `handle`, whatever the call returns.
    Release { kind: ResourceKind, handle: Slot },
    /// Registers when the argument at `enable_arg` is non-zero (or
    /// `VARIANT_TRUE`), unregisters when it is zero: the registration is
    /// identified by the owner in `owner` and the mode in `key_arg`.
    Registration {
        owner: Slot,
        key_arg: usize,
        enable_arg: usize,
        success: Success,
    },
}

/// A handle-typed input parameter: passing a released handle here is a
/// use after release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HandleParam {
    pub index: usize,
    pub kind: ResourceKind,
}

/// A TAPI 2 C function as exported by `tapi32.dll` and bound in
/// `windows_sys::Win32::Devices::Tapi` / `windows::Win32::Devices::Tapi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Function {
    pub name: &'static str,
    /// Number of parameters in the real signature.
    pub arity: usize,
    pub effect: Effect,
    /// Every handle-typed input parameter, including the one a release
    /// function releases.
    pub handles: &'static [HandleParam],
}

/// A TAPI 3 COM method, reached through the `windows` crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Method {
    /// The interface that declares it (`"ITTAPI"`, `"IConnectionPoint"`).
    pub interface: &'static str,
    pub name: &'static str,
    /// Number of parameters, not counting the receiver.
    pub arity: usize,
    pub effect: Effect,
    /// Arguments that carry a cookie of this kind (not counting the receiver).
    pub handles: &'static [HandleParam],
}

/// Looks a TAPI 2 function up by its exported name.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &FUNCTIONS[i])
}

/// Looks a TAPI 3 method up by interface and name.
pub fn method(interface: &str, name: &str) -> Option<&'static Method> {
    METHODS
        .iter()
        .find(|m| m.interface == interface && m.name == name)
}

/// The TAPI 3 methods of any interface with this name.
pub fn methods_named(name: &str) -> impl Iterator<Item = &'static Method> + '_ {
    METHODS.iter().filter(move |m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_sorted_and_unique_so_lookup_works() {
        for pair in FUNCTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        assert!(function("lineOpenW").is_some());
        assert!(function("lineopenw").is_none());
    }

    #[test]
    fn every_handle_position_is_within_the_signature() {
        for f in FUNCTIONS {
            for h in f.handles {
                assert!(
                    h.index < f.arity,
                    "{}: handle {} >= arity {}",
                    f.name,
                    h.index,
                    f.arity
                );
            }
        }
    }
}
