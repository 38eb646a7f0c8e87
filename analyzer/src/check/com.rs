//! TAPI 3 (COM) method calls through the `windows` crate.
//!
//! A method is matched by its receiver's type (`let tapi: ITTAPI = ..`,
//! `CoCreateInstance::<_, ITTAPI>`), or, for names only TAPI's interfaces
//! use, by name alone. What `Initialize`, `Connect` or `Open` acquire
//! belongs to the receiver object: it is kept in a hidden part of the
//! receiver's place ([`SESSION`]), so clones of the object (which copy
//! their parts) alias it.

use tapi_model::Method;

use super::program::Program;
use crate::ir::{Body, Call};

/// The hidden field of a COM object's place that holds what a method
/// acquired on the object itself.
pub const SESSION: &str = "#session";

/// Method names no other common API uses, matched even when the
/// receiver's type is not written down.
const DISTINCTIVE: &[&str] = &[
    "RegisterCallNotifications",
    "UnregisterNotifications",
    "RegisterRequestRecipient",
    "Advise",
    "Unadvise",
];

/// The TAPI 3 method a method call invokes, if it is one.
pub fn method(
    program: &Program,
    module: &[String],
    caller: &Body,
    call: &Call,
    name: &str,
) -> Option<&'static Method> {
    match program.receiver_type(module, caller, call.args.first()?) {
        Some(ty) => tapi_model::method(&ty, name),
        None if DISTINCTIVE.contains(&name) => tapi_model::methods_named(name).next(),
        None => None,
    }
}
