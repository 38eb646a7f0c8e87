use tapi_session::tapi_session;

#[tapi_session]
const fn version() -> u32 {
    0x0002_0002
}

fn main() {}
