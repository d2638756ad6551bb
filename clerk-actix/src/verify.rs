//! Session token verification: Clerk's `verifyToken`, with a few deliberate tightenings.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::crypto::{self, RsaAlgorithm, SignatureCheck};
use crate::error::{TokenErrorReason, TokenVerificationError, action};
use crate::jwks::{JwksCache, kid_mismatch};
use crate::jwt::{DecodedJwt, category, js_stringify};
use crate::keys::VerifyingKey;

/// What a session token must satisfy, beyond its signature.
///
/// Always checked, whatever the settings: `alg` is RS256, RS384 or RS512; `typ` is absent or
/// `JWT`; a `cat` header is not the M2M category; no `crit` header (no JWS extension is
/// understood, so any critical one is rejected); the key comes only from the configured source
/// by `kid` (never from `jwk`, `jku`, `x5u` or `x5c` headers); the signature verifies before any
/// claim is looked at; `sub` is a non-empty string; `exp` is a number in the future; `nbf` and
/// `iat`, when present, are numbers not in the future (all three with [`clock_skew`](Self::clock_skew));
/// the token is at most [`max_token_bytes`](Self::max_token_bytes) long.
///
/// ```
/// use std::time::Duration;
/// use clerk_actix::TokenValidation;
///
/// let validation = TokenValidation {
///     authorized_parties: vec!["https://app.example.com".into()],
///     clock_skew: Duration::from_secs(2),
///     ..TokenValidation::default()
/// };
/// assert!(validation.audience.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenValidation {
    /// Origins allowed in `azp`. When non-empty, a token without `azp` is rejected too.
    pub authorized_parties: Vec<String>,
    /// Accepted audiences. When non-empty, `aud` must be present and name one of them
    /// (stricter than Clerk's SDK, which accepts a token without `aud`).
    pub audience: Vec<String>,
    /// Tolerance for `exp`, `nbf` and `iat` (default 5 s, as Clerk).
    pub clock_skew: Duration,
    /// Longest token accepted, in bytes (default 16 KiB); longer ones are rejected undecoded.
    pub max_token_bytes: usize,
}

impl Default for TokenValidation {
    fn default() -> Self {
        Self {
            authorized_parties: Vec::new(),
            audience: Vec::new(),
            clock_skew: Duration::from_secs(5),
            max_token_bytes: 16 * 1024,
        }
    }
}

/// Where verification keys come from.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    /// `CLERK_JWT_KEY`: one PEM key, no network at all.
    Pem(VerifyingKey),
    /// `{api_url}/v1/jwks` with the secret key.
    Jwks(Arc<JwksCache>),
}

impl KeySource {
    /// The key for `kid` without waiting, if it is known (always, for a PEM key).
    pub(crate) fn cached(&self, kid: Option<&str>) -> Option<VerifyingKey> {
        match self {
            Self::Pem(key) => Some(key.clone()),
            Self::Jwks(cache) => kid.and_then(|kid| cache.cached(kid)),
        }
    }

    /// The key for `kid`, fetching the JWKS when needed.
    pub(crate) async fn resolve(
        &self,
        kid: Option<&str>,
    ) -> Result<VerifyingKey, TokenVerificationError> {
        match self {
            Self::Pem(key) => Ok(key.clone()),
            // A token without a `kid` cannot name a key; no reason to go to the network for it.
            Self::Jwks(cache) => match kid {
                Some(kid) => cache.key(kid).await,
                None => Err(kid_mismatch("undefined")),
            },
        }
    }
}

/// Which `typ` headers a verification accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderType {
    /// Session tokens: absent or `JWT`.
    Jwt,
    /// OAuth access tokens (RFC 9068): `at+jwt` or `application/at+jwt`.
    OAuthAccessToken,
}

