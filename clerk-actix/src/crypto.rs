//! The one place that touches the JWT crypto backend.
//!
//! jsonwebtoken 11 panics at the first verification when it cannot tell which backend to use
//! (neither or both of its crypto features enabled anywhere in the dependency graph). We never
//! ask it to choose: the backend selected by this crate's feature is named explicitly here, so
//! feature unification in an application cannot turn into a request-time panic.

use jsonwebtoken::{Algorithm, DecodingKey};

#[cfg(feature = "aws-lc-rs")]
use jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER as PROVIDER;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER as PROVIDER;

/// The RSASSA-PKCS1-v1_5 algorithms Clerk signs with; nothing else is ever verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaAlgorithm {
    Rs256,
    Rs384,
    Rs512,
}

impl RsaAlgorithm {
    pub(crate) fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "RS384" => Some(Self::Rs384),
            "RS512" => Some(Self::Rs512),
            _ => None,
        }
    }

    fn jsonwebtoken(self) -> Algorithm {
        match self {
            Self::Rs256 => Algorithm::RS256,
            Self::Rs384 => Algorithm::RS384,
            Self::Rs512 => Algorithm::RS512,
        }
    }
}

/// The outcome of a signature check that could run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SignatureCheck {
    Valid,
    Invalid,
}

/// Verifies `signature` over `message`. `Err` means the key could not be used at all.
// jsonwebtoken's verifier trait is `Verifier<Vec<u8>>`, so the signature must be a `&Vec<u8>`.
#[allow(clippy::ptr_arg)]
pub(crate) fn verify(
    alg: RsaAlgorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &Vec<u8>,
) -> Result<SignatureCheck, String> {
    let verifier =
        (PROVIDER.verifier_factory)(&alg.jsonwebtoken(), key).map_err(|e| e.to_string())?;
    Ok(match verifier.verify(message, signature) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid,
    })
}

/// RSA modulus and exponent of a DER public key (PKCS#1 `RSAPublicKey`), checked by the backend.
pub(crate) fn rsa_components(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    (PROVIDER.key_utils.rsa_pub_components_from_public_key)(der).map_err(|e| e.to_string())
}
