//! Machine credentials: M2M tokens, API keys and OAuth access tokens, as the verification
//! endpoints return them.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::serde_helpers::null_default;
use super::{Metadata, SensitiveString};

/// A machine-to-machine token (`"object": "machine_to_machine_token"`).
///
/// ```
/// let token: clerk_actix::models::M2mToken = serde_json::from_str(
///     r#"{"object":"machine_to_machine_token","id":"mt_1","subject":"mch_1","scopes":["mch_2"],
///        "revoked":false,"expired":false,"expiration":null,"created_at":1716883200000}"#,
/// ).unwrap();
/// assert_eq!(token.subject, "mch_1");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct M2mToken {
    /// Always `"machine_to_machine_token"`.
    #[serde(default)]
    pub object: String,
    /// Token id (`mt_...`).
    pub id: String,
    /// The machine the token belongs to (`mch_...`).
    #[serde(default, deserialize_with = "null_default")]
    pub subject: String,
    /// Custom claims.
    pub claims: Option<Value>,
    /// Machines the token may call.
    #[serde(default, deserialize_with = "null_default")]
    pub scopes: Vec<String>,
    /// Whether it was revoked.
    #[serde(default, deserialize_with = "null_default")]
    pub revoked: bool,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// Whether it expired.
    #[serde(default, deserialize_with = "null_default")]
    pub expired: bool,
    /// Expiry (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub expiration: Option<i64>,
    /// Last use (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub last_used_at: Option<i64>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub created_at: Option<i64>,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub updated_at: Option<i64>,
    /// The token itself: only in the creation response.
    pub token: Option<SensitiveString>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An API key (`"object": "api_key"`), as `POST /api_keys/verify` returns it.
///
/// ```
/// let key: clerk_actix::models::ApiKey = serde_json::from_str(
///     r#"{"object":"api_key","id":"ak_1","type":"api_key","subject":"user_1","name":"CI",
///        "scopes":["read"],"revoked":false,"expired":false}"#,
/// ).unwrap();
/// assert_eq!(key.scopes, ["read"]);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiKey {
    /// Always `"api_key"`.
    #[serde(default)]
    pub object: String,
    /// Key id (`ak_...`).
    pub id: String,
    /// Key type, e.g. `api_key`.
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub key_type: String,
    /// Owner: a user (`user_...`), organization (`org_...`) or machine (`mch_...`).
    #[serde(default, deserialize_with = "null_default")]
    pub subject: String,
    /// Name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Custom claims.
    pub claims: Option<Value>,
    /// Granted scopes.
    #[serde(default, deserialize_with = "null_default")]
    pub scopes: Vec<String>,
    /// Whether it was revoked.
    #[serde(default, deserialize_with = "null_default")]
    pub revoked: bool,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// Whether it expired.
    #[serde(default, deserialize_with = "null_default")]
    pub expired: bool,
    /// Expiry (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub expiration: Option<i64>,
    /// Creating user.
    pub created_by: Option<String>,
    /// Last use (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub last_used_at: Option<i64>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub created_at: Option<i64>,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "lenient_millis")]
    pub updated_at: Option<i64>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An OAuth access token issued by Clerk as identity provider
/// (`"object": "clerk_idp_oauth_access_token"`).
///
/// ```
/// let token: clerk_actix::models::OAuthAccessToken = serde_json::from_str(
///     r#"{"object":"clerk_idp_oauth_access_token","id":"oat_1","client_id":"client_1",
///        "subject":"user_1","scopes":["profile"],"revoked":false,"expired":false}"#,
/// ).unwrap();
/// assert_eq!(token.client_id, "client_1");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthAccessToken {
    /// Always `"clerk_idp_oauth_access_token"`.
    #[serde(default)]
    pub object: String,
    /// Token id (`oat_...`).
    pub id: String,
    /// OAuth application the token was issued to.
    #[serde(default, deserialize_with = "null_default")]
    pub client_id: String,
    /// User the token acts for.
    #[serde(default, deserialize_with = "null_default")]
    pub subject: String,
    /// Granted scopes.
    #[serde(default, deserialize_with = "null_default")]
    pub scopes: Vec<String>,
    /// Whether it was revoked.
    #[serde(default, deserialize_with = "null_default")]
    pub revoked: bool,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// Whether it expired.
    #[serde(default, deserialize_with = "null_default")]
    pub expired: bool,
    /// Expiry.
    #[serde(default, deserialize_with = "lenient_millis")]
    pub expiration: Option<i64>,
    /// Creation time.
    #[serde(default, deserialize_with = "lenient_millis")]
    pub created_at: Option<i64>,
    /// Last update.
    #[serde(default, deserialize_with = "lenient_millis")]
    pub updated_at: Option<i64>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The spec types these timestamps as "number": accept `1716883200000` and `1716883200000.0`.
fn lenient_millis<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| number.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_timestamps_and_creation_token() {
        let token: M2mToken = serde_json::from_str(
            r#"{"id":"mt_1","created_at":1716883200000.0,"expiration":null,"token":"mt_secret"}"#,
        )
        .unwrap();
        assert_eq!(token.created_at, Some(1_716_883_200_000));
        assert_eq!(token.expiration, None);
        assert!(!format!("{token:?}").contains("mt_secret"));
    }
}