/// Current time in milliseconds since the epoch.
pub(crate) fn now_ms(clock: Option<SystemTime>) -> f64 {
    clock
        .unwrap_or_else(SystemTime::now)
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

/// Checks done before any key is looked up: size, shape, category, header type, algorithm, `crit`.
pub(crate) fn precheck<'t>(
    token: &'t str,
    validation: &TokenValidation,
    header_type: HeaderType,
) -> Result<(DecodedJwt<'t>, RsaAlgorithm), TokenVerificationError> {
    if token.len() > validation.max_token_bytes {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalid,
            format!(
                "Invalid JWT. The token is longer than the {} bytes accepted.",
                validation.max_token_bytes
            ),
        ));
    }
    let jwt = DecodedJwt::decode(token)?;
    if header_type == HeaderType::Jwt && jwt.category() == Some(category::M2M_TOKEN) {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalid,
            "Invalid session token category.",
        ));
    }
    check_header_type(&jwt, header_type)?;
    let alg = jwt.header.get("alg");
    let Some(alg) = alg
        .and_then(Value::as_str)
        .and_then(RsaAlgorithm::from_header)
    else {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalidAlgorithm,
            format!(
                "Invalid JWT algorithm {}. Supported: RS256,RS384,RS512.",
                js_stringify(alg)
            ),
        )
        .with_action(action::ENSURE_CLERK_JWT));
    };
    if jwt.header.contains_key("crit") {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalid,
            "Invalid JWT. Critical header extensions (crit) are not supported.",
        )
        .with_action(action::ENSURE_CLERK_JWT));
    }
    Ok((jwt, alg))
}

fn check_header_type(
    jwt: &DecodedJwt<'_>,
    header_type: HeaderType,
) -> Result<(), TokenVerificationError> {
    let typ = jwt.header.get("typ");
    let (ok, expected) = match header_type {
        HeaderType::Jwt => (
            typ.is_none() || typ.and_then(Value::as_str) == Some("JWT"),
            "JWT",
        ),
        HeaderType::OAuthAccessToken => (
            matches!(
                typ.and_then(Value::as_str),
                Some("at+jwt" | "application/at+jwt")
            ),
            "at+jwt, application/at+jwt",
        ),
    };
    if ok {
        return Ok(());
    }
    Err(TokenVerificationError::new(
        TokenErrorReason::TokenInvalid,
        format!(
            "Invalid JWT type {}. Expected \"{expected}\".",
            js_stringify(typ)
        ),
    )
    .with_action(action::ENSURE_CLERK_JWT))
}

/// The signature check alone (handshake tokens have no time claims to check).
pub(crate) fn verify_signature(
    jwt: &DecodedJwt<'_>,
    alg: RsaAlgorithm,
    key: &VerifyingKey,
) -> Result<(), TokenVerificationError> {
    match crypto::verify(alg, &key.key, jwt.signing_input.as_bytes(), &jwt.signature) {
        Err(err) => Err(TokenVerificationError::new(
            TokenErrorReason::TokenVerificationFailed,
            format!("Error verifying JWT signature. {err}"),
        )
        .with_action(action::ENSURE_CLERK_JWT)),
        Ok(SignatureCheck::Invalid) => Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalidSignature,
            "JWT signature is invalid.",
        )),
        Ok(SignatureCheck::Valid) => Ok(()),
    }
}

/// Signature, then claims, in Clerk's order. Returns the verified payload.
pub(crate) fn verify_signature_and_claims(
    jwt: DecodedJwt<'_>,
    alg: RsaAlgorithm,
    key: &VerifyingKey,
    validation: &TokenValidation,
    now_ms: f64,
) -> Result<Map<String, Value>, TokenVerificationError> {
    verify_signature(&jwt, alg, key)?;
    let payload = jwt.payload;
    check_claims(&payload, validation, now_ms)?;
    Ok(payload)
}

