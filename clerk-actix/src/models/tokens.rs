//! Sign-in tokens and testing tokens.

use serde::{Deserialize, Serialize};

use super::serde_helpers::null_default;
use super::string_enum::string_enum;
use super::{Metadata, SensitiveString};

string_enum! {
    /// State of a sign-in token.
    ///
    /// ```
    /// use clerk_actix::models::SignInTokenStatus;
    ///
    /// assert_eq!(SignInTokenStatus::from("accepted"), SignInTokenStatus::Accepted);
    /// ```
    pub enum SignInTokenStatus {
        /// Not used yet.
        Pending => "pending",
        /// Used to sign in.
        Accepted => "accepted",
        /// Revoked.
        Revoked => "revoked",
    }
}

/// A one-time sign-in token (`"object": "sign_in_token"`).
///
/// ```
/// let token: clerk_actix::models::SignInToken = serde_json::from_str(
///     r#"{"object":"sign_in_token","id":"sit_1","user_id":"user_1","status":"pending","token":"t0k"}"#,
/// ).unwrap();
/// assert_eq!(token.token.as_ref().map(|t| t.expose()), Some("t0k"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SignInToken {
    /// Always `"sign_in_token"`.
    #[serde(default)]
    pub object: String,
    /// Token id.
    pub id: String,
    /// State.
    #[serde(default)]
    pub status: SignInTokenStatus,
    /// User it signs in.
    #[serde(default, deserialize_with = "null_default")]
    pub user_id: String,
    /// The token (only in the creation response).
    pub token: Option<SensitiveString>,
    /// Sign-in URL embedding the token.
    pub url: Option<SensitiveString>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A token that lets automated tests bypass bot protection (`"object": "testing_token"`).
///
/// ```
/// let token: clerk_actix::models::TestingToken = serde_json::from_str(
///     r#"{"object":"testing_token","token":"1713877200-c_2J","expires_at":1713880800}"#,
/// ).unwrap();
/// assert_eq!(token.expires_at, 1713880800);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestingToken {
    /// Always `"testing_token"`.
    #[serde(default)]
    pub object: String,
    /// The token.
    pub token: SensitiveString,
    /// Expiry (Clerk's example uses Unix **seconds** here).
    #[serde(default, deserialize_with = "null_default")]
    pub expires_at: i64,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}
