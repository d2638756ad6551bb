use clerk_actix::{protect, require_auth};

#[require_auth(redirect = false, redirect = true)]
async fn option_twice() -> &'static str {
    ""
}

#[protect(role = "admin", role = "owner")]
async fn role_twice() -> &'static str {
    ""
}

fn main() {}
