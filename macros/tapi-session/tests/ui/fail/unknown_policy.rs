use tapi_session::tapi_session;

#[tapi_session(on_leak = "ignore")]
fn run() {}

fn main() {}
