//! Users and their identifications.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::serde_helpers::null_default;
use super::{IdentificationLink, Metadata, OrganizationMembership, SensitiveString, Verification};

/// A Clerk user (`"object": "user"`).
///
/// Lists and metadata that Clerk sends as `null` or omits read as empty; fields this version
/// of the crate does not model are kept in [`extra`](Self::extra).
///
/// ```
/// use clerk_actix::models::User;
///
/// let user: User = serde_json::from_str(r#"{
///     "object": "user", "id": "user_1", "first_name": "Ada",
///     "primary_email_address_id": "idn_1",
///     "email_addresses": [{"object": "email_address", "id": "idn_1",
///                          "email_address": "ada@example.com"}],
///     "public_metadata": {"plan": "pro"}, "private_metadata": null
/// }"#).unwrap();
/// assert_eq!(user.first_name.as_deref(), Some("Ada"));
/// assert_eq!(user.primary_email_address().map(|e| e.email_address.as_str()), Some("ada@example.com"));
/// assert_eq!(user.public_metadata["plan"], "pro");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// Always `"user"`.
    #[serde(default)]
    pub object: String,
    /// User id (`user_...`).
    pub id: String,
    /// Your own id for the user.
    pub external_id: Option<String>,
    /// Id of the primary entry in [`email_addresses`](Self::email_addresses).
    pub primary_email_address_id: Option<String>,
    /// Id of the primary entry in [`phone_numbers`](Self::phone_numbers).
    pub primary_phone_number_id: Option<String>,
    /// Id of the primary entry in [`web3_wallets`](Self::web3_wallets).
    pub primary_web3_wallet_id: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Locale (BCP 47).
    pub locale: Option<String>,
    /// Profile image URL.
    #[serde(default, deserialize_with = "null_default")]
    pub image_url: String,
    /// Whether the user uploaded an image.
    #[serde(default, deserialize_with = "null_default")]
    pub has_image: bool,
    /// Metadata readable from the frontend, writable from the backend only.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Metadata visible to the backend only. `None` where Clerk leaves it out.
    pub private_metadata: Option<Metadata>,
    /// Metadata the user can write from the frontend: never trust it for authorization.
    #[serde(default, deserialize_with = "null_default")]
    pub unsafe_metadata: Metadata,
    /// Email addresses.
    #[serde(default, deserialize_with = "null_default")]
    pub email_addresses: Vec<EmailAddress>,
    /// Phone numbers.
    #[serde(default, deserialize_with = "null_default")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Web3 wallets.
    #[serde(default, deserialize_with = "null_default")]
    pub web3_wallets: Vec<Web3Wallet>,
    /// Passkeys.
    #[serde(default, deserialize_with = "null_default")]
    pub passkeys: Vec<Passkey>,
    /// Whether the user has a password.
    #[serde(default, deserialize_with = "null_default")]
    pub password_enabled: bool,
    /// Whether a second factor is enabled.
    #[serde(default, deserialize_with = "null_default")]
    pub two_factor_enabled: bool,
    /// Whether TOTP is enabled.
    #[serde(default, deserialize_with = "null_default")]
    pub totp_enabled: bool,
    /// Whether backup codes are enabled.
    #[serde(default, deserialize_with = "null_default")]
    pub backup_code_enabled: bool,
    /// When MFA was enabled (Unix ms).
    pub mfa_enabled_at: Option<i64>,
    /// When MFA was disabled (Unix ms).
    pub mfa_disabled_at: Option<i64>,
    /// When the password last changed (Unix ms).
    pub password_last_updated_at: Option<i64>,
    /// OAuth accounts.
    #[serde(default, deserialize_with = "null_default")]
    pub external_accounts: Vec<ExternalAccount>,
    /// SAML accounts (deprecated by Clerk in favour of enterprise accounts), as raw JSON.
    #[serde(default, deserialize_with = "null_default")]
    pub saml_accounts: Vec<Value>,
    /// Enterprise (SAML/OIDC) accounts.
    #[serde(default, deserialize_with = "null_default")]
    pub enterprise_accounts: Vec<EnterpriseAccount>,
    /// Organization memberships, where the endpoint includes them.
    #[serde(default, deserialize_with = "null_default")]
    pub organization_memberships: Vec<OrganizationMembership>,
    /// Last sign-in (Unix ms).
    pub last_sign_in_at: Option<i64>,
    /// Whether the user is banned.
    #[serde(default, deserialize_with = "null_default")]
    pub banned: bool,
    /// Whether the user is locked out.
    #[serde(default, deserialize_with = "null_default")]
    pub locked: bool,
    /// Whether the user was deprovisioned (SCIM).
    #[serde(default, deserialize_with = "null_default")]
    pub deprovisioned: bool,
    /// Seconds until the lockout ends.
    pub lockout_expires_in_seconds: Option<i64>,
    /// Attempts left before a lockout.
    pub verification_attempts_remaining: Option<i64>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Whether the user may delete their own account.
    #[serde(default, deserialize_with = "null_default")]
    pub delete_self_enabled: bool,
    /// Whether the user may create organizations.
    #[serde(default, deserialize_with = "null_default")]
    pub create_organization_enabled: bool,
    /// How many organizations the user may create.
    pub create_organizations_limit: Option<i64>,
    /// Last activity (Unix ms).
    pub last_active_at: Option<i64>,
    /// When the legal terms were accepted (Unix ms).
    pub legal_accepted_at: Option<i64>,
    /// Whether the user skips client trust checks.
    #[serde(default, deserialize_with = "null_default")]
    pub bypass_client_trust: bool,
    /// Fields this version of the crate does not model (`profile_image_url`, `scim`...).
    #[serde(flatten)]
    pub extra: Metadata,
}

