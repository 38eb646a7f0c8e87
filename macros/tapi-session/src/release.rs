//! How the guard gives a TAPI 2 leftover back: the one place that calls
//! TAPI on its own behalf. (TAPI 3 leftovers carry their own release,
//! written by the macro where the interface types are in scope.)

use tapi_model::ResourceKind;
use windows_sys::Win32::Devices::Tapi::{
    lineClose, lineDeallocateCall, lineRegisterRequestRecipient, lineShutdown, phoneClose,
    phoneShutdown,
};

use crate::registry::Key;

/// Releases `key` with the function TAPI documents for its kind and
/// returns what TAPI returned.
pub(crate) fn release(key: Key) -> i32 {
    let handle = key.value as u32;
    // SAFETY: plain handle-by-value calls; TAPI answers an invalid handle
    // with an error code.
    unsafe {
        match key.kind {
            ResourceKind::Call => lineDeallocateCall(handle),
            ResourceKind::Line => lineClose(handle),
            ResourceKind::RequestRecipient => {
                let (app, mode) = ((key.value >> 32) as u32, key.value as u32);
                lineRegisterRequestRecipient(app, 0, mode, 0)
            }
            ResourceKind::Phone => phoneClose(handle),
            ResourceKind::LineApp => lineShutdown(handle),
            ResourceKind::PhoneApp => phoneShutdown(handle),
            // TAPI 3 resources are never keys of the handle table.
            ResourceKind::Tapi
            | ResourceKind::CallNotifications
            | ResourceKind::EventSink
            | ResourceKind::Tapi3Call => 0,
        }
    }
}
