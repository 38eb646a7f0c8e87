#[tapi_session]
pub fn ring_once(device: u32) -> Result<(), i32> {
    let mut app = 0u32;
    let rc = unsafe { lineInitializeExW(&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut params) };
    if rc != 0 {
        return Err(rc);
    }
    let mut line = 0u32;
    unsafe { Tapi::lineOpenW(app, device, &mut line, ver, 0, 0, LINECALLPRIVILEGE_NONE, 0, null()) };
    std::thread::spawn(move || unsafe { lineClose(line) });
    assert_eq!(unsafe { lineShutdown(app) }, 0, "shutdown of {app}");
    fn helper(app: u32) -> i32 {
        unsafe { lineShutdown(app) }
    }
    Ok(())
}
