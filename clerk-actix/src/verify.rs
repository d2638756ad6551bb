//! Session token verification: Clerk's `verifyToken`, with a few deliberate tightenings.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::crypto::{RsaAlgorithm, SignatureCheck};
use crate::error::{TokenErrorReason, TokenVerificationError, action, unlikely};
use crate::jwks::{JwksCache, kid_mismatch};
use crate::jwt::{DecodedJwt, category, js_stringify};
use crate::keys::VerifyingKey;
use crate::payload::Payload;

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
    /// Changes whenever the set of keys may have changed (never, for a PEM key).
    pub(crate) fn generation(&self) -> u64 {
        match self {
            Self::Pem(_) => 0,
            Self::Jwks(cache) => cache.generation(),
        }
    }

    /// Whether the key named `kid` is still in the key set of `generation`. Like a cached key
    /// lookup, it starts a background refresh when the set is stale.
    pub(crate) fn still_current(&self, kid: Option<&str>, generation: u64) -> bool {
        match self {
            Self::Pem(_) => true,
            Self::Jwks(cache) => {
                kid.is_some_and(|kid| cache.generation_with(kid) == Some(generation))
            }
        }
    }

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
                // The wait for a JWKS fetch is boxed: it is rare, and inline its state would be
                // carried by every request's future.
                Some(kid) => match cache.cached(kid) {
                    Some(key) => Ok(key),
                    None => Box::pin(cache.key(kid)).await,
                },
                None => Err(kid_mismatch("undefined")),
            },
        }
    }
}

/// Which `typ` headers a verification accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderType {
    /// Session tokens: absent or `JWT`, and never of the M2M category.
    Jwt,
    /// M2M tokens in JWT form: absent or `JWT` (the M2M category is theirs).
    M2mJwt,
    /// OAuth access tokens (RFC 9068): `at+jwt` or `application/at+jwt`.
    OAuthAccessToken,
}

/// Current time in milliseconds since the epoch.
pub(crate) fn now_ms(clock: Option<SystemTime>) -> f64 {
    clock
        .unwrap_or_else(SystemTime::now)
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, whole_millis)
}

/// `duration.as_millis() as f64`, without the conversion of a `u128` to `f64` (a library call,
/// on every request): the same whole number in a `u64` converts, and rounds, the same way.
fn whole_millis(duration: std::time::Duration) -> f64 {
    let millis = duration.as_secs().checked_mul(1000);
    match millis.and_then(|ms| ms.checked_add(duration.subsec_millis().into())) {
        Some(ms) => ms as f64,
        None => duration.as_millis() as f64,
    }
}

/// Checks done before any key is looked up: size, shape, category, header type, algorithm, `crit`.
pub(crate) fn precheck<'t>(
    token: &'t str,
    validation: &TokenValidation,
    header_type: HeaderType,
) -> Result<(DecodedJwt<'t>, RsaAlgorithm), TokenVerificationError> {
    check_size(token, validation)?;
    precheck_decoded(DecodedJwt::decode(token)?, header_type)
}

/// The first check of [`precheck`]: tokens over the size limit are rejected undecoded.
pub(crate) fn check_size(
    token: &str,
    validation: &TokenValidation,
) -> Result<(), TokenVerificationError> {
    if token.len() > validation.max_token_bytes {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalid,
                format!(
                    "Invalid JWT. The token is longer than the {} bytes accepted.",
                    validation.max_token_bytes
                ),
            )
        }));
    }
    Ok(())
}

