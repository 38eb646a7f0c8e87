#[tapi_session(on_leak = "panic")]
async fn watch(tapi: &ITTAPI, point: IConnectionPoint, sink: &IUnknown) -> windows::core::Result<()> {
    unsafe { tapi.Initialize()? };
    let cookie = unsafe { point.Advise(sink)? };
    let registration = unsafe { tapi.RegisterCallNotifications(&address, true, true, media, 0)? };
    unsafe { tapi.UnregisterNotifications(registration)? };
    unsafe { point.Unadvise(cookie)? };
    unsafe { tapi.Shutdown() }
}
