use clerk_actix::{protect, require_auth, require_org_role};

#[require_auth(redirect_to = "/login")]
async fn unknown() -> &'static str {
    ""
}

#[require_org_role("admin", permission = "org:a:b")]
async fn requirement_as_option() -> &'static str {
    ""
}

#[protect(colour = "red")]
async fn unknown_argument() -> &'static str {
    ""
}

fn main() {}