/// The checks of [`precheck`] after decoding, for a token its caller decoded already (and
/// passed through [`check_size`]), so a request decodes its token once.
pub(crate) fn precheck_decoded(
    jwt: DecodedJwt<'_>,
    header_type: HeaderType,
) -> Result<(DecodedJwt<'_>, RsaAlgorithm), TokenVerificationError> {
    if header_type == HeaderType::Jwt && jwt.category() == Some(category::M2M_TOKEN) {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalid,
                "Invalid session token category.",
            )
        }));
    }
    check_header_type(&jwt, header_type)?;
    let alg = jwt.header.get("alg");
    let Some(alg) = alg
        .and_then(Value::as_str)
        .and_then(RsaAlgorithm::from_header)
    else {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalidAlgorithm,
                format!(
                    "Invalid JWT algorithm {}. Supported: RS256,RS384,RS512.",
                    js_stringify(alg)
                ),
            )
            .with_action(action::ENSURE_CLERK_JWT)
        }));
    };
    if jwt.header.contains_key("crit") {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalid,
                "Invalid JWT. Critical header extensions (crit) are not supported.",
            )
            .with_action(action::ENSURE_CLERK_JWT)
        }));
    }
    Ok((jwt, alg))
}

fn check_header_type(
    jwt: &DecodedJwt<'_>,
    header_type: HeaderType,
) -> Result<(), TokenVerificationError> {
    let typ = jwt.header.get("typ");
    let (ok, expected) = match header_type {
        HeaderType::Jwt | HeaderType::M2mJwt => (
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
    Err(unlikely(|| {
        TokenVerificationError::new(
            TokenErrorReason::TokenInvalid,
            format!(
                "Invalid JWT type {}. Expected \"{expected}\".",
                js_stringify(typ)
            ),
        )
        .with_action(action::ENSURE_CLERK_JWT)
    }))
}

/// The signature check alone (handshake tokens have no time claims to check).
pub(crate) fn verify_signature(
    jwt: &DecodedJwt<'_>,
    alg: RsaAlgorithm,
    key: &VerifyingKey,
) -> Result<(), TokenVerificationError> {
    match key
        .key
        .verify(alg, jwt.signing_input.as_bytes(), &jwt.signature)
    {
        Err(err) => Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenVerificationFailed,
                format!("Error verifying JWT signature. {err}"),
            )
            .with_action(action::ENSURE_CLERK_JWT)
        })),
        Ok(SignatureCheck::Invalid) => Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalidSignature,
                "JWT signature is invalid.",
            )
        })),
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
) -> Result<Payload, TokenVerificationError> {
    verify_signature(&jwt, alg, key)?;
    jwt.remember_header();
    let payload = jwt.payload;
    check_claims(&payload, validation, now_ms)?;
    Ok(payload)
}

pub(crate) fn check_claims(
    payload: &Payload,
    validation: &TokenValidation,
    now_ms: f64,
) -> Result<(), TokenVerificationError> {
    if payload.get_str("sub").is_none_or(str::is_empty) {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenVerificationFailed,
                format!(
                    "Subject claim (sub) is required and must be a string. Received {}.",
                    js_stringify(payload.get("sub"))
                ),
            )
            .with_action(action::ENSURE_CLERK_JWT)
        }));
    }
    check_audience(payload.get("aud"), &validation.audience)?;
    if !validation.authorized_parties.is_empty()
        && !payload.get_str("azp").is_some_and(|azp| {
            !azp.is_empty() && validation.authorized_parties.iter().any(|p| p == azp)
        })
    {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenInvalidAuthorizedParties,
                format!(
                    "Invalid JWT Authorized party claim (azp) {}. Expected \"{}\".",
                    js_stringify(payload.get("azp")),
                    validation.authorized_parties.join(",")
                ),
            )
        }));
    }
    check_times(payload, validation, now_ms)
}

