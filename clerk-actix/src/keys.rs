//! Verification keys: a PEM public key (networkless) or keys from a JWKS document.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::crypto;

/// Smallest RSA modulus accepted (2048 bits), so a weak key cannot be slipped into a JWKS or PEM.
const MIN_MODULUS_BYTES: usize = 256;

/// An RSA public key ready to verify signatures.
#[derive(Clone)]
pub(crate) struct VerifyingKey {
    pub(crate) kid: Arc<str>,
    pub(crate) key: Arc<crypto::RsaPublicKey>,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a key could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("not a PEM-encoded RSA public key ({0})")]
    Pem(String),
    #[error("RSA key is {0} bits; at least 2048 are required")]
    TooSmall(usize),
    #[error("not an RSA signing key")]
    NotRsa,
    #[error("invalid base64url in `{0}`")]
    Base64(&'static str),
    #[error("RSA key rejected by the crypto backend ({0})")]
    Unusable(String),
}

impl VerifyingKey {
    /// Parses a PEM public key (`CLERK_JWT_KEY`). Accepts SPKI or PKCS#1 armour, a bare base64
    /// body without armour (as Clerk's dashboard shows it), and `\n` escapes from env files.
    pub(crate) fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pem = pem.trim().replace("\\n", "\n");
        let armoured = if pem.contains("-----BEGIN") {
            pem
        } else {
            let body: String = pem.split_whitespace().collect();
            format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
        };
        let parsed = DecodingKey::from_rsa_pem(armoured.as_bytes())
            .map_err(|e| KeyError::Pem(e.to_string()))?;
        let der = parsed
            .try_get_as_bytes()
            .map_err(|e| KeyError::Pem(e.to_string()))?;
        let (n, e) = crypto::rsa_components(der).map_err(KeyError::Pem)?;
        Self::from_components("local", &n, &e)
    }

    /// Builds a key from a JWK of the Backend API's JWKS.
    pub(crate) fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        if jwk.kty != "RSA" || jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(KeyError::NotRsa);
        }
        let (Some(n), Some(e)) = (&jwk.n, &jwk.e) else {
            return Err(KeyError::NotRsa);
        };
        let n = URL_SAFE_NO_PAD
            .decode(n.trim_end_matches('='))
            .map_err(|_| KeyError::Base64("n"))?;
        let e = URL_SAFE_NO_PAD
            .decode(e.trim_end_matches('='))
            .map_err(|_| KeyError::Base64("e"))?;
        Self::from_components(&jwk.kid, &n, &e)
    }

    fn from_components(kid: &str, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = strip_leading_zeros(n);
        if n.len() < MIN_MODULUS_BYTES {
            return Err(KeyError::TooSmall(n.len() * 8));
        }
        if strip_leading_zeros(e).is_empty() {
            return Err(KeyError::NotRsa);
        }
        let key = crypto::RsaPublicKey::from_components(n, e).map_err(KeyError::Unusable)?;
        Ok(Self {
            kid: Arc::from(kid),
            key: Arc::new(key),
        })
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// A JSON Web Key Set as the Backend API serves it.
#[derive(Debug, Deserialize)]
pub(crate) struct JwkSet {
    #[serde(default)]
    pub(crate) keys: Vec<Jwk>,
}

/// One key of a JWKS (only the members we use; others are ignored).
#[derive(Debug, Deserialize)]
pub(crate) struct Jwk {
    pub(crate) kid: String,
    pub(crate) kty: String,
    #[serde(rename = "use")]
    pub(crate) use_: Option<String>,
    pub(crate) n: Option<String>,
    pub(crate) e: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/clerk-js");

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect(name)
    }

    #[test]
    fn pem_with_and_without_armour() {
        let pem = fixture("pem_public_signing_key.pem");
        VerifyingKey::from_pem(&pem).unwrap();
        let bare: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        VerifyingKey::from_pem(&bare).unwrap();
        VerifyingKey::from_pem(&pem.replace('\n', "\\n")).unwrap();
    }

    #[test]
    fn bad_pem_is_an_error_not_a_panic() {
        for pem in [
            "",
            "garbage",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        ] {
            assert!(VerifyingKey::from_pem(pem).is_err(), "{pem:?}");
        }
    }

    #[test]
    fn jwks_fixture_keys_load() {
        let set: JwkSet = serde_json::from_str(&fixture("jwks_mock.json")).unwrap();
        assert_eq!(set.keys.len(), 1);
        let key = VerifyingKey::from_jwk(&set.keys[0]).unwrap();
        assert_eq!(&*key.kid, "ins_2GIoQhbUpy0hX7B2cVkuTMinXoD");
    }

    #[test]
    fn small_or_non_rsa_jwks_are_rejected() {
        let small = Jwk {
            kid: "k".into(),
            kty: "RSA".into(),
            use_: None,
            n: Some("AQAB".into()),
            e: Some("AQAB".into()),
        };
        assert_eq!(
            VerifyingKey::from_jwk(&small).unwrap_err(),
            KeyError::TooSmall(24)
        );
        let ec = Jwk {
            kid: "k".into(),
            kty: "EC".into(),
            use_: None,
            n: None,
            e: None,
        };
        assert_eq!(VerifyingKey::from_jwk(&ec).unwrap_err(), KeyError::NotRsa);
    }
}
