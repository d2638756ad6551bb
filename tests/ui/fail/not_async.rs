use clerk_actix::require_auth;

#[require_auth]
fn handler() -> &'static str {
    "not async"
}

fn main() {}