/// `exp`, `nbf` and `iat` against the clock, with the configured skew. Runs on every use of a
/// token, cached or not (a cached token through [`ClaimTimes::check`], the same comparisons).
pub(crate) fn check_times(
    payload: &Payload,
    validation: &TokenValidation,
    now_ms: f64,
) -> Result<(), TokenVerificationError> {
    let clock = Clock::new(validation, now_ms);
    let exp = payload.get("exp");
    let Some(exp_s) = exp.and_then(Value::as_f64) else {
        return Err(unlikely(|| {
            TokenVerificationError::new(
                TokenErrorReason::TokenVerificationFailed,
                format!(
                    "Invalid JWT expiry date claim (exp) {}. Expected number.",
                    js_stringify(exp)
                ),
            )
            .with_action(action::ENSURE_CLERK_JWT)
        }));
    };
    clock.check_exp(exp_s)?;
    if let Some(nbf) = payload.get("nbf") {
        let Some(nbf_s) = nbf.as_f64() else {
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenVerificationFailed,
                    format!("Invalid JWT not before date claim (nbf) {nbf}. Expected number."),
                )
                .with_action(action::ENSURE_CLERK_JWT)
            }));
        };
        clock.check_nbf(nbf_s)?;
    }
    if let Some(iat) = payload.get("iat") {
        let Some(iat_s) = iat.as_f64() else {
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenVerificationFailed,
                    format!("Invalid JWT issued at date claim (iat) {iat}. Expected number."),
                )
                .with_action(action::ENSURE_CLERK_JWT)
            }));
        };
        clock.check_iat(iat_s)?;
    }
    Ok(())
}

/// The time claims of a token that passed [`check_times`] once, read out of its payload so the
/// verified-token cache re-checks them without looking them up again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ClaimTimes {
    exp_s: f64,
    nbf_s: Option<f64>,
    iat_s: Option<f64>,
}

impl ClaimTimes {
    /// `None` unless `exp` is a number and `nbf` and `iat` are numbers or absent, which
    /// [`check_times`] requires.
    pub(crate) fn read(payload: &Payload) -> Option<Self> {
        let optional = |name: &str| match payload.get(name) {
            None => Some(None),
            Some(value) => value.as_f64().map(Some),
        };
        Some(Self {
            exp_s: payload.get("exp")?.as_f64()?,
            nbf_s: optional("nbf")?,
            iat_s: optional("iat")?,
        })
    }

    /// `exp` in milliseconds.
    pub(crate) fn expires_at_ms(&self) -> f64 {
        self.exp_s * 1000.0
    }

    /// [`check_times`] of the payload these were read from: the same checks, in the same order.
    pub(crate) fn check(
        &self,
        validation: &TokenValidation,
        now_ms: f64,
    ) -> Result<(), TokenVerificationError> {
        let clock = Clock::new(validation, now_ms);
        clock.check_exp(self.exp_s)?;
        if let Some(nbf_s) = self.nbf_s {
            clock.check_nbf(nbf_s)?;
        }
        if let Some(iat_s) = self.iat_s {
            clock.check_iat(iat_s)?;
        }
        Ok(())
    }
}

/// The current time and the allowed skew, for the time checks.
struct Clock {
    now_ms: f64,
    skew_ms: f64,
}

impl Clock {
    fn new(validation: &TokenValidation, now_ms: f64) -> Self {
        Self {
            now_ms,
            skew_ms: whole_millis(validation.clock_skew),
        }
    }

    fn check_exp(&self, exp_s: f64) -> Result<(), TokenVerificationError> {
        if exp_s * 1000.0 <= self.now_ms - self.skew_ms {
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenExpired,
                    format!(
                        "JWT is expired. Expiry date: {}, Current date: {}.",
                        utc_string(exp_s * 1000.0),
                        utc_string(self.now_ms)
                    ),
                )
            }));
        }
        Ok(())
    }

    fn check_nbf(&self, nbf_s: f64) -> Result<(), TokenVerificationError> {
        if nbf_s * 1000.0 > self.now_ms + self.skew_ms {
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenNotActiveYet,
                    format!(
                        "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {};",
                        utc_string(nbf_s * 1000.0),
                        utc_string(self.now_ms)
                    ),
                )
            }));
        }
        Ok(())
    }

    fn check_iat(&self, iat_s: f64) -> Result<(), TokenVerificationError> {
        if iat_s * 1000.0 > self.now_ms + self.skew_ms {
            return Err(unlikely(|| {
                TokenVerificationError::new(
                    TokenErrorReason::TokenIatInTheFuture,
                    format!(
                        "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {};",
                        utc_string(iat_s * 1000.0),
                        utc_string(self.now_ms)
                    ),
                )
            }));
        }
        Ok(())
    }
}

