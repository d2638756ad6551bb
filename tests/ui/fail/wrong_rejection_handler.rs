use clerk_actix::require_auth;

fn reject() -> String {
    String::new()
}

#[require_auth(on_reject = reject)]
async fn handler() -> &'static str {
    ""
}

fn main() {}
