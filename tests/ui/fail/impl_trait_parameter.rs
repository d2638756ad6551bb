use clerk_actix::require_auth;

#[require_auth]
async fn handler(value: impl std::fmt::Display) -> String {
    value.to_string()
}

fn main() {}
