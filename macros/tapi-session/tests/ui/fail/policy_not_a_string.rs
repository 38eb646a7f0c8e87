use tapi_session::tapi_session;

#[tapi_session(on_leak = panic)]
fn run() {}

fn main() {}
