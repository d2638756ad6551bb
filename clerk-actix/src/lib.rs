//! Clerk authentication for actix-web.
//!
//! ```no_run
//! use actix_web::{App, HttpServer, get, web};
//! use clerk_actix::{Auth, Clerk, ClerkMiddleware, SignedIn};
//!
//! #[get("/api/me")]
//! async fn me(user: SignedIn) -> String {
//!     format!("you are {}", user.user_id())
//! }
//!
//! #[get("/api/public")]
//! async fn public(auth: Auth) -> String {
//!     format!("status: {}", auth.status())
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // CLERK_PUBLISHABLE_KEY and CLERK_SECRET_KEY (or CLERK_JWT_KEY) from the environment;
//!     // a misconfiguration stops here with a message saying how to fix it.
//!     let clerk = Clerk::from_env()?;
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(ClerkMiddleware::new(clerk.clone()))
//!             .service(me)
//!             .service(public)
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
compile_error!(
    "clerk-actix: enable exactly one JWT crypto backend. Both `aws-lc-rs` and `rust-crypto` are on; \
     use `default-features = false, features = [\"rust-crypto\"]` to pick RustCrypto."
);
#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "clerk-actix: enable exactly one JWT crypto backend: the default feature `aws-lc-rs`, or `rust-crypto`."
);

/// Internals for the fuzz targets, property tests and benchmarks (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;
mod attributes;
mod auth;
mod authorization;
mod background;
mod byte_search;
mod claims;
pub mod client;
mod config;
mod cookies;
mod crypto;
mod current;
#[cfg(feature = "dev")]
pub mod dev;
mod error;
mod extract;
mod handshake;
mod header_text;
mod http;
mod jwks;
mod jwt;
mod keys;
mod machine;
mod macro_support;
mod middleware;
mod middleware_hooks;
pub mod models;
mod name_rules;
mod organization_sync;
mod payload;
mod protect;
mod publishable_key;
mod redirect;
mod rejection;
mod request;
mod requirement;
mod route_matcher;
mod secret;
#[cfg(test)]
mod test_support;
mod token_cache;
pub mod ui;
mod verify;
pub mod webhooks;

pub use attributes::{
    protect, require_auth, require_feature, require_org_role, require_permission, require_plan,
    require_reverification,
};
pub use auth::{AuthReason, AuthStatus, ClerkAuth, TokenType};
pub use authorization::{
    Has, Reverification, ReverificationLevel, UnknownReverificationPreset,
    reverification_error_body,
};
pub use claims::{ClaimsError, SessionClaims, SessionStatus};
pub use client::ClerkClient;
pub use config::{Clerk, ClerkBuilder, ConfigError, DEFAULT_API_URL, DEFAULT_API_VERSION};
pub use current::{
    CurrentError, CurrentOrganization, CurrentSession, CurrentUser, SessionList, TokenOptions,
    clerk_client, current_user,
};
pub use error::{TokenCarrier, TokenErrorReason, TokenVerificationError};
pub use extract::{Auth, AuthRejection, ClerkRequestExt, SignedIn};
pub use machine::{AcceptsToken, MachineAuth};
pub use middleware::{ClerkMiddleware, ClerkMiddlewareService};
pub use organization_sync::{OrganizationMatcher, OrganizationSyncOptions, OrganizationSyncTarget};
pub use protect::{
    Protect, ProtectService, RequireAuth, RequireFeature, RequireOrgRole, RequirePermission,
    RequirePlan,
};
pub use publishable_key::{InstanceType, PublishableKey, PublishableKeyError};
pub use rejection::Rejection;
pub use requirement::Requirement;
pub use route_matcher::{MalformedUrl, RouteMatcher, RoutePatternError};
pub use verify::TokenValidation;

/// What the guard attributes expand to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::auth::TokenType;
    pub use crate::authorization::{Has, Reverification};
    pub use crate::machine::AcceptsToken;
    pub use crate::macro_support::{RequestParts, with_output};
    pub use crate::protect::Protect;
    pub use crate::requirement::Requirement;
    pub use actix_web::Error;
}
