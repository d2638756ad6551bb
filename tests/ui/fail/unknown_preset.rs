use clerk_actix::{protect, require_reverification};

#[require_reverification(sometimes)]
async fn ident() -> &'static str {
    ""
}

#[protect(reverification = "Strict")]
async fn string() -> &'static str {
    ""
}

fn main() {}
