use tapi_session::tapi_session;

#[tapi_session]
struct Session {
    line: u32,
}

fn main() {}