impl User {
    /// The primary email address, if the user has one.
    ///
    /// ```
    /// let user = clerk_actix::models::User::default();
    /// assert!(user.primary_email_address().is_none());
    /// ```
    pub fn primary_email_address(&self) -> Option<&EmailAddress> {
        let id = self.primary_email_address_id.as_deref()?;
        self.email_addresses.iter().find(|email| email.id == id)
    }

    /// The primary phone number, if the user has one.
    ///
    /// ```
    /// let user = clerk_actix::models::User::default();
    /// assert!(user.primary_phone_number().is_none());
    /// ```
    pub fn primary_phone_number(&self) -> Option<&PhoneNumber> {
        let id = self.primary_phone_number_id.as_deref()?;
        self.phone_numbers.iter().find(|phone| phone.id == id)
    }
}

/// An email address of a user (`"object": "email_address"`).
///
/// ```
/// let email: clerk_actix::models::EmailAddress = serde_json::from_str(
///     r#"{"id":"idn_1","email_address":"a@b.c","verification":null,"linked_to":[]}"#,
/// ).unwrap();
/// assert_eq!(email.email_address, "a@b.c");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailAddress {
    /// Always `"email_address"`.
    #[serde(default)]
    pub object: String,
    /// Identification id (`idn_...`).
    #[serde(default)]
    pub id: String,
    /// The address.
    #[serde(default)]
    pub email_address: String,
    /// Whether it is reserved (cannot be claimed by another user).
    #[serde(default, deserialize_with = "null_default")]
    pub reserved: bool,
    /// Verification state.
    pub verification: Option<Verification>,
    /// Identifications this address is linked to.
    #[serde(default, deserialize_with = "null_default")]
    pub linked_to: Vec<IdentificationLink>,
    /// Whether it matches an SSO connection.
    #[serde(default, deserialize_with = "null_default")]
    pub matches_sso_connection: bool,
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

