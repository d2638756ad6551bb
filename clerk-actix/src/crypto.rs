//! The one place that touches the JWT crypto backend.
//!
//! jsonwebtoken 11 panics at the first verification when it cannot tell which backend to use
//! (neither or both of its crypto features enabled anywhere in the dependency graph). We never
//! ask it to choose: the backend selected by this crate's feature is named explicitly here, so
//! feature unification in an application cannot turn into a request-time panic.

use jsonwebtoken::Algorithm;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
use jsonwebtoken::DecodingKey;

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

    #[cfg_attr(feature = "aws-lc-rs", allow(dead_code))]
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

/// An RSA public key, made ready for verification once, when it is loaded.
///
/// With aws-lc, jsonwebtoken rebuilds the key from its modulus and exponent on every check
/// (big-number parsing and Montgomery set-up, about a third of an RS256 verification). Here aws-lc
/// parses it once per algorithm and every verification reuses the parsed key. The RustCrypto
/// backend keeps jsonwebtoken's path.
pub(crate) struct RsaPublicKey {
    #[cfg(feature = "aws-lc-rs")]
    parsed: [aws_lc_rs::signature::ParsedPublicKey; 3],
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    key: DecodingKey,
}

impl RsaPublicKey {
    /// The key with modulus `n` and public exponent `e` (big-endian, no sign byte needed).
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        #[cfg(feature = "aws-lc-rs")]
        {
            use aws_lc_rs::signature::{
                ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384,
                RSA_PKCS1_2048_8192_SHA512,
            };
            let der = pkcs1_der(n, e);
            let parse = |alg| ParsedPublicKey::new(alg, &der).map_err(|e| e.to_string());
            Ok(Self {
                parsed: [
                    parse(&RSA_PKCS1_2048_8192_SHA256)?,
                    parse(&RSA_PKCS1_2048_8192_SHA384)?,
                    parse(&RSA_PKCS1_2048_8192_SHA512)?,
                ],
            })
        }
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        Ok(Self {
            key: DecodingKey::from_rsa_raw_components(n, e),
        })
    }

    /// Verifies `signature` over `message`. `Err` means the key could not be used at all.
    pub(crate) fn verify(
        &self,
        alg: RsaAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<SignatureCheck, String> {
        #[cfg(feature = "aws-lc-rs")]
        {
            let key = match alg {
                RsaAlgorithm::Rs256 => &self.parsed[0],
                RsaAlgorithm::Rs384 => &self.parsed[1],
                RsaAlgorithm::Rs512 => &self.parsed[2],
            };
            Ok(match key.verify_sig(message, signature) {
                Ok(()) => SignatureCheck::Valid,
                Err(_) => SignatureCheck::Invalid,
            })
        }
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        {
            let verifier = (PROVIDER.verifier_factory)(&alg.jsonwebtoken(), &self.key)
                .map_err(|e| e.to_string())?;
            // jsonwebtoken's verifier trait takes the signature as a `&Vec<u8>`.
            Ok(match verifier.verify(message, &signature.to_vec()) {
                Ok(()) => SignatureCheck::Valid,
                Err(_) => SignatureCheck::Invalid,
            })
        }
    }
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` in DER.
#[cfg(feature = "aws-lc-rs")]
fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn length(len: usize, out: &mut Vec<u8>) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let first = bytes
                .iter()
                .position(|&b| b != 0)
                .unwrap_or(bytes.len() - 1);
            out.push(0x80 | (bytes.len() - first) as u8);
            out.extend_from_slice(&bytes[first..]);
        }
    }
    fn integer(value: &[u8], out: &mut Vec<u8>) {
        let first = value.iter().position(|&b| b != 0).unwrap_or(value.len());
        let value = &value[first..];
        // A positive INTEGER whose first byte has the top bit set needs a leading zero.
        let pad = value.first().is_none_or(|&b| b & 0x80 != 0);
        out.push(0x02);
        length(value.len() + usize::from(pad), out);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(value);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    integer(n, &mut body);
    integer(e, &mut body);
    let mut der = Vec::with_capacity(body.len() + 4);
    der.push(0x30);
    length(body.len(), &mut der);
    der.extend_from_slice(&body);
    der
}

/// RSA modulus and exponent of a DER public key (PKCS#1 `RSAPublicKey`), checked by the backend.
pub(crate) fn rsa_components(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    (PROVIDER.key_utils.rsa_pub_components_from_public_key)(der).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn pkcs1_der_round_trips_through_the_backend() {
        let pem = include_str!("../../tests/fixtures/clerk-js/pem_public_signing_key.pem");
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        let der = key.try_get_as_bytes().unwrap();
        let (n, e) = rsa_components(der).unwrap();
        assert_eq!(
            rsa_components(&pkcs1_der(&n, &e)).unwrap(),
            (n.clone(), e.clone())
        );
        // Leading zero bytes in the input do not change the encoding.
        let padded: Vec<u8> = [0, 0].iter().chain(&n).copied().collect();
        assert_eq!(pkcs1_der(&padded, &e), pkcs1_der(&n, &e));
        assert_eq!(pkcs1_der(&[0x80], &[1]), [0x30, 7, 2, 2, 0, 0x80, 2, 1, 1]);
    }

    #[test]
    fn a_parsed_key_verifies_what_jsonwebtoken_verifies() {
        // Clerk's fixture token and key (tests/fixtures/clerk-js, MIT).
        let pem = include_str!("../../tests/fixtures/clerk-js/pem_public_signing_key.pem");
        let jwts: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/clerk-js/jwts.json")).unwrap();
        let token = jwts["mockJwt"]["token"].as_str().unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        let (n, e) = rsa_components(decoding.try_get_as_bytes().unwrap()).unwrap();
        let key = RsaPublicKey::from_components(&n, &e).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
                .unwrap();
        let check = |alg, message: &[u8], signature: &[u8]| key.verify(alg, message, signature);
        assert_eq!(
            check(RsaAlgorithm::Rs256, input.as_bytes(), &signature),
            Ok(SignatureCheck::Valid)
        );
        assert_eq!(
            check(RsaAlgorithm::Rs384, input.as_bytes(), &signature),
            Ok(SignatureCheck::Invalid)
        );
        let mut tampered = signature.clone();
        tampered[10] ^= 1;
        assert_eq!(
            check(RsaAlgorithm::Rs256, input.as_bytes(), &tampered),
            Ok(SignatureCheck::Invalid)
        );
        assert_eq!(
            check(RsaAlgorithm::Rs256, b"other", &signature),
            Ok(SignatureCheck::Invalid)
        );
        assert_eq!(
            check(RsaAlgorithm::Rs256, input.as_bytes(), &[]),
            Ok(SignatureCheck::Invalid)
        );
    }
}
