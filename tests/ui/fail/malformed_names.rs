use clerk_actix::{protect, require_feature, require_org_role, require_permission, require_plan};

#[require_org_role("")]
async fn empty_role() -> &'static str {
    ""
}

#[require_org_role("org:")]
async fn prefix_only_role() -> &'static str {
    ""
}

#[require_permission("invoices")]
async fn permission_without_action() -> &'static str {
    ""
}

#[require_permission("org:invoices:read:all")]
async fn permission_with_extra_part() -> &'static str {
    ""
}

#[require_feature("team:export")]
async fn unknown_scope() -> &'static str {
    ""
}

#[require_plan("")]
async fn empty_plan() -> &'static str {
    ""
}

#[protect(any(role = "admin", permission = "org::read"))]
async fn nested() -> &'static str {
    ""
}

fn main() {}
