use clerk_actix::require_auth;

#[require_auth]
struct Handler;

fn main() {}
