//! Application and organization invitations.

use serde::{Deserialize, Serialize};

use super::serde_helpers::null_default;
use super::string_enum::string_enum;
use super::{Metadata, PublicUserData, SensitiveString};

string_enum! {
    /// State of an invitation.
    ///
    /// ```
    /// use clerk_actix::models::InvitationStatus;
    ///
    /// assert_eq!(InvitationStatus::from("revoked"), InvitationStatus::Revoked);
    /// ```
    pub enum InvitationStatus {
        /// Sent, not used yet.
        Pending => "pending",
        /// Used to sign up.
        Accepted => "accepted",
        /// Revoked.
        Revoked => "revoked",
        /// Expired.
        Expired => "expired",
    }
}

/// An invitation to sign up to the application (`"object": "invitation"`).
///
/// ```
/// use clerk_actix::models::{Invitation, InvitationStatus};
///
/// let invitation: Invitation = serde_json::from_str(
///     r#"{"object":"invitation","id":"inv_1","email_address":"a@b.c","status":"pending",
///        "url":"https://accounts.example.com/sign-up?__clerk_ticket=secret"}"#,
/// ).unwrap();
/// assert_eq!(invitation.status, InvitationStatus::Pending);
/// assert!(!format!("{invitation:?}").contains("__clerk_ticket"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Invitation {
    /// Always `"invitation"`.
    #[serde(default)]
    pub object: String,
    /// Invitation id.
    pub id: String,
    /// Invited address.
    #[serde(default, deserialize_with = "null_default")]
    pub email_address: String,
    /// Metadata copied to the user on sign-up.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Whether it was revoked.
    #[serde(default, deserialize_with = "null_default")]
    pub revoked: bool,
    /// State.
    #[serde(default)]
    pub status: InvitationStatus,
    /// Sign-up link; it embeds a ticket, hence redacted in `Debug`.
    pub url: Option<SensitiveString>,
    /// Expiry (Unix ms).
    pub expires_at: Option<i64>,
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

/// An invitation to join an organization (`"object": "organization_invitation"`).
///
/// ```
/// let invitation: clerk_actix::models::OrganizationInvitation = serde_json::from_str(
///     r#"{"object":"organization_invitation","id":"orginv_1","email_address":"a@b.c",
///        "role":"org:member","organization_id":"org_1","status":"accepted"}"#,
/// ).unwrap();
/// assert_eq!(invitation.role, "org:member");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationInvitation {
    /// Always `"organization_invitation"`.
    #[serde(default)]
    pub object: String,
    /// Invitation id (`orginv_...`).
    pub id: String,
    /// Invited address.
    #[serde(default, deserialize_with = "null_default")]
    pub email_address: String,
    /// Role key granted on acceptance.
    #[serde(default, deserialize_with = "null_default")]
    pub role: String,
    /// Role display name.
    pub role_name: Option<String>,
    /// Organization id.
    pub organization_id: Option<String>,
    /// Id of the inviting user.
    pub inviter_id: Option<String>,
    /// Public data of the inviting user.
    pub public_inviter_data: Option<PublicUserData>,
    /// State.
    #[serde(default)]
    pub status: InvitationStatus,
    /// Public metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Private metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub private_metadata: Metadata,
    /// Acceptance link; it embeds a ticket, hence redacted in `Debug`.
    pub url: Option<SensitiveString>,
    /// Expiry (Unix ms).
    pub expires_at: Option<i64>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Fields this version of the crate does not model (`public_organization_data`...).
    #[serde(flatten)]
    pub extra: Metadata,
}
