pub fn ring_once(device: u32) -> Result<(), i32> {
    let __tapi_session = &::tapi_session::__private::Session::enter(
        "ring_once",
        ::tapi_session::__private::OnLeak::Release,
    );
    let __tapi_sid = __tapi_session.id();
    let mut app = 0u32;
    let rc = unsafe {
        match (&mut app, null_mut(), None, null(), &mut devs, &mut ver, &mut params) {
            (
                __tapi_arg0,
                __tapi_arg1,
                __tapi_arg2,
                __tapi_arg3,
                __tapi_arg4,
                __tapi_arg5,
                __tapi_arg6,
            ) => {
                let __tapi_out0 = ::tapi_session::__private::out_ptr(__tapi_arg0);
                ::tapi_session::__private::tapi2(
                    __tapi_sid,
                    115usize,
                    "lineInitializeExW",
                    &[
                        ::tapi_session::__private::Arg::Out(__tapi_out0),
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                    ],
                    || lineInitializeExW(
                        __tapi_out0,
                        __tapi_arg1,
                        __tapi_arg2,
                        __tapi_arg3,
                        __tapi_arg4,
                        __tapi_arg5,
                        __tapi_arg6,
                    ),
                )
            }
        }
    };
    if rc != 0 {
        return Err(rc);
    }
    let mut line = 0u32;
    unsafe {
        match (app, device, &mut line, ver, 0, 0, LINECALLPRIVILEGE_NONE, 0, null()) {
            (
                __tapi_arg0,
                __tapi_arg1,
                __tapi_arg2,
                __tapi_arg3,
                __tapi_arg4,
                __tapi_arg5,
                __tapi_arg6,
                __tapi_arg7,
                __tapi_arg8,
            ) => {
                let __tapi_out2 = ::tapi_session::__private::out_ptr(__tapi_arg2);
                ::tapi_session::__private::tapi2(
                    __tapi_sid,
                    126usize,
                    "lineOpenW",
                    &[
                        ::tapi_session::__private::Arg::Value(
                            ::tapi_session::__private::handle_value(&__tapi_arg0),
                        ),
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Out(__tapi_out2),
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                        ::tapi_session::__private::Arg::Other,
                    ],
                    || Tapi::lineOpenW(
                        __tapi_arg0,
                        __tapi_arg1,
                        __tapi_out2,
                        __tapi_arg3,
                        __tapi_arg4,
                        __tapi_arg5,
                        __tapi_arg6,
                        __tapi_arg7,
                        __tapi_arg8,
                    ),
                )
            }
        }
    };
    std::thread::spawn(move || unsafe {
        match (line,) {
            (__tapi_arg0,) => {
                ::tapi_session::__private::tapi2(
                    __tapi_sid,
                    13usize,
                    "lineClose",
                    &[
                        ::tapi_session::__private::Arg::Value(
                            ::tapi_session::__private::handle_value(&__tapi_arg0),
                        ),
                    ],
                    || lineClose(__tapi_arg0),
                )
            }
        }
    });
    assert_eq!(
        unsafe { match (app,) { (__tapi_arg0,) => {
        ::tapi_session::__private::tapi2(__tapi_sid, 182usize, "lineShutdown", &
        [::tapi_session::__private::Arg::Value(::tapi_session::__private::handle_value(&
        __tapi_arg0))], | | lineShutdown(__tapi_arg0),) } } }, 0, "shutdown of {app}"
    );
    fn helper(app: u32) -> i32 {
        unsafe { lineShutdown(app) }
    }
    Ok(())
}