/// A phone number of a user (`"object": "phone_number"`).
///
/// ```
/// let phone: clerk_actix::models::PhoneNumber =
///     serde_json::from_str(r#"{"id":"idn_2","phone_number":"+15550100"}"#).unwrap();
/// assert_eq!(phone.phone_number, "+15550100");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumber {
    /// Always `"phone_number"`.
    #[serde(default)]
    pub object: String,
    /// Identification id (`idn_...`).
    #[serde(default)]
    pub id: String,
    /// The number (E.164).
    #[serde(default)]
    pub phone_number: String,
    /// Whether it is reserved for second-factor use.
    #[serde(default, deserialize_with = "null_default")]
    pub reserved_for_second_factor: bool,
    /// Whether it is the default second factor.
    #[serde(default, deserialize_with = "null_default")]
    pub default_second_factor: bool,
    /// Whether it is reserved.
    #[serde(default, deserialize_with = "null_default")]
    pub reserved: bool,
    /// Verification state.
    pub verification: Option<Verification>,
    /// Identifications this number is linked to.
    #[serde(default, deserialize_with = "null_default")]
    pub linked_to: Vec<IdentificationLink>,
    /// Backup codes, when Clerk returns them.
    pub backup_codes: Option<Vec<SensitiveString>>,
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

/// A Web3 wallet of a user (`"object": "web3_wallet"`).
///
/// ```
/// let wallet: clerk_actix::models::Web3Wallet =
///     serde_json::from_str(r#"{"id":"idn_3","web3_wallet":"0x0"}"#).unwrap();
/// assert_eq!(wallet.web3_wallet, "0x0");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Web3Wallet {
    /// Always `"web3_wallet"`.
    #[serde(default)]
    pub object: String,
    /// Identification id.
    #[serde(default)]
    pub id: String,
    /// Wallet address.
    #[serde(default)]
    pub web3_wallet: String,
    /// Verification state.
    pub verification: Option<Verification>,
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

