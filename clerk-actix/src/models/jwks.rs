//! The instance's JSON Web Key Set.

use serde::{Deserialize, Serialize};

use super::Metadata;
use super::serde_helpers::null_default;

/// The instance's public signing keys, as served by `GET /v1/jwks`.
///
/// Serialises back to standard JWKS JSON, so it converts to other JWK types with
/// `serde_json::to_value`.
///
/// ```
/// let jwks: clerk_actix::models::Jwks = serde_json::from_str(
///     r#"{"keys":[{"kid":"ins_1","alg":"RS256","use":"sig","kty":"RSA","n":"0vx","e":"AQAB"}]}"#,
/// ).unwrap();
/// assert_eq!(jwks.find("ins_1").and_then(|k| k.n.as_deref()), Some("0vx"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwks {
    /// The keys.
    #[serde(default, deserialize_with = "null_default")]
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// The key with this key id.
    ///
    /// ```
    /// let jwks = clerk_actix::models::Jwks::default();
    /// assert!(jwks.find("ins_1").is_none());
    /// ```
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| key.kid == kid)
    }
}

/// One JSON Web Key (RSA, EC or OKP public key).
///
/// ```
/// let key: clerk_actix::models::Jwk =
///     serde_json::from_str(r#"{"kid":"k","kty":"OKP","crv":"Ed25519","x":"11qY"}"#).unwrap();
/// assert_eq!(key.crv.as_deref(), Some("Ed25519"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key id (matches the `kid` header of tokens).
    #[serde(default, deserialize_with = "null_default")]
    pub kid: String,
    /// Key type: `RSA`, `EC`, `OKP`.
    #[serde(default, deserialize_with = "null_default")]
    pub kty: String,
    /// Algorithm, e.g. `RS256`.
    pub alg: Option<String>,
    /// Intended use, `sig`.
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    /// RSA modulus (base64url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent (base64url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// EC/OKP curve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC/OKP x coordinate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Other members (`x5c`...).
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_key_round_trips_as_standard_jwk() {
        let json = r#"{"keys":[{"use":"sig","kty":"RSA","kid":"ins_2","alg":"RS256","n":"abc","e":"AQAB","x5t":"t"}]}"#;
        let jwks: Jwks = serde_json::from_str(json).unwrap();
        let key = jwks.find("ins_2").unwrap();
        assert_eq!(key.key_use.as_deref(), Some("sig"));
        assert_eq!(key.extra["x5t"], "t");
        let back = serde_json::to_value(&jwks).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }
}
