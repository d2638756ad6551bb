//! Crate-internal parsers and verification steps, for the fuzz targets (`fuzz/`), the property
//! tests and the benchmarks. Feature `fuzzing` only; not a public API, no stability promise.

use serde_json::{Map, Value};

use crate::config::Clerk;
use crate::cookies::Cookies;
use crate::crypto::{self, SignatureCheck};
use crate::jwt::DecodedJwt;
use crate::keys::VerifyingKey;
use crate::payload::Payload;
use crate::verify::{self, HeaderType, TokenValidation};
use crate::{TokenErrorReason, TokenVerificationError};

/// Header and payload of a token, decoded without verification (`None`: malformed).
pub fn decode_token(token: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    DecodedJwt::decode(token).ok().map(|jwt| {
        (
            std::sync::Arc::unwrap_or_clone(jwt.header).into_map(),
            jwt.payload.into_map(),
        )
    })
}

/// The checks a session token passes before any key is looked up (default validation).
pub fn precheck(token: &str) -> Result<(), TokenVerificationError> {
    verify::precheck(token, &TokenValidation::default(), HeaderType::Jwt).map(|_| ())
}

/// The claim checks (`sub`, `aud`, `azp`, times) of a verified payload.
pub fn check_claims(
    payload: &Map<String, Value>,
    validation: &TokenValidation,
    now_ms: f64,
) -> Result<(), TokenErrorReason> {
    let payload = Payload::from_map(payload.clone());
    verify::check_claims(&payload, validation, now_ms).map_err(|e| e.reason())
}

fn jar(header: &str) -> Cookies<'_> {
    let mut cookies = Cookies::default();
    cookies.extend(header);
    cookies
}

/// The decoded value of the first cookie `name` in `header`.
pub fn cookie(header: &str, name: &str) -> Option<String> {
    jar(header).get(name).map(|v| v.into_owned())
}

/// The decoded value of `<name>_<suffix>` in `header`.
pub fn suffixed_cookie(header: &str, name: &str, suffix: &str) -> Option<String> {
    jar(header).suffixed(name, suffix).map(|v| v.into_owned())
}

/// RSA signature verification alone, the unavoidable cost of a token nobody has seen before.
#[derive(Debug)]
pub struct RawVerifier(VerifyingKey);

impl RawVerifier {
    /// A verifier for the PEM public key `pem`.
    pub fn from_pem(pem: &str) -> Option<Self> {
        VerifyingKey::from_pem(pem).ok().map(Self)
    }

    /// Whether `token`'s RS256 signature verifies: the token split at its last dot, the
    /// signature base64url-decoded and checked. Nothing else (no JSON, no claims): the work
    /// every verification of a never-seen token must do.
    pub fn signature_ok(&self, token: &str) -> bool {
        let Some((signing_input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        let Some(signature) = crate::jwt::decode_segment(signature) else {
            return false;
        };
        self.0.key.verify(
            crypto::RsaAlgorithm::Rs256,
            signing_input.as_bytes(),
            &signature,
        ) == Ok(SignatureCheck::Valid)
    }
}

/// The library's own session token verification for `clerk` (through its verified-token cache):
/// whether `token` verifies, and why not. (The claims are not turned into a map: the middleware
/// never does that either.)
pub async fn verify_session_token(
    clerk: &Clerk,
    token: &str,
) -> Result<(), TokenVerificationError> {
    let options = clerk.options_arc();
    crate::request::verify_session_token(&options, token)
        .await
        .map(drop)
}

/// Whether `token` decodes (header and payload JSON objects, signature base64url), with nothing
/// else done: the first step of every verification.
pub fn decodes(token: &str) -> bool {
    DecodedJwt::decode(token).is_ok()
}

/// Counters of `clerk`'s verified-token cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCacheStats {
    /// Tokens held.
    pub entries: usize,
    /// Estimated bytes held.
    pub bytes: usize,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Of those, the ones the calling thread's own copies answered (its front).
    pub front_hits: u64,
    /// Lookups that had to verify in full.
    pub misses: u64,
    /// Entries pushed out to make room.
    pub evictions: u64,
    /// Lookups that found their shard locked by another thread.
    pub contended: u64,
}

/// The counters of `clerk`'s verified-token cache.
pub fn token_cache_stats(clerk: &Clerk) -> TokenCacheStats {
    let stats = clerk.options().token_cache.stats();
    TokenCacheStats {
        entries: stats.entries,
        bytes: stats.bytes,
        hits: stats.hits,
        front_hits: stats.front_hits,
        misses: stats.misses,
        evictions: stats.evictions,
        contended: stats.contended,
    }
}

/// The bodies of the fuzz targets, shared with the regression tests that replay their findings
/// (`tests/fuzz_regressions.rs`). Each panics only on a bug.
pub mod targets {
    use crate::jwt::DecodedJwt;
    use crate::payload::Payload;
    use crate::verify;
    use crate::{Has, PublishableKey, Reverification, RouteMatcher, SessionClaims};