fn check_claims(
    payload: &Map<String, Value>,
    validation: &TokenValidation,
    now_ms: f64,
) -> Result<(), TokenVerificationError> {
    let sub = payload.get("sub");
    if sub.and_then(Value::as_str).is_none_or(|s| s.is_empty()) {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenVerificationFailed,
            format!(
                "Subject claim (sub) is required and must be a string. Received {}.",
                js_stringify(sub)
            ),
        )
        .with_action(action::ENSURE_CLERK_JWT));
    }
    check_audience(payload.get("aud"), &validation.audience)?;
    let azp = payload.get("azp");
    if !validation.authorized_parties.is_empty()
        && !azp.and_then(Value::as_str).is_some_and(|azp| {
            !azp.is_empty() && validation.authorized_parties.iter().any(|p| p == azp)
        })
    {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalidAuthorizedParties,
            format!(
                "Invalid JWT Authorized party claim (azp) {}. Expected \"{}\".",
                js_stringify(azp),
                validation.authorized_parties.join(",")
            ),
        ));
    }
    let skew = validation.clock_skew.as_millis() as f64;
    let exp = payload.get("exp");
    let Some(exp_s) = exp.and_then(Value::as_f64) else {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenVerificationFailed,
            format!(
                "Invalid JWT expiry date claim (exp) {}. Expected number.",
                js_stringify(exp)
            ),
        )
        .with_action(action::ENSURE_CLERK_JWT));
    };
    if exp_s * 1000.0 <= now_ms - skew {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenExpired,
            format!(
                "JWT is expired. Expiry date: {}, Current date: {}.",
                utc_string(exp_s * 1000.0),
                utc_string(now_ms)
            ),
        ));
    }
    if let Some(nbf) = payload.get("nbf") {
        let Some(nbf_s) = nbf.as_f64() else {
            return Err(TokenVerificationError::new(
                TokenErrorReason::TokenVerificationFailed,
                format!("Invalid JWT not before date claim (nbf) {nbf}. Expected number."),
            )
            .with_action(action::ENSURE_CLERK_JWT));
        };
        if nbf_s * 1000.0 > now_ms + skew {
            return Err(TokenVerificationError::new(
                TokenErrorReason::TokenNotActiveYet,
                format!(
                    "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {};",
                    utc_string(nbf_s * 1000.0),
                    utc_string(now_ms)
                ),
            ));
        }
    }
    if let Some(iat) = payload.get("iat") {
        let Some(iat_s) = iat.as_f64() else {
            return Err(TokenVerificationError::new(
                TokenErrorReason::TokenVerificationFailed,
                format!("Invalid JWT issued at date claim (iat) {iat}. Expected number."),
            )
            .with_action(action::ENSURE_CLERK_JWT));
        };
        if iat_s * 1000.0 > now_ms + skew {
            return Err(TokenVerificationError::new(
                TokenErrorReason::TokenIatInTheFuture,
                format!(
                    "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {};",
                    utc_string(iat_s * 1000.0),
                    utc_string(now_ms)
                ),
            ));
        }
    }
    Ok(())
}

fn check_audience(aud: Option<&Value>, audience: &[String]) -> Result<(), TokenVerificationError> {
    if audience.is_empty() {
        return Ok(());
    }
    let list = serde_json::to_string(audience).unwrap_or_default();
    let matches = match aud {
        Some(Value::String(aud)) => audience.iter().any(|a| a == aud),
        Some(Value::Array(auds)) => auds
            .iter()
            .filter_map(Value::as_str)
            .any(|aud| audience.iter().any(|a| a == aud)),
        _ => false,
    };
    if matches {
        return Ok(());
    }
    let kind = if matches!(aud, Some(Value::Array(_))) {
        "claim array"
    } else {
        "claim"
    };
    Err(TokenVerificationError::new(
        TokenErrorReason::TokenVerificationFailed,
        format!(
            "Invalid JWT audience {kind} (aud) {}. Is not included in \"{list}\".",
            js_stringify(aud)
        ),
    )
    .with_action(action::ENSURE_CLERK_JWT))
}