/// A passkey of a user (`"object": "passkey"`).
///
/// ```
/// let passkey: clerk_actix::models::Passkey =
///     serde_json::from_str(r#"{"id":"idn_4","name":"Laptop","last_used_at":1}"#).unwrap();
/// assert_eq!(passkey.name, "Laptop");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Passkey {
    /// Always `"passkey"`.
    #[serde(default)]
    pub object: String,
    /// Identification id.
    #[serde(default)]
    pub id: String,
    /// Name the user gave it.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Last use (Unix ms).
    pub last_used_at: Option<i64>,
    /// Verification state.
    pub verification: Option<Verification>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An OAuth account linked to a user (`"object": "external_account"`, or a provider-specific
/// kind such as `"google_account"`).
///
/// Kept loose on purpose: every field but `id` may be missing, and provider-specific fields
/// stay in [`extra`](Self::extra).
///
/// ```
/// let account: clerk_actix::models::ExternalAccount = serde_json::from_str(
///     r#"{"object":"google_account","id":"idn_g","provider":"google","approved_scopes":"email"}"#,
/// ).unwrap();
/// assert_eq!(account.provider, "google");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExternalAccount {
    /// Object kind (`"external_account"`, `"google_account"`...).
    #[serde(default)]
    pub object: String,
    /// Account id.
    #[serde(default)]
    pub id: String,
    /// Provider (`google`, `github`...).
    #[serde(default, deserialize_with = "null_default")]
    pub provider: String,
    /// Linked identification id.
    pub identification_id: Option<String>,
    /// The user's id at the provider.
    pub provider_user_id: Option<String>,
    /// Space-separated OAuth scopes granted.
    #[serde(default, deserialize_with = "null_default")]
    pub approved_scopes: String,
    /// Email address at the provider.
    pub email_address: Option<String>,
    /// First name at the provider.
    pub first_name: Option<String>,
    /// Last name at the provider.
    pub last_name: Option<String>,
    /// Image URL at the provider.
    pub image_url: Option<String>,
    /// Username at the provider.
    pub username: Option<String>,
    /// Phone number at the provider.
    pub phone_number: Option<String>,
    /// Public metadata of the account.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Label.
    pub label: Option<String>,
    /// Verification state.
    pub verification: Option<Verification>,
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

/// An enterprise (SAML or OIDC) account of a user (`"object": "enterprise_account"`).
///
/// ```
/// let account: clerk_actix::models::EnterpriseAccount = serde_json::from_str(
///     r#"{"id":"ea_1","protocol":"saml","provider":"saml_okta","active":true}"#,
/// ).unwrap();
/// assert!(account.active);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnterpriseAccount {
    /// Always `"enterprise_account"`.
    #[serde(default)]
    pub object: String,
    /// Account id.
    #[serde(default)]
    pub id: String,
    /// `saml` or `oauth`.
    #[serde(default, deserialize_with = "null_default")]
    pub protocol: String,
    /// Provider (`saml_okta`...).
    #[serde(default, deserialize_with = "null_default")]
    pub provider: String,
    /// Whether the account is active.
    #[serde(default, deserialize_with = "null_default")]
    pub active: bool,
    /// Email address at the identity provider.
    #[serde(default, deserialize_with = "null_default")]
    pub email_address: String,
    /// First name at the identity provider.
    pub first_name: Option<String>,
    /// Last name at the identity provider.
    pub last_name: Option<String>,
    /// The user's id at the identity provider.
    pub provider_user_id: Option<String>,
    /// Id of the enterprise connection.
    pub enterprise_connection_id: Option<String>,
    /// Public metadata of the account.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Verification state.
    pub verification: Option<Verification>,
    /// Last authentication (Unix ms).
    pub last_authenticated_at: Option<i64>,
    /// Fields this version of the crate does not model (`enterprise_connection`...).
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS_FIXTURE: &str = include_str!("../../tests/fixtures/user.json");

    #[test]
    fn clerk_js_user_fixture_parses() {
        let user: User = serde_json::from_str(JS_FIXTURE).unwrap();
        assert_eq!(user.id, "user_cafebabe");
        assert_eq!(user.public_metadata["zodiac_sign"], "leo");
        assert_eq!(
            user.primary_email_address()
                .map(|e| e.email_address.as_str()),
            Some("john.doe@clerk.test")
        );
        assert_eq!(
            user.primary_phone_number().map(|p| p.phone_number.as_str()),
            Some("+311-555-2368")
        );
        assert_eq!(user.external_accounts.len(), 2);
        assert_eq!(user.external_accounts[0].object, "google_account");
        assert_eq!(user.enterprise_accounts[0].protocol, "saml");
        assert!(
            user.enterprise_accounts[0]
                .extra
                .contains_key("enterprise_connection")
        );
        assert_eq!(
            user.web3_wallets[0].web3_wallet,
            "0x0000000000000000000000000000000000000000"
        );
        assert!(user.two_factor_enabled);
        // Fields missing from the fixture read as their defaults.
        assert!(!user.totp_enabled);
        assert!(user.extra.contains_key("profile_image_url"));
    }

    #[test]
    fn webhook_example_user_with_null_private_metadata_parses() {
        let user: User = serde_json::from_str(
            r#"{"object":"user","id":"user_2g","private_metadata":null,"email_addresses":null,
                "last_sign_in_at":1716883200000,"created_at":1716883200000,"updated_at":1716883200000}"#,
        )
        .unwrap();
        assert_eq!(user.private_metadata, None);
        assert!(user.email_addresses.is_empty());
        assert_eq!(user.last_sign_in_at, Some(1_716_883_200_000));
    }

    #[test]
    fn user_without_id_is_rejected() {
        assert!(serde_json::from_str::<User>(r#"{"object":"user"}"#).is_err());
    }

    #[test]
    fn backup_codes_are_redacted_in_debug() {
        let phone: PhoneNumber =
            serde_json::from_str(r#"{"id":"idn","backup_codes":["code-123456"]}"#).unwrap();
        assert!(!format!("{phone:?}").contains("code-123456"));
    }
}