    use super::{TokenValidation, TokenVerificationError};

    /// Token decoding, the pre-key checks, the claim checks and Clerk's claim layout: never a
    /// panic, every dot-separated part base64url-decodes as the `base64` engine alone decodes
    /// it, a token that does not decode never passes the pre-key checks, and a payload read as
    /// the middleware reads it agrees with the same payload read as a map. The input as JSON
    /// text: the plain-JSON parser reads it as serde_json does, or leaves it to serde_json.
    pub fn token_decode(data: &[u8]) {
        crate::payload::assert_plain_parser_agrees(data);
        let Ok(token) = std::str::from_utf8(data) else {
            return;
        };
        crate::jwt::assert_segment_decoding_agrees(token);
        let precheck = super::precheck(token);
        let Ok(jwt) = DecodedJwt::decode(token) else {
            assert!(
                precheck.is_err(),
                "an undecodable token passed the precheck"
            );
            return;
        };
        typed_and_map_claims_agree(jwt.payload);
    }

    /// The `has()` checks tried on every payload that reads as a session.
    fn sample_checks() -> [Has; 6] {
        [
            Has::role("admin"),
            Has::role("org:admin"),
            Has::permission("org:invoices:read"),
            Has::feature("o:export"),
            Has::plan("u:pro"),
            Has::reverification(Reverification::Strict),
        ]
    }

    /// A decoded payload read as the middleware reads it (members parsed as decoded, strings
    /// moved out) and as a map (`SessionClaims::from_payload`) gives the same checks and claims.
    fn typed_and_map_claims_agree(payload: Payload) {
        let map = payload.clone().into_map();
        let from_map = Payload::from_map(map.clone());
        let reason = |result: Result<(), TokenVerificationError>| {
            result.map_err(|e| (e.reason(), e.to_string()))
        };
        let with_parties = TokenValidation {
            authorized_parties: vec!["https://a.example".to_owned()],
            ..TokenValidation::default()
        };
        for validation in [TokenValidation::default(), with_parties] {
            assert_eq!(
                reason(verify::check_claims(&payload, &validation, 1.7e12)),
                reason(verify::check_claims(&from_map, &validation, 1.7e12)),
            );
        }
        assert_eq!(
            verify::ClaimTimes::read(&payload),
            verify::ClaimTimes::read(&from_map)
        );
        match (
            SessionClaims::from_verified(payload),
            SessionClaims::from_payload(map),
        ) {
            (Ok(typed), Ok(mapped)) => {
                assert!(!typed.user_id().is_empty());
                assert!(
                    !typed.has(&Has::default()),
                    "an empty check is never granted"
                );
                assert_eq!(format!("{typed:?}"), format!("{mapped:?}"));
                assert_eq!(typed.org_slug(), mapped.org_slug());
                assert_eq!(typed.org_permissions(), mapped.org_permissions());
                assert_eq!(
                    typed.factor_verification_age(),
                    mapped.factor_verification_age()
                );
                assert_eq!(typed.actor(), mapped.actor());
                assert_eq!(typed.raw(), mapped.raw());
                for check in sample_checks() {
                    assert_eq!(typed.has(&check), mapped.has(&check));
                }
            }
            (typed, mapped) => assert_eq!(typed.err(), mapped.err()),
        }
    }

    /// Cookie header parsing: never a panic; the first pair's own name always finds a value.
    pub fn cookie_header(data: &[u8]) {
        let Ok(header) = std::str::from_utf8(data) else {
            return;
        };
        for name in ["__session", "__client_uat", "__clerk_db_jwt", ""] {
            let _ = super::cookie(header, name);
            let _ = super::suffixed_cookie(header, name, "vWCgMp3A");
        }
        if let Some((name, _)) = header.split(';').next().and_then(|p| p.split_once('=')) {
            let name = name.trim_matches([' ', '\t']);
            if !name.is_empty() {
                assert!(super::cookie(header, name).is_some(), "{header:?}");
            }
        }
    }