fn check_audience(aud: Option<&Value>, audience: &[String]) -> Result<(), TokenVerificationError> {
    if audience.is_empty() {
        return Ok(());
    }
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
    Err(unlikely(|| {
        // Serialized here, on the failing path only: a token that passes never needs the list.
        let list = serde_json::to_string(audience).unwrap_or_default();
        TokenVerificationError::new(
            TokenErrorReason::TokenVerificationFailed,
            format!(
                "Invalid JWT audience {kind} (aud) {}. Is not included in \"{list}\".",
                js_stringify(aud)
            ),
        )
        .with_action(action::ENSURE_CLERK_JWT)
    }))
}

/// JavaScript's `Date#toUTCString()` for a millisecond timestamp, over the whole range of JS
/// dates (±8.64e15 ms, years -271821 to 275760).
///
/// Hand-written because date crates stop at year 9999 (httpdate panics beyond it, which a token
/// with a far-future `nbf` or `iat` reached: found by the `token_decode` fuzz target).
fn utc_string(ms: f64) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return "Invalid Date".to_owned();
    }
    // TimeClip truncates; calendar fields then count from the floor of each unit.
    let ms = ms.trunc() as i64;
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000) / 1000;
    let (year, month, day) = civil_from_days(days);
    let year = if year >= 0 {
        format!("{year:04}")
    } else {
        format!("-{:04}", -year)
    };
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days + 4).rem_euclid(7) as usize], // 1970-01-01 was a Thursday
        MONTHS[(month - 1) as usize],
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// Proleptic Gregorian (year, month 1-12, day 1-31) of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(value: Value) -> Payload {
        Payload::parse(value.to_string().into_bytes()).expect("a JSON object")
    }

    const NOW: f64 = 1_666_648_250_000.0;

    #[test]
    fn whole_millis_are_what_as_millis_gives() {
        use std::time::Duration;
        for duration in [
            Duration::ZERO,
            Duration::from_nanos(999_999),
            Duration::new(1_795_714_377, 999_999_999),
            Duration::new((1 << 53) / 1000, 123_456_789),
            Duration::new(u64::MAX / 1000, 999_000_000),
            Duration::new(u64::MAX, 999_999_999),
        ] {
            assert_eq!(whole_millis(duration), duration.as_millis() as f64);
            let at = UNIX_EPOCH.checked_add(duration);
            let Some(at) = at else { continue };
            assert_eq!(
                now_ms(Some(at)),
                duration.as_millis() as f64,
                "{duration:?}"
            );
        }
        assert_eq!(now_ms(UNIX_EPOCH.checked_sub(Duration::from_secs(1))), 0.0);
    }

    #[test]
    fn claim_times_check_as_check_times_does() {
        let now_s = NOW / 1000.0;
        let around = [now_s - 90.0, now_s - 4.0, now_s, now_s + 4.0, now_s + 90.0];
        let skews = [Duration::ZERO, Duration::from_secs(5)];
        let mut compared = 0;
        for exp in around {
            for nbf in [
                None,
                Some(now_s - 90.0),
                Some(now_s + 4.0),
                Some(now_s + 90.0),
            ] {
                for iat in [
                    None,
                    Some(now_s - 90.0),
                    Some(now_s + 4.0),
                    Some(now_s + 90.0),
                ] {
                    let mut claims = json!({ "exp": exp });
                    if let Some(nbf) = nbf {
                        claims["nbf"] = json!(nbf);
                    }
                    if let Some(iat) = iat {
                        claims["iat"] = json!(iat);
                    }
                    let text = claims.to_string();
                    let claims = payload(claims);
                    let times = ClaimTimes::read(&claims).expect("numbers");
                    for clock_skew in skews {
                        let validation = TokenValidation {
                            clock_skew,
                            ..TokenValidation::default()
                        };
                        let full = check_times(&claims, &validation, NOW)
                            .map_err(|err| (err.reason(), err.to_string()));
                        let cached = times
                            .check(&validation, NOW)
                            .map_err(|err| (err.reason(), err.to_string()));
                        assert_eq!(cached, full, "{text} {clock_skew:?}");
                        compared += 1;
                    }
                }
            }
        }
        assert_eq!(compared, 160);
        // What `check_times` refuses by type is never read into times.
        for bad in [
            json!({}),
            json!({ "exp": "soon" }),
            json!({ "exp": now_s, "nbf": null }),
            json!({ "exp": now_s, "iat": "0" }),
        ] {
            assert_eq!(ClaimTimes::read(&payload(bad)), None);
        }
    }

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

    /// A token with `header`, a minimal payload and a dummy signature (prechecks only).
    fn unsigned(header: Value) -> String {
        use base64::Engine as _;
        let b64 =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2ln", b64(&header), b64(&json!({"sub": "u"})))
    }

    fn precheck_message(header: Value, kind: HeaderType) -> Result<(), String> {
        precheck(&unsigned(header), &TokenValidation::default(), kind)
            .map(|_| ())
            .map_err(|e| e.message().to_owned())
    }

    #[test]
    fn header_type_per_kind_of_token() {
        let with_typ = |typ: Option<&str>| {
            let mut header = json!({"alg": "RS256"});
            if let Some(typ) = typ {
                header["typ"] = json!(typ);
            }
            header
        };
        for kind in [HeaderType::Jwt, HeaderType::M2mJwt] {
            precheck_message(with_typ(None), kind).unwrap();
            precheck_message(with_typ(Some("JWT")), kind).unwrap();
            assert_eq!(
                precheck_message(with_typ(Some("at+jwt")), kind),
                Err("Invalid JWT type \"at+jwt\". Expected \"JWT\".".to_owned())
            );
        }
        let oauth = HeaderType::OAuthAccessToken;
        precheck_message(with_typ(Some("at+jwt")), oauth).unwrap();
        precheck_message(with_typ(Some("application/at+jwt")), oauth).unwrap();
        for (typ, shown) in [
            (Some("JWT"), "\"JWT\""),
            (Some("custom-type"), "\"custom-type\""),
            (None, "undefined"),
        ] {
            assert_eq!(
                precheck_message(with_typ(typ), oauth),
                Err(format!(
                    "Invalid JWT type {shown}. Expected \"at+jwt, application/at+jwt\"."
                ))
            );
        }
    }

    #[test]
    fn the_m2m_category_is_refused_only_for_session_tokens() {
        let header = json!({"alg": "RS256", "typ": "JWT", "cat": category::M2M_TOKEN});
        let err = precheck(
            &unsigned(header.clone()),
            &TokenValidation::default(),
            HeaderType::Jwt,
        )
        .unwrap_err();
        assert_eq!(err.reason(), TokenErrorReason::TokenInvalid);
        assert_eq!(err.message(), "Invalid session token category.");
        precheck_message(header, HeaderType::M2mJwt).unwrap();
    }

    #[test]
    fn algorithms() {
        for alg in ["RS256", "RS384", "RS512"] {
            precheck_message(json!({"alg": alg}), HeaderType::Jwt).unwrap();
        }
        for (alg, shown) in [
            (json!("HS256"), "\"HS256\""),
            (json!("none"), "\"none\""),
            (json!("ES256"), "\"ES256\""),
            (json!("rs256"), "\"rs256\""),
            (json!(5), "5"),
        ] {
            let err = precheck(
                &unsigned(json!({"alg": alg})),
                &TokenValidation::default(),
                HeaderType::Jwt,
            )
            .unwrap_err();
            assert_eq!(err.reason(), TokenErrorReason::TokenInvalidAlgorithm);
            assert_eq!(
                err.message(),
                format!("Invalid JWT algorithm {shown}. Supported: RS256,RS384,RS512.")
            );
        }
        assert_eq!(
            precheck_message(json!({"typ": "JWT"}), HeaderType::Jwt),
            Err("Invalid JWT algorithm undefined. Supported: RS256,RS384,RS512.".to_owned())
        );
    }

    #[test]
    fn issuer_is_never_checked() {
        let mut claims = base();
        claims["iss"] = json!("https://clerk.someone-else.example");
        check(claims, &TokenValidation::default(), NOW).unwrap();
        let mut claims = base();
        claims["iss"] = json!(42);
        check(claims, &TokenValidation::default(), NOW).unwrap();
    }

    #[test]
    fn default_skew_is_five_seconds() {
        let v = TokenValidation::default();
        check(json!({"sub": "u", "exp": 1_666_648_246}), &v, NOW).unwrap();
        let err = check(json!({"sub": "u", "exp": 1_666_648_245}), &v, NOW).unwrap_err();
        assert_eq!(err.reason(), TokenErrorReason::TokenExpired);
    }

    #[test]
    fn not_before_and_issued_at_now_or_earlier_pass() {
        let v = TokenValidation {
            clock_skew: Duration::ZERO,
            ..Default::default()
        };
        for claim in ["nbf", "iat"] {
            for at in [1_666_648_250u64, 1_666_640_000] {
                let mut claims = json!({"sub": "u", "exp": 1_766_648_250u64});
                claims[claim] = json!(at);
                check(claims, &v, NOW).unwrap();
            }
            let mut claims = json!({"sub": "u", "exp": 1_766_648_250u64});
            claims[claim] = json!(1_666_648_251u64);
            assert!(check(claims, &v, NOW).is_err(), "{claim} one second ahead");
        }
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
    fn utc_string_matches_javascript_over_the_whole_date_range() {
        // Expected values printed by Node's `new Date(ms).toUTCString()`.
        for (ms, js) in [
            (0.0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (-1000.0, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (-1.5, "Wed, 31 Dec 1969 23:59:59 GMT"),
            (1.9, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (1_666_648_310_000.0, "Mon, 24 Oct 2022 21:51:50 GMT"),
            (253_402_300_799_999.0, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (253_402_300_800_000.0, "Sat, 01 Jan 10000 00:00:00 GMT"),
            (2_666_666_648_250_000.0, "Thu, 20 Apr 86473 07:37:30 GMT"),
            (8.64e15, "Sat, 13 Sep 275760 00:00:00 GMT"),
            (-8.64e15, "Tue, 20 Apr -271821 00:00:00 GMT"),
            (-62_198_755_200_000.0, "Fri, 01 Jan -0001 00:00:00 GMT"),
            (-62_135_596_800_001.0, "Sun, 31 Dec 0000 23:59:59 GMT"),
            (8.64e15 + 1.0, "Invalid Date"),
            (f64::NAN, "Invalid Date"),
            (f64::INFINITY, "Invalid Date"),
        ] {
            assert_eq!(utc_string(ms), js, "{ms}");
        }
    }

    #[test]
    fn far_future_times_are_an_error_not_a_panic() {
        // The token_decode fuzz target's crash: iat in year 86473.
        let v = TokenValidation::default();
        let err = check(
            json!({"sub": "u", "exp": 9_686_648_310u64, "iat": 2_666_666_648_250u64}),
            &v,
            NOW,
        )
        .unwrap_err();
        assert_eq!(err.reason(), TokenErrorReason::TokenIatInTheFuture);
        assert!(
            err.message().contains("Thu, 20 Apr 86473 07:37:30 GMT"),
            "{}",
            err.message()
        );
        for claim in ["nbf", "iat", "exp"] {
            for value in [1e300, -1e300, 9.9e15, -9.9e15] {
                let mut payload = base();
                payload[claim] = json!(value);
                let _ = check(payload, &v, NOW);
            }
        }
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
