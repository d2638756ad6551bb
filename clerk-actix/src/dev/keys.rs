//! RSA signing keys for locally minted tokens.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

use super::DevError;

/// An RSA-2048 key that signs tokens like a Clerk instance does (RS256, `kid` header).
pub struct SigningKey {
    kid: String,
    key: KeyPair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate(kid: impl Into<String>) -> Result<Self, DevError> {
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(|_| DevError::KeyGeneration)?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// Loads a key saved with [`pkcs8_der`](Self::pkcs8_der).
    pub fn from_pkcs8_der(kid: impl Into<String>, der: &[u8]) -> Result<Self, DevError> {
        let key = KeyPair::from_pkcs8(der).map_err(|_| DevError::InvalidKey)?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// The private key as PKCS#8 DER (to persist it).
    pub fn pkcs8_der(&self) -> Vec<u8> {
        self.key
            .as_der()
            .map(|der| der.as_ref().to_vec())
            .unwrap_or_default()
    }

    /// The key id put in the `kid` header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK, as Clerk's JWKS endpoint lists it.
    pub fn jwk(&self) -> Value {
        let components = PublicKeyComponents::<Vec<u8>>::from(self.key.public_key());
        json!({
            "kid": self.kid,
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        })
    }

    /// A JWKS document with this key only.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// The public key as PEM (SPKI), the format of `CLERK_JWT_KEY`.
    pub fn public_key_pem(&self) -> String {
        let der = self
            .key
            .public_key()
            .as_der()
            .map(|der| der.as_ref().to_vec())
            .unwrap_or_default();
        let body = STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// The claims of `token` if this key signed it with RS256. Times are not checked: callers
    /// decide which tokens they accept (an expired session token is fine for a refresh).
    pub(crate) fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let (_, payload) = signing_input.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        PublicKeyComponents::<Vec<u8>>::from(self.key.public_key())
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                signing_input.as_bytes(),
                &signature,
            )
            .ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }

    /// Signs `claims` as a Clerk session token: header `{"alg":"RS256","kid":..,"typ":"JWT","cat":"cl_B7d4PD111AAA"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({
            "alg": "RS256",
            "kid": self.kid,
            "typ": "JWT",
            "cat": crate::jwt::category::SESSION_TOKEN,
        });
        self.sign_with_header(&header, claims)
    }

    /// Signs with a header of your choice, for tests of unusual or hostile tokens. The signature
    /// uses the header's `alg` when it is RS256, RS384 or RS512, and RS256 otherwise.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let encoding: &'static dyn signature::RsaEncoding =
            match header.get("alg").and_then(Value::as_str) {
                Some("RS384") => &signature::RSA_PKCS1_SHA384,
                Some("RS512") => &signature::RSA_PKCS1_SHA512,
                _ => &signature::RSA_PKCS1_SHA256,
            };
        let mut sig = vec![0; self.key.public_modulus_len()];
        // Signing with a valid in-memory key only fails on allocation failure inside aws-lc.
        if self
            .key
            .sign(
                encoding,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut sig,
            )
            .is_err()
        {
            sig.clear();
        }
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }
}
