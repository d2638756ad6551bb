//! Local development and testing without a Clerk account or network (feature `dev`).
//!
//! [`SigningKey`] mints RS256 tokens with Clerk's claim layout, for your own tests:
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

mod keys;
mod tokens;

pub use keys::{DevError, SigningKey};
pub use tokens::SessionToken;
