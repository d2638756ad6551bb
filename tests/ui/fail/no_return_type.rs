use clerk_actix::require_auth;

#[require_auth]
async fn handler() {}

fn main() {}