    /// Publishable key parsing: never a panic; an accepted key has a Frontend API host and an
    /// 8-character cookie suffix, and parses the same again.
    pub fn publishable_key(data: &[u8]) {
        let Ok(key) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(parsed) = PublishableKey::parse(key) {
            assert!(!parsed.frontend_api().is_empty());
            assert_eq!(parsed.cookie_suffix().len(), 8);
            let again = PublishableKey::parse(parsed.as_str());
            assert_eq!(
                again.as_ref().map(PublishableKey::frontend_api),
                Ok(parsed.frontend_api())
            );
        }
    }

    /// Webhook verification with arbitrary `svix-id`, `svix-timestamp`, `svix-signature` and
    /// body (separated by `\0`, in that order): never a panic, never a forged delivery accepted;
    /// and once re-signed with the real secret, never a signature error.
    pub fn webhook_headers(data: &[u8]) {
        use std::time::{Duration, UNIX_EPOCH};

        use actix_web::http::header::{HeaderMap, HeaderValue};

        use crate::webhooks::{WebhookSecret, verify_webhook_at};

        let mut parts = data.splitn(4, |b| *b == 0);
        let mut next = || parts.next().unwrap_or_default();
        let (id, timestamp, signature, body) = (next(), next(), next(), next());
        let _ = WebhookSecret::new(&String::from_utf8_lossy(signature));
        let Ok(secret) = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0") else {
            return;
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_716_883_200);
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("svix-id", id),
            ("svix-timestamp", timestamp),
            ("svix-signature", signature),
        ] {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.insert(
                    actix_web::http::header::HeaderName::from_static(name),
                    value,
                );
            }
        }
        let verified = verify_webhook_at(&secret, &headers, body, now);
        #[cfg(feature = "dev")]
        {
            // What the real signature would be: only then may a delivery verify.
            let id_text = std::str::from_utf8(id).map(str::trim).unwrap_or_default();
            let seconds = std::str::from_utf8(timestamp)
                .ok()
                .map(str::trim)
                .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok());
            let Some(seconds) = seconds else {
                assert!(verified.is_err(), "a delivery without a timestamp verified");
                return;
            };
            let good = crate::webhooks::sign(&secret, id_text, seconds, body);
            let forged = !String::from_utf8_lossy(signature).contains(&good);
            assert!(!(forged && verified.is_ok()), "a forged delivery verified");
            let id_readable = HeaderValue::from_bytes(id).is_ok_and(|v| v.to_str().is_ok());
            if id_readable
                && !id_text.is_empty()
                && let Ok(value) = HeaderValue::from_str(&good)
            {
                headers.insert(
                    actix_web::http::header::HeaderName::from_static("svix-signature"),
                    value,
                );
                let resigned = verify_webhook_at(&secret, &headers, body, now);
                assert!(
                    !matches!(
                        resigned,
                        Err(crate::webhooks::WebhookError::InvalidSignature)
                    ),
                    "a correctly signed delivery was refused as forged"
                );
            }
        }
        #[cfg(not(feature = "dev"))]
        let _ = verified;
    }

    /// Route patterns (before a `\0`, one per line) compiled and matched against paths (after
    /// it, one per line): never a panic.
    pub fn route_matcher(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let (patterns, paths) = text.split_once('\0').unwrap_or((text, "/"));
        let Ok(matcher) = RouteMatcher::new(patterns.split('\n').take(16)) else {
            return;
        };
        for path in paths.split('\n').take(16) {
            let _ = matcher.matches(path);
        }
    }

    /// The request of the `request_headers` target: its input is the `Authorization`, `Cookie`
    /// and `Accept` values and the query string, separated by `\0`; values that are not valid
    /// header values, and a query that makes no valid URI, are left out.
    pub fn request_headers_request(data: &[u8]) -> actix_web::test::TestRequest {
        use actix_web::http::header::HeaderValue;

        let mut parts = data.split(|b| *b == 0);
        let mut next = || parts.next().unwrap_or_default();
        let (authorization, cookie, accept, query) = (next(), next(), next(), next());
        let query = String::from_utf8_lossy(query);
        let uri = format!("/p?{}", query.replace(['#', ' '], ""));
        let mut req = actix_web::test::TestRequest::get();
        if uri.parse::<actix_web::http::Uri>().is_ok() {
            req = req.uri(&uri);
        }
        for (name, value) in [
            ("authorization", authorization),
            ("cookie", cookie),
            ("accept", accept),
        ] {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                req = req.insert_header((name, value));
            }
        }
        req
    }
}
