//! The attribute on the shapes a function takes: free, method, generic,
//! `async`, returning `Result` with `?`, with closures and nested items.
//! Each one opens something and leaves it to the guard.
use std::ptr::{null, null_mut};

use tapi_session::tapi_session;
use tapi_sim as _;
use windows_sys::Win32::Devices::Tapi::*;

#[tapi_session]
fn open_app() -> Result<u32, i32> {
    let (mut app, mut devs, mut ver) = (0u32, 0u32, 0x0002_0002u32);
    let mut params = LINEINITIALIZEEXPARAMS {
        dwTotalSize: size_of::<LINEINITIALIZEEXPARAMS>() as u32,
        dwOptions: LINEINITIALIZEEXOPTION_USEEVENT,
        ..Default::default()
    };
    let rc = unsafe {
        lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut params)
    };
    if rc != 0 {
        return Err(rc);
    }
    fn not_guarded() -> u32 {
        7
    }
    let opened = |device: u32| {
        let mut line = 0u32;
        unsafe { lineOpenW(app, device, &mut line, ver, 0, 0, LINECALLPRIVILEGE_NONE, 0, null()) }
    };
    opened(0);
    Ok(not_guarded())
}

struct Phone {
    app: u32,
}

impl Phone {
    #[tapi_session(on_leak = "release")]
    fn ring<T: Into<u32>>(&mut self, device: T) -> i32 {
        let mut phone = 0u32;
        unsafe { phoneOpen(self.app, device.into(), &mut phone, 0x0002_0002, 0, 0, PHONEPRIVILEGE_OWNER) }
    }
}

#[tapi_session]
async fn later() -> i32 {
    unsafe { lineShutdown(0) }
}

fn main() {
    let _ = open_app();
    let _ = Phone { app: 0 }.ring(0u32);
    drop(later());
}
