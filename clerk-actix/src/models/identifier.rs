//! Allowlist and blocklist identifiers.

use serde::{Deserialize, Serialize};

use super::Metadata;
use super::serde_helpers::null_default;
use super::string_enum::string_enum;

string_enum! {
    /// Kind of an allowlist/blocklist identifier.
    ///
    /// ```
    /// use clerk_actix::models::IdentifierType;
    ///
    /// assert_eq!(IdentifierType::from("email_address"), IdentifierType::EmailAddress);
    /// ```
    pub enum IdentifierType {
        /// An email address or a domain (`*@example.com`).
        EmailAddress => "email_address",
        /// A phone number.
        PhoneNumber => "phone_number",
        /// A Web3 wallet.
        Web3Wallet => "web3_wallet",
    }
}

/// An identifier allowed to sign up (`"object": "allowlist_identifier"`).
///
/// ```
/// let id: clerk_actix::models::AllowlistIdentifier = serde_json::from_str(
///     r#"{"object":"allowlist_identifier","id":"alid_1","identifier":"a@b.c","identifier_type":"email_address"}"#,
/// ).unwrap();
/// assert_eq!(id.identifier, "a@b.c");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllowlistIdentifier {
    /// Always `"allowlist_identifier"`.
    #[serde(default)]
    pub object: String,
    /// Identifier id.
    pub id: String,
    /// Invitation sent for it, if any.
    pub invitation_id: Option<String>,
    /// The identifier.
    #[serde(default, deserialize_with = "null_default")]
    pub identifier: String,
    /// Its kind.
    #[serde(default)]
    pub identifier_type: IdentifierType,
    /// Instance id.
    pub instance_id: Option<String>,
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

/// An identifier barred from signing up (`"object": "blocklist_identifier"`).
///
/// ```
/// let id: clerk_actix::models::BlocklistIdentifier = serde_json::from_str(
///     r#"{"object":"blocklist_identifier","id":"blid_1","identifier":"*@spam.test","identifier_type":"email_address"}"#,
/// ).unwrap();
/// assert_eq!(id.identifier, "*@spam.test");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlocklistIdentifier {
    /// Always `"blocklist_identifier"`.
    #[serde(default)]
    pub object: String,
    /// Identifier id.
    pub id: String,
    /// The identifier.
    #[serde(default, deserialize_with = "null_default")]
    pub identifier: String,
    /// Its kind.
    #[serde(default)]
    pub identifier_type: IdentifierType,
    /// Instance id.
    pub instance_id: Option<String>,
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
