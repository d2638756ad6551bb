//! Verification state of identifications (email addresses, phone numbers, wallets, accounts).

use serde::{Deserialize, Serialize};

use super::Metadata;
use super::string_enum::string_enum;

string_enum! {
    /// Where a verification stands.
    ///
    /// ```
    /// use clerk_actix::models::VerificationStatus;
    ///
    /// assert_eq!(VerificationStatus::from("verified"), VerificationStatus::Verified);
    /// ```
    pub enum VerificationStatus {
        /// Not verified yet.
        Unverified => "unverified",
        /// Verified.
        Verified => "verified",
        /// The attempt failed.
        Failed => "failed",
        /// The attempt expired.
        Expired => "expired",
        /// Verified on another sign-in/up that can be transferred.
        Transferable => "transferable",
    }
}

/// A verification of any kind (`verification_otp`, `verification_admin`, `verification_oauth`...).
///
/// Clerk has a dozen verification objects and adds more; they share `status`, `strategy`,
/// `attempts` and `expire_at`, so this one lenient type holds them all. Kind-specific fields
/// (`error`, `nonce`, `channel`, `external_verification_redirect_url`...) stay in
/// [`extra`](Self::extra) as raw JSON. `strategy` is a free string because Clerk builds it from
/// provider names (`from_oauth_google`, `oauth_custom_acme`...).
///
/// ```
/// use clerk_actix::models::{Verification, VerificationStatus};
///
/// let v: Verification = serde_json::from_str(
///     r#"{"object":"verification_brand_new","status":"verified","strategy":"passkey_v9","nonce":"n"}"#,
/// ).unwrap();
/// assert_eq!(v.status, VerificationStatus::Verified);
/// assert_eq!(v.extra["nonce"], "n");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Verification {
    /// Kind of verification (`"verification_otp"`...); absent in some older payloads.
    pub object: Option<String>,
    /// Where it stands.
    #[serde(default)]
    pub status: VerificationStatus,
    /// How it was (or is being) verified: `email_code`, `admin`, `from_oauth_google`...
    #[serde(default)]
    pub strategy: String,
    /// Attempts made so far.
    pub attempts: Option<i64>,
    /// When the attempt expires (Unix ms).
    pub expire_at: Option<i64>,
    /// Kind-specific and future fields.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A link from an identification to the one it came from (`{"type":"oauth_google","id":..}`).
///
/// ```
/// let link: clerk_actix::models::IdentificationLink =
///     serde_json::from_str(r#"{"type":"oauth_google","id":"idn_1"}"#).unwrap();
/// assert_eq!(link.link_type, "oauth_google");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdentificationLink {
    /// Link type, e.g. `oauth_google`.
    #[serde(rename = "type", default)]
    pub link_type: String,
    /// Id of the linked identification.
    #[serde(default)]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_verification_without_object_parses() {
        let v: Verification = serde_json::from_str(
            r#"{"status":"verified","strategy":"from_oauth_google","external_verification_redirect_url":null,"attempts":1,"expire_at":1613831855}"#,
        )
        .unwrap();
        assert_eq!(v.object, None);
        assert_eq!(v.strategy, "from_oauth_google");
        assert_eq!(v.attempts, Some(1));
        assert!(v.extra.contains_key("external_verification_redirect_url"));
    }

    #[test]
    fn unknown_status_is_kept() {
        let v: Verification =
            serde_json::from_str(r#"{"status":"quantum","strategy":"x"}"#).unwrap();
        assert_eq!(v.status, VerificationStatus::Unknown("quantum".into()));
    }
}
