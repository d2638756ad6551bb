use clerk_actix::{protect, require_auth, require_org_role};

#[require_org_role]
async fn missing_role() -> &'static str {
    ""
}

#[require_org_role(admin)]
async fn role_not_a_string() -> &'static str {
    ""
}

#[require_auth(redirect = "no")]
async fn redirect_not_a_bool() -> &'static str {
    ""
}

#[require_auth(sign_in_url = "login")]
async fn relative_sign_in_url() -> &'static str {
    ""
}

#[require_auth(sign_in_url = "//elsewhere.example/sign-in")]
async fn protocol_relative_sign_in_url() -> &'static str {
    ""
}

#[protect(any())]
async fn empty_any() -> &'static str {
    ""
}

#[protect(any(role = "admin", redirect = false))]
async fn option_in_group() -> &'static str {
    ""
}

fn main() {}
