//! Typed Clerk resources (users, organizations, sessions...) as the Backend API and webhooks
//! send them.
//!
//! ```
//! use clerk_actix::models::{SessionStatus, User};
//!
//! let user: User = serde_json::from_str(r#"{"object":"user","id":"user_1","banned":false}"#)?;
//! assert_eq!(user.id, "user_1");
//! assert_eq!(SessionStatus::from("active"), SessionStatus::Active);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Forward compatibility
//! Clerk adds fields and enum values without a new API version. So that an addition never
//! breaks the parsing of a whole response:
//! - no type denies unknown fields; those a type does not model are kept in its `extra` map;
//! - every string enum has an `Unknown(String)` variant holding the value verbatim;
//! - lists, flags and metadata that Clerk sends as `null` or leaves out read as empty/`false`;
//!   only identity fields (`id`, and `user_id` of a session) are required;
//! - loose kinds (verifications, external accounts) share one lenient type, with the
//!   kind-specific fields left as raw JSON.
//!
//! Field names are Clerk's snake_case wire names; metadata is a [`Metadata`] map whose keys are
//! never renamed; timestamps are Unix milliseconds in `i64`. Tokens, passwords, ticket URLs and
//! cookie directives are [`SensitiveString`]s, redacted in `Debug`.

mod client;
mod common;
mod identifier;
mod invitation;
mod jwks;
mod machine;
mod organization;
mod sensitive;
mod serde_helpers;
mod session;
mod string_enum;
mod tokens;
mod user;
mod verification;

#[allow(unused_imports)] // for the webhook event types, which declare their enums the same way
pub(crate) use string_enum::string_enum;

pub use client::{Client, HandshakePayload};
pub use common::{DeletedObject, Metadata, Page, TotalCount};
pub use identifier::{AllowlistIdentifier, BlocklistIdentifier, IdentifierType};
pub use invitation::{Invitation, InvitationStatus, OrganizationInvitation};
pub use jwks::{Jwk, Jwks};
pub use machine::{ApiKey, M2mToken, OAuthAccessToken};
pub use organization::{Organization, OrganizationMembership, PublicUserData};
pub use sensitive::SensitiveString;
pub use session::{Session, SessionActivity, SessionRefresh, SessionStatus, SessionTask, Token};
pub use tokens::{SignInToken, SignInTokenStatus, TestingToken};
pub use user::{
    EmailAddress, EnterpriseAccount, ExternalAccount, Passkey, PhoneNumber, User, Web3Wallet,
};
pub use verification::{IdentificationLink, Verification, VerificationStatus};