/// JavaScript's `Date#toUTCString()` for a millisecond timestamp.
fn utc_string(ms: f64) -> String {
    // JS dates span ±8.64e15 ms; beyond that (or before 1970, which httpdate cannot print)
    // there is no sensible calendar date to show.
    if !(0.0..=8.64e15).contains(&ms) {
        return "Invalid Date".to_owned();
    }
    let time = UNIX_EPOCH + Duration::from_millis(ms as u64);
    httpdate::fmt_http_date(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    const NOW: f64 = 1_666_648_250_000.0;

    fn base() -> Value {
        json!({"sub": "user_1", "exp": 1_666_648_310, "iat": 1_666_648_250, "nbf": 1_666_648_240, "azp": "https://a.example"})
    }

    fn check(
        value: Value,
        validation: &TokenValidation,
        now: f64,
    ) -> Result<(), TokenVerificationError> {
        check_claims(&payload(value), validation, now)
    }

    #[test]
    fn valid_claims_pass() {
        check(base(), &TokenValidation::default(), NOW).unwrap();
    }

    #[test]
    fn expiry_boundaries_follow_clerk() {
        let mut v = TokenValidation {
            clock_skew: Duration::ZERO,
            ..Default::default()
        };
        let exp_now = json!({"sub": "u", "exp": 1_666_648_250});
        assert_eq!(
            check(exp_now.clone(), &v, NOW).unwrap_err().reason(),
            TokenErrorReason::TokenExpired,
            "exp == now is expired"
        );
        v.clock_skew = Duration::from_millis(1000);
        check(exp_now, &v, NOW).unwrap();
        let five_ago = json!({"sub": "u", "exp": 1_666_648_245});
        v.clock_skew = Duration::ZERO;
        assert!(check(five_ago.clone(), &v, NOW).is_err());
        v.clock_skew = Duration::from_millis(6000);
        check(five_ago, &v, NOW).unwrap();
    }

    #[test]
    fn expired_message_uses_js_dates() {
        let err = check(base(), &TokenValidation::default(), NOW + 3_600_000.0).unwrap_err();
        assert_eq!(
            err.message(),
            "JWT is expired. Expiry date: Mon, 24 Oct 2022 21:51:50 GMT, Current date: Mon, 24 Oct 2022 22:50:50 GMT."
        );
    }

    #[test]
    fn nbf_and_iat_in_the_future() {
        let v = TokenValidation::default();
        let err = check(
            json!({"sub": "u", "exp": 1_766_648_250u64, "nbf": 1_666_648_256}),
            &v,
            NOW,
        )
        .unwrap_err();
        assert_eq!(err.reason(), TokenErrorReason::TokenNotActiveYet);
        check(
            json!({"sub": "u", "exp": 1_766_648_250u64, "nbf": 1_666_648_254}),
            &v,
            NOW,
        )
        .unwrap();
        let err = check(
            json!({"sub": "u", "exp": 1_766_648_250u64, "iat": 1_666_648_256}),
            &v,
            NOW,
        )
        .unwrap_err();
        assert_eq!(err.reason(), TokenErrorReason::TokenIatInTheFuture);
    }

    #[test]
    fn wrong_claim_types_fail_verification() {
        let v = TokenValidation::default();
        for (claims, needle) in [
            (json!({"exp": 1_766_648_250u64}), "Received undefined"),
            (json!({"sub": 5, "exp": 1_766_648_250u64}), "Received 5"),
            (json!({"sub": "", "exp": 1_766_648_250u64}), "Received \"\""),
            (json!({"sub": "u"}), "(exp) undefined"),
            (json!({"sub": "u", "exp": "1"}), "(exp) \"1\""),
            (
                json!({"sub": "u", "exp": 1_766_648_250u64, "nbf": "x"}),
                "(nbf) \"x\"",
            ),
            (
                json!({"sub": "u", "exp": 1_766_648_250u64, "iat": null}),
                "(iat) null",
            ),
        ] {
            let err = check(claims, &v, NOW).unwrap_err();
            assert_eq!(err.reason(), TokenErrorReason::TokenVerificationFailed);
            assert!(
                err.message().contains(needle),
                "{} lacks {needle}",
                err.message()
            );
        }
    }

    #[test]
    fn authorized_parties() {
        let mut v = TokenValidation {
            authorized_parties: vec!["whatever".into()],
            ..Default::default()
        };
        let err = check(json!({"sub": "u", "exp": 1_766_648_250u64, "azp": "https://accounts.inspired.puma-74.lcl.dev"}), &v, NOW).unwrap_err();
        assert_eq!(
            err.message(),
            "Invalid JWT Authorized party claim (azp) \"https://accounts.inspired.puma-74.lcl.dev\". Expected \"whatever\"."
        );
        for azp in [json!(null), json!(""), json!(1)] {
            assert!(
                check(
                    json!({"sub": "u", "exp": 1_766_648_250u64, "azp": azp}),
                    &v,
                    NOW
                )
                .is_err()
            );
        }
        assert!(
            check(json!({"sub": "u", "exp": 1_766_648_250u64}), &v, NOW).is_err(),
            "missing azp rejected when parties set"
        );
        v.authorized_parties = vec!["".into(), "whatever".into()];
        check(
            json!({"sub": "u", "exp": 1_766_648_250u64, "azp": "whatever"}),
            &v,
            NOW,
        )
        .unwrap();
        v.authorized_parties.clear();
        check(json!({"sub": "u", "exp": 1_766_648_250u64}), &v, NOW).unwrap();
    }

    #[test]
    fn audience() {
        let v = TokenValidation {
            audience: vec!["api".into(), "web".into()],
            ..Default::default()
        };
        let ok = |aud: Value| {
            check(
                json!({"sub": "u", "exp": 1_766_648_250u64, "aud": aud}),
                &v,
                NOW,
            )
        };
        ok(json!("api")).unwrap();
        ok(json!(["x", "web"])).unwrap();
        assert!(ok(json!("ap")).is_err(), "substring is not a match");
        assert!(ok(json!(["apis"])).is_err());
        assert!(ok(json!(5)).is_err());
        assert!(
            check(json!({"sub": "u", "exp": 1_766_648_250u64}), &v, NOW).is_err(),
            "stricter than Clerk: aud required when configured"
        );
        let no_audience = TokenValidation::default();
        check(
            json!({"sub": "u", "exp": 1_766_648_250u64, "aud": "anything"}),
            &no_audience,
            NOW,
        )
        .unwrap();
    }
}
