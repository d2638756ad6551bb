//! Local development and testing without a Clerk account or network (feature `dev`).
//!
//! [`DevInstance`] runs a Clerk-compatible instance in-process on 127.0.0.1: it issues RS256
//! session tokens in Clerk's v2 claim layout, serves the JWKS, the Backend API subset the SDK
//! uses, the handshake, and plain HTML sign-in, sign-up, sign-out and organization pages. The
//! app talks to it through the SDK's normal configuration (publishable key, proxy URL, API
//! URL), so the code paths are the production ones:
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use clerk_actix::ClerkMiddleware;
//! use clerk_actix::dev::{DevInstance, DevInstanceConfig};
//!
//! # #[actix_web::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let instance = DevInstance::start(DevInstanceConfig::default().port(4010))?;
//! let clerk = instance.clerk_builder().build()?;
//! HttpServer::new(move || App::new().wrap(ClerkMiddleware::new(clerk.clone())))
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Its data (users, organizations, sessions, keys and the secret key) is kept in
//! `.clerk-dev/instance.json` (readable by its owner only, and git-ignored by a `.gitignore`
//! written beside it); a new store is seeded with `demo@example.com` (member of the
//! organization "Acme"), `admin@example.com` (its admin) and the organization itself. The
//! file is plain JSON: roles and their permissions (`roles`), plans (`plan` of users and
//! organizations, sent in the `pla` claim) and JWT templates (`jwt_templates`: `name`,
//! static `claims`, `lifetime_seconds`) can be edited there while the instance is stopped.
//!
//! For unit tests without any server, [`SigningKey`] mints RS256 tokens with Clerk's claim
//! layout:
//!
//! ```
//! use clerk_actix::dev::{SessionToken, SigningKey};
//!
//! let key = SigningKey::generate("ins_test").unwrap();
//! let token = SessionToken::new("user_123")
//!     .organization("org_1", "acme", "admin", &["org:invoices:read"])
//!     .sign(&key);
//! assert_eq!(token.matches('.').count(), 2);
//! ```
//!
//! Configure the app under test with `Clerk::builder().jwt_key(key.public_key_pem())` (no
//! network at all) or serve [`SigningKey::jwks`] from a local server as the Backend API.
//!
//! [`sign_webhook`] signs webhook deliveries, to test handlers that take
//! [`ClerkWebhook`](crate::webhooks::ClerkWebhook).

mod api_error;
mod bapi;
mod error;
mod handshake;
mod instance;
mod keys;
mod pages;
mod render;
mod store;
mod tokens;
mod webhooks;

pub use error::DevError;
pub use instance::{DevInstance, DevInstanceConfig};
pub use keys::SigningKey;
pub use tokens::SessionToken;
pub use webhooks::sign_webhook;
