use tapi_session::tapi_session;

#[tapi_session(on_leak = "panic", on_leak = "abort")]
fn run() {}

fn main() {}
