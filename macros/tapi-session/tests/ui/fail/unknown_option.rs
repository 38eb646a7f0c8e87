use tapi_session::tapi_session;

#[tapi_session(on_exit = "release")]
fn run() {}

fn main() {}
