use tapi_session::tapi_session;

trait Telephony {
    #[tapi_session]
    fn run(&self) -> i32;
}

fn main() {}
