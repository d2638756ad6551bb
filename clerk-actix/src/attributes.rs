//! The guard attributes from `clerk-actix-macros`, re-exported with examples that compile
//! against this crate (a proc-macro crate cannot run doctests that use its own re-exporter).

/// # Example
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use clerk_actix::{SignedIn, protect};
///
/// #[protect(role = "admin", any(permission = "org:invoices:read", plan = "pro"))]
/// #[get("/invoices")]
/// async fn invoices(user: SignedIn) -> HttpResponse {
///     HttpResponse::Ok().body(format!("invoices for {}", user.user_id()))
/// }
/// ```
pub use clerk_actix_macros::protect;
/// # Example
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use clerk_actix::{Auth, require_auth};
///
/// #[get("/dashboard")]
/// #[require_auth]
/// async fn dashboard(auth: Auth) -> HttpResponse {
///     HttpResponse::Ok().body(format!("hello {:?}", auth.user_id()))
/// }
///
/// #[require_auth(redirect = false)]
/// #[get("/api/me")]
/// async fn me(auth: Auth) -> String {
///     auth.user_id().unwrap_or_default().to_owned()
/// }
/// ```
pub use clerk_actix_macros::require_auth;
/// # Example
///
/// ```
/// use actix_web::get;
/// use clerk_actix::require_feature;
///
/// #[get("/export")]
/// #[require_feature("export")]
/// async fn export() -> &'static str {
///     "exported"
/// }
/// ```
pub use clerk_actix_macros::require_feature;
/// # Example
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use clerk_actix::{SignedIn, require_org_role};
///
/// #[require_org_role("admin", not_found = true)]
/// #[get("/api/admin")]
/// async fn admin(user: SignedIn) -> HttpResponse {
///     HttpResponse::Ok().json(serde_json::json!({ "admin": user.user_id() }))
/// }
/// ```
pub use clerk_actix_macros::require_org_role;
/// # Example
///
/// ```
/// use actix_web::{HttpResponse, post, web};
/// use clerk_actix::require_permission;
///
/// #[post("/invoices/{id}/approve")]
/// #[require_permission("org:invoices:approve")]
/// async fn approve(id: web::Path<u64>) -> actix_web::Result<HttpResponse> {
///     Ok(HttpResponse::Ok().body(format!("approved {id}")))
/// }
/// ```
pub use clerk_actix_macros::require_permission;
/// # Example
///
/// ```
/// use actix_web::get;
/// use clerk_actix::require_plan;
///
/// #[get("/pro")]
/// #[require_plan("pro", redirect = false)]
/// async fn pro_tools() -> String {
///     "pro tools".to_owned()
/// }
/// ```
pub use clerk_actix_macros::require_plan;
/// # Example
///
/// ```
/// use actix_web::{HttpResponse, delete, web};
/// use clerk_actix::require_reverification;
///
/// #[delete("/account/keys/{id}")]
/// #[require_reverification(strict)]
/// async fn delete_key(id: web::Path<String>) -> HttpResponse {
///     HttpResponse::Ok().body(format!("deleted {id}"))
/// }
/// ```
pub use clerk_actix_macros::require_reverification;
