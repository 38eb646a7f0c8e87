async fn watch(
    tapi: &ITTAPI,
    point: IConnectionPoint,
    sink: &IUnknown,
) -> windows::core::Result<()> {
    let __tapi_session = &::tapi_session::__private::Session::enter(
        "watch",
        ::tapi_session::__private::OnLeak::Panic,
    );
    let __tapi_sid = __tapi_session.id();
    let __tapi_com = &::tapi_session::__private::ComSession::enter(__tapi_session);
    unsafe {
        match (&(tapi),) {
            (__tapi_recv,) => {
                let __tapi_result = __tapi_recv.Initialize();
                ::tapi_session::__private::com_object(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::Tapi,
                    "Initialize",
                    &__tapi_result,
                    {
                        use ::tapi_session::__private::{PeelRef as _, PeelValue as _};
                        (&::tapi_session::__private::Recv(__tapi_recv)).owned()
                    },
                    |__tapi_obj| {
                        let _ = __tapi_obj.Shutdown();
                    },
                );
                __tapi_result
            }
        }?
    };
    let cookie = unsafe {
        match (&(point), sink) {
            (__tapi_recv, __tapi_arg0) => {
                let __tapi_result = __tapi_recv.Advise(__tapi_arg0);
                ::tapi_session::__private::com_cookie(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::EventSink,
                    "Advise",
                    &__tapi_result,
                    {
                        use ::tapi_session::__private::{PeelRef as _, PeelValue as _};
                        (&::tapi_session::__private::Recv(__tapi_recv)).owned()
                    },
                    |__tapi_obj, __tapi_cookie| {
                        let _ = __tapi_obj.Unadvise(__tapi_cookie);
                    },
                );
                __tapi_result
            }
        }?
    };
    let registration = unsafe {
        match (&(tapi), &address, true, true, media, 0) {
            (
                __tapi_recv,
                __tapi_arg0,
                __tapi_arg1,
                __tapi_arg2,
                __tapi_arg3,
                __tapi_arg4,
            ) => {
                let __tapi_result = __tapi_recv
                    .RegisterCallNotifications(
                        __tapi_arg0,
                        __tapi_arg1,
                        __tapi_arg2,
                        __tapi_arg3,
                        __tapi_arg4,
                    );
                ::tapi_session::__private::com_cookie(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::CallNotifications,
                    "RegisterCallNotifications",
                    &__tapi_result,
                    {
                        use ::tapi_session::__private::{PeelRef as _, PeelValue as _};
                        (&::tapi_session::__private::Recv(__tapi_recv)).owned()
                    },
                    |__tapi_obj, __tapi_cookie| {
                        let _ = __tapi_obj.UnregisterNotifications(__tapi_cookie);
                    },
                );
                __tapi_result
            }
        }?
    };
    unsafe {
        match (&(tapi), registration) {
            (__tapi_recv, __tapi_arg0) => {
                let __tapi_result = __tapi_recv.UnregisterNotifications(__tapi_arg0);
                ::tapi_session::__private::com_release_cookie(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::CallNotifications,
                    "UnregisterNotifications",
                    __tapi_arg0,
                );
                __tapi_result
            }
        }?
    };
    unsafe {
        match (&(point), cookie) {
            (__tapi_recv, __tapi_arg0) => {
                let __tapi_result = __tapi_recv.Unadvise(__tapi_arg0);
                ::tapi_session::__private::com_release_cookie(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::EventSink,
                    "Unadvise",
                    __tapi_arg0,
                );
                __tapi_result
            }
        }?
    };
    unsafe {
        match (&(tapi),) {
            (__tapi_recv,) => {
                let __tapi_result = __tapi_recv.Shutdown();
                ::tapi_session::__private::com_release_object(
                    __tapi_com,
                    ::tapi_session::__private::ResourceKind::Tapi,
                    "Shutdown",
                    {
                        use ::tapi_session::__private::{PeelRef as _, PeelValue as _};
                        (&::tapi_session::__private::Recv(__tapi_recv)).owned()
                    },
                );
                __tapi_result
            }
        }
    }
}
