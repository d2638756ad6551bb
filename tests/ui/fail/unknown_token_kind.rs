use clerk_actix::require_auth;

#[require_auth(token = "jwt")]
async fn handler() -> &'static str {
    "x"
}

#[require_auth(token = "api_key", token = "any")]
async fn twice() -> &'static str {
    "x"
}

fn main() {}
