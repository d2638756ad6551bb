//! An adversarial corpus of session tokens and request headers, each with the state and reason
//! Clerk's rules give it. Shared by `hostile_input.rs` (the expectations) and
//! `token_cache_equivalence.rs` (cached and uncached verification agree on every case).
#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header::HeaderValue;
use actix_web::test::TestRequest;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::{hmac, signature};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_actix::dev::{SessionToken, SigningKey};
use serde_json::{Value, json};

/// The corpus clock (2027-01-15).
pub const NOW_S: u64 = 1_800_000_000;
/// The one authorized party the apps under test accept.
pub const AZP: &str = "https://app.example";
/// `__client_uat` of the cookie cases: before every token's `iat`.
pub const CLIENT_UAT: u64 = NOW_S - 100;

pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_S)
}

/// The keys of the corpus. `main` is in the JWKS; `foreign` is another key under the same kid;
/// `other` has a kid the JWKS does not list; `rotated` replaces `main` in the key-rotation phase.
pub struct Keys {
    pub main: SigningKey,
    pub foreign: SigningKey,
    pub other: SigningKey,
    pub rotated: SigningKey,
}

impl Keys {
    pub fn generate() -> Self {
        Self {
            main: SigningKey::generate("kid_main").expect("key"),
            foreign: SigningKey::generate("kid_main").expect("key"),
            other: SigningKey::generate("kid_other").expect("key"),
            rotated: SigningKey::generate("kid_rotated").expect("key"),
        }
    }
}

/// What a case must produce: `signed-in` with no reason, or a state and Clerk's reason string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    pub status: &'static str,
    pub reason: Option<&'static str>,
}

const SIGNED_IN: Expect = Expect {
    status: "signed-in",
    reason: None,
};

const fn out(reason: &'static str) -> Expect {
    Expect {
        status: "signed-out",
        reason: Some(reason),
    }
}

/// One request of the corpus: its headers (in order; a repeated name is sent twice).
pub struct Case {
    pub name: &'static str,
    pub headers: Vec<(&'static str, HeaderValue)>,
    pub expect: Expect,
    /// A token in the request, to check it is never echoed in messages.
    pub token: Option<String>,
}

impl Case {
    pub fn request(&self, path: &str) -> TestRequest {
        self.headers.iter().fold(
            TestRequest::get()
                .uri(path)
                .insert_header(("accept", "application/json")),
            |req, (name, value)| req.append_header((*name, value.clone())),
        )
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The claims of a valid session token of the corpus.
pub fn claims(user: &str) -> Value {
    SessionToken::new(user)
        .authorized_party(AZP)
        .issued_at(now() - Duration::from_secs(10))
        .lifetime(Duration::from_secs(70))
        .organization("org_1", "acme", "admin", &["org:invoices:read"])
        .claims()
}

fn with(mut value: Value, name: &str, claim: Value) -> Value {
    value[name] = claim;
    value
}

fn without(mut value: Value, name: &str) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.remove(name);
    }
    value
}

fn header(key: &SigningKey, alg: &str) -> Value {
    json!({"alg": alg, "kid": key.kid(), "typ": "JWT", "cat": "cl_B7d4PD111AAA"})
}

/// Signs raw header and payload text (for what `serde_json::Value` cannot express, such as
/// duplicate keys), RS256, like Clerk would.
pub fn sign_raw(key: &SigningKey, header: &str, payload: &str) -> String {
    let pair = KeyPair::from_pkcs8(&key.pkcs8_der()).expect("pkcs8");
    let input = format!("{}.{}", b64(header), b64(payload));
    let mut sig = vec![0; pair.public_modulus_len()];
    pair.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", b64(sig))
}

fn replace_segment(token: &str, index: usize, segment: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = segment;
    parts.join(".")
}

fn bearer(token: &str) -> Vec<(&'static str, HeaderValue)> {
    vec![(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header value"),
    )]
}

fn cookies(cookie: &str) -> Vec<(&'static str, HeaderValue)> {
    vec![(
        "cookie",
        HeaderValue::from_str(cookie).expect("cookie value"),
    )]
}

/// The whole corpus for `keys` (at least 40 token and header cases).
pub fn cases(keys: &Keys) -> Vec<Case> {
    let main = &keys.main;
    let valid = main.sign(&claims("user_valid"));
    let mut cases = Vec::new();
    let mut add = |name: &'static str, headers, token: Option<String>, expect| {
        cases.push(Case {
            name,
            headers,
            expect,
            token,
        });
    };
    let mut header_case = |name: &'static str, token: String, expect: Expect| {
        add(name, bearer(&token), Some(token), expect);
    };

    // Accepted shapes.
    header_case("valid RS256 session token", valid.clone(), SIGNED_IN);
    header_case(
        "RS384 signature",
        main.sign_with_header(&header(main, "RS384"), &claims("user_rs384")),
        SIGNED_IN,
    );
    header_case(
        "RS512 signature",
        main.sign_with_header(&header(main, "RS512"), &claims("user_rs512")),
        SIGNED_IN,
    );
    header_case(
        "no typ header",
        main.sign_with_header(
            &json!({"alg": "RS256", "kid": "kid_main"}),
            &claims("user_notyp"),
        ),
        SIGNED_IN,
    );
    header_case(
        "cat = ignore category",
        main.sign_with_header(
            &json!({"alg": "RS256", "kid": "kid_main", "cat": "cl_I7d4PD111III"}),
            &claims("user_ignore"),
        ),
        SIGNED_IN,
    );
    // Clerk decodes base64url loosely (padding optional); the signature bytes are the same.
    let padded = format!("{valid}==");
    header_case("padded signature segment", padded, SIGNED_IN);
    header_case(
        "unexpected aud claim is ignored without a configured audience",
        main.sign(&with(
            claims("user_aud"),
            "aud",
            json!("https://other.example"),
        )),
        SIGNED_IN,
    );

    // Algorithms: only RS256/384/512, whatever the header says.
    let payload_b64 = b64(claims("user_alg").to_string());
    let unsigned = |header: Value| format!("{}.{payload_b64}.", b64(header.to_string()));
    header_case(
        "alg none, empty signature",
        unsigned(json!({"alg": "none", "kid": "kid_main", "typ": "JWT"})),
        out("token-invalid-algorithm"),
    );
    header_case(
        "alg none written None",
        unsigned(json!({"alg": "None", "kid": "kid_main"})),
        out("token-invalid-algorithm"),
    );
    let hs_input = format!(
        "{}.{payload_b64}",
        b64(json!({"alg": "HS256", "kid": "kid_main", "typ": "JWT"}).to_string())
    );
    let hs_key = hmac::Key::new(hmac::HMAC_SHA256, main.public_key_pem().as_bytes());
    let hs_tag = hmac::sign(&hs_key, hs_input.as_bytes());
    header_case(
        "HS256 keyed with the RSA public key",
        format!("{hs_input}.{}", b64(hs_tag.as_ref())),
        out("token-invalid-algorithm"),
    );
    for (name, alg) in [
        ("PS256 header on an RS256 signature", "PS256"),
        ("ES256 header", "ES256"),
        ("EdDSA header", "EdDSA"),
        ("lower-case rs256", "rs256"),
    ] {
        header_case(
            name,
            main.sign_with_header(&header(main, alg), &claims("user_alg")),
            out("token-invalid-algorithm"),
        );
    }
    header_case(
        "alg missing",
        main.sign_with_header(&json!({"kid": "kid_main"}), &claims("user_alg")),
        out("token-invalid-algorithm"),
    );
    header_case(
        "alg is a number",
        main.sign_with_header(&json!({"alg": 256, "kid": "kid_main"}), &claims("user_alg")),
        out("token-invalid-algorithm"),
    );
    header_case(
        "alg is a list",
        main.sign_with_header(
            &json!({"alg": ["RS256"], "kid": "kid_main"}),
            &claims("user_alg"),
        ),
        out("token-invalid-algorithm"),
    );
    let rs384 = main.sign_with_header(&header(main, "RS384"), &claims("user_mix"));
    header_case(
        "RS256 header over an RS384 signature",
        replace_segment(&rs384, 0, &b64(header(main, "RS256").to_string())),
        out("token-invalid-signature"),
    );

    // Keys: only the JWKS key named by kid, never one the token brings along.
    header_case(
        "foreign key under the same kid",
        keys.foreign.sign(&claims("user_foreign")),
        out("token-invalid-signature"),
    );
    header_case(
        "kid not in the JWKS",
        keys.other.sign(&claims("user_other")),
        out("jwk-kid-mismatch"),
    );
    header_case(
        "no kid",
        main.sign_with_header(
            &json!({"alg": "RS256", "typ": "JWT"}),
            &claims("user_nokid"),
        ),
        out("jwk-kid-mismatch"),
    );
    header_case(
        "kid is a number",
        main.sign_with_header(&json!({"alg": "RS256", "kid": 7}), &claims("user_kidnum")),
        out("jwk-kid-mismatch"),
    );
    let attacker = &keys.foreign;
    for (name, extra) in [
        (
            "embedded jwk of the attacker's key",
            json!({"jwk": attacker.jwk()}),
        ),
        (
            "jku pointing at the attacker",
            json!({"jku": "https://evil.example/jwks"}),
        ),
        (
            "x5u pointing at the attacker",
            json!({"x5u": "https://evil.example/cert"}),
        ),
        (
            "x5c chain in the header",
            json!({"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOC"]}),
        ),
    ] {
        let mut h = header(attacker, "RS256");
        if let (Some(h), Some(extra)) = (h.as_object_mut(), extra.as_object()) {
            h.extend(extra.clone());
        }
        header_case(
            name,
            attacker.sign_with_header(&h, &claims("user_embedded")),
            out("token-invalid-signature"),
        );
    }
    header_case(
        "crit naming a registered claim",
        main.sign_with_header(
            &with(header(main, "RS256"), "crit", json!(["exp"])),
            &claims("user_crit"),
        ),
        out("token-invalid"),
    );
    header_case(
        "crit naming an unknown extension that is present",
        main.sign_with_header(
            &with(
                with(header(main, "RS256"), "crit", json!(["urn:evil"])),
                "urn:evil",
                json!(true),
            ),
            &claims("user_crit"),
        ),
        out("token-invalid"),
    );

    // Tampering and encoding.
    header_case(
        "tampered header",
        replace_segment(
            &valid,
            0,
            &b64(with(header(main, "RS256"), "x", json!(1)).to_string()),
        ),
        out("token-invalid-signature"),
    );
    header_case(
        "tampered payload (sub changed)",
        replace_segment(&valid, 1, &b64(claims("user_admin").to_string())),
        out("token-invalid-signature"),
    );
    let sig = valid.rsplit('.').next().unwrap_or_default().to_owned();
    let flipped: String = sig
        .char_indices()
        .map(|(i, c)| {
            if i == 100 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    header_case(
        "tampered signature",
        replace_segment(&valid, 2, &flipped),
        out("token-invalid-signature"),
    );
    header_case(
        "truncated signature",
        replace_segment(&valid, 2, &sig[..sig.len() - 12]),
        out("token-invalid-signature"),
    );
    header_case(
        "empty signature",
        replace_segment(&valid, 2, ""),
        out("token-invalid-signature"),
    );
    // A payload whose base64url text needs "==": the padded text decodes to the same claims,
    // but the signature covers the text, so it no longer verifies.
    let mut filler = String::new();
    let unpadded = loop {
        let token = main.sign(&with(claims("user_pad"), "pad", json!(filler)));
        if token.split('.').nth(1).is_some_and(|p| p.len() % 4 == 2) {
            break token;
        }
        filler.push('x');
    };
    let payload = unpadded.split('.').nth(1).unwrap_or_default();
    header_case(
        "padded payload segment",
        replace_segment(&unpadded, 1, &format!("{payload}==")),
        out("token-invalid-signature"),
    );
    header_case(
        "standard-alphabet character in the signature",
        replace_segment(&valid, 2, &format!("+{}", &sig[1..])),
        out("token-invalid"),
    );
    let (head, tail) = valid.split_at(valid.find('.').unwrap_or(0) + 20);
    header_case(
        "space inside the token",
        format!("{head} {tail}"),
        out("token-invalid"),
    );
    let mut parts = valid.split('.');
    let (h, p) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    header_case("two segments", format!("{h}.{p}"), out("token-invalid"));
    header_case(
        "extra fourth segment",
        format!("{valid}.{p}"),
        out("token-invalid"),
    );
    header_case(
        "five segments (JWE shape)",
        format!("{h}.{p}.{p}.{p}.{sig}"),
        out("token-invalid"),
    );
    header_case("no dots at all", "garbage".into(), out("token-invalid"));
    header_case(
        "header is not JSON",
        replace_segment(&valid, 0, &b64("hello")),
        out("token-invalid"),
    );
    header_case(
        "header is a JSON array",
        replace_segment(&valid, 0, &b64("[1,2]")),
        out("token-invalid"),
    );
    header_case(
        "payload is JSON null",
        sign_raw(main, &header(main, "RS256").to_string(), "null"),
        out("token-invalid"),
    );
    header_case(
        "header and payload with trailing garbage after the JSON",
        sign_raw(
            main,
            &format!("{} x", header(main, "RS256")),
            &claims("user_trailing").to_string(),
        ),
        out("token-invalid"),
    );
    let body = claims("user_dup").to_string();
    header_case(
        "duplicate sub claim (signed)",
        sign_raw(
            main,
            &header(main, "RS256").to_string(),
            &format!("{{\"sub\":\"user_admin\",{}", &body[1..]),
        ),
        out("token-invalid"),
    );
    header_case(
        "duplicate alg header (RS256 and none)",
        sign_raw(
            main,
            r#"{"alg":"RS256","kid":"kid_main","alg":"none"}"#,
            &body,
        ),
        out("token-invalid"),
    );
    header_case(
        "payload nested 200 deep",
        sign_raw(
            main,
            &header(main, "RS256").to_string(),
            &format!(
                "{{\"sub\":\"user_deep\",\"x\":{}{}}}",
                "[".repeat(200),
                "]".repeat(200)
            ),
        ),
        out("token-invalid"),
    );

    // Claims of the wrong type or value (validly signed).
    let signed = |value: Value| main.sign(&value);
    header_case(
        "sub is a number",
        signed(with(claims("user_x"), "sub", json!(42))),
        out("token-verification-failed"),
    );
    header_case(
        "sub is empty",
        signed(with(claims("user_x"), "sub", json!(""))),
        out("token-verification-failed"),
    );
    header_case(
        "sub missing",
        signed(without(claims("user_x"), "sub")),
        out("token-verification-failed"),
    );
    header_case(
        "exp is a string",
        signed(with(
            claims("user_x"),
            "exp",
            json!((NOW_S + 60).to_string()),
        )),
        out("token-verification-failed"),
    );
    header_case(
        "exp missing",
        signed(without(claims("user_x"), "exp")),
        out("token-verification-failed"),
    );
    header_case(
        "nbf is a string",
        signed(with(claims("user_x"), "nbf", json!("0"))),
        out("token-verification-failed"),
    );
    header_case(
        "iat is a bool",
        signed(with(claims("user_x"), "iat", json!(true))),
        out("token-verification-failed"),
    );
    header_case(
        "expired",
        signed(with(claims("user_x"), "exp", json!(NOW_S - 60))),
        out("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    header_case(
        "nbf in the future",
        signed(with(claims("user_x"), "nbf", json!(NOW_S + 600))),
        out("session-token-nbf"),
    );
    header_case(
        "iat in the future",
        signed(with(claims("user_x"), "iat", json!(NOW_S + 600))),
        out("session-token-iat-in-the-future"),
    );
    header_case(
        "azp of another origin",
        signed(with(claims("user_x"), "azp", json!("https://evil.example"))),
        out("token-invalid-authorized-parties"),
    );
    header_case(
        "azp missing",
        signed(without(claims("user_x"), "azp")),
        out("token-invalid-authorized-parties"),
    );
    header_case(
        "azp is a list",
        signed(with(claims("user_x"), "azp", json!([AZP]))),
        out("token-invalid-authorized-parties"),
    );
    header_case(
        "organization claim of the wrong type",
        signed(with(claims("user_x"), "o", json!("org_1"))),
        out("token-invalid"),
    );
    header_case(
        "huge token over 16 KiB (validly signed)",
        signed(with(claims("user_huge"), "pad", json!("x".repeat(20_000)))),
        out("token-invalid"),
    );

    // Token kinds that are not session tokens.
    for (name, typ) in [
        ("OAuth access token (typ at+jwt)", "at+jwt"),
        (
            "OAuth access token (typ application/at+jwt)",
            "application/at+jwt",
        ),
    ] {
        header_case(
            name,
            main.sign_with_header(
                &with(header(main, "RS256"), "typ", json!(typ)),
                &claims("user_x"),
            ),
            out("token-type-mismatch"),
        );
    }
    header_case(
        "M2M JWT (sub mch_)",
        signed(with(claims("user_x"), "sub", json!("mch_123"))),
        out("token-type-mismatch"),
    );
    for (name, cat) in [
        ("JWT template category", json!("cl_B7d4PD222AAA")),
        ("M2M category", json!("cl_B7d4PD333AAA")),
        ("unknown category", json!("cl_whatever")),
        ("category is a number", json!(1)),
    ] {
        header_case(
            name,
            main.sign_with_header(&with(header(main, "RS256"), "cat", cat), &claims("user_x")),
            out("token-type-mismatch"),
        );
    }
    header_case(
        "typ JOSE",
        main.sign_with_header(
            &with(header(main, "RS256"), "typ", json!("JOSE")),
            &claims("user_x"),
        ),
        out("token-invalid"),
    );
    for (name, token) in [
        ("opaque M2M token prefix mt_", "mt_0123456789abcdef"),
        ("opaque OAuth token prefix oat_", "oat_0123456789abcdef"),
        ("API key prefix ak_", "ak_0123456789abcdef"),
    ] {
        header_case(name, token.to_owned(), out("token-invalid"));
    }

    // The Authorization header itself.
    add(
        "lower-case bearer scheme",
        vec![(
            "authorization",
            HeaderValue::from_str(&format!("bearer {valid}")).expect("value"),
        )],
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "token without a scheme",
        vec![(
            "authorization",
            HeaderValue::from_str(&valid).expect("value"),
        )],
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "trailing spaces after the token",
        vec![(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {valid}   ")).expect("value"),
        )],
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "Basic credentials are not a token",
        vec![(
            "authorization",
            HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        )],
        None,
        out("session-token-and-uat-missing"),
    );
    add(
        "Bearer with only spaces",
        vec![("authorization", HeaderValue::from_static("Bearer    "))],
        None,
        out("session-token-and-uat-missing"),
    );
    add(
        "the word Bearer alone",
        vec![("authorization", HeaderValue::from_static("Bearer"))],
        None,
        out("token-invalid"),
    );
    add(
        "non-UTF-8 Authorization header",
        vec![(
            "authorization",
            HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd").expect("value"),
        )],
        None,
        out("token-invalid"),
    );
    add(
        "Authorization header sent twice",
        [bearer(&valid), bearer("other")].concat(),
        Some(valid.clone()),
        out("token-invalid"),
    );
    add(
        "header token wins over a valid cookie",
        [
            bearer("garbage"),
            cookies(&format!("__client_uat={CLIENT_UAT}; __session={valid}")),
        ]
        .concat(),
        Some(valid.clone()),
        out("token-invalid"),
    );

    // Cookies.
    let uat = format!("__client_uat={CLIENT_UAT}");
    add(
        "session cookie",
        cookies(&format!("{uat}; __session={valid}")),
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "duplicate session cookies: the first (valid) wins",
        cookies(&format!("{uat}; __session={valid}; __session=garbage")),
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "duplicate session cookies: the first (garbage) wins",
        cookies(&format!("{uat}; __session=garbage; __session={valid}")),
        Some(valid.clone()),
        out("token-invalid"),
    );
    add(
        "quoted session cookie",
        cookies(&format!("{uat}; __session=\"{valid}\"")),
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "session cookie with a tampered signature",
        cookies(&format!(
            "{uat}; __session={}",
            replace_segment(&valid, 2, &flipped)
        )),
        Some(valid.clone()),
        out("token-invalid-signature"),
    );
    // The cookie flow reads the session cookie's `iss` before verifying it (to choose suffixed
    // cookies); multi-byte characters where a scheme could start once panicked there.
    for iss in ["ééééhttps://clerk.example", "httpsː//clerk.example", "h˛"] {
        let token = signed(with(claims("user_x"), "iss", json!(iss)));
        add(
            "session cookie whose iss has multi-byte characters near its start",
            cookies(&format!("{uat}; __session={token}")),
            Some(token.clone()),
            out("session-token-and-uat-missing"),
        );
    }
    let m2m = signed(with(claims("user_x"), "sub", json!("mch_123")));
    add(
        "M2M JWT in the session cookie",
        cookies(&format!("{uat}; __session={m2m}")),
        Some(m2m.clone()),
        out("token-type-mismatch"),
    );
    add(
        "non-UTF-8 cookie header",
        vec![(
            "cookie",
            HeaderValue::from_bytes(b"__client_uat=1; __session=\xff\xfe").expect("value"),
        )],
        None,
        out("session-token-and-uat-missing"),
    );
    add(
        "session cookie without __client_uat",
        cookies(&format!("__session={valid}")),
        Some(valid.clone()),
        out("session-token-but-no-client-uat"),
    );
    add(
        "__client_uat newer than the token",
        cookies(&format!("__client_uat={}; __session={valid}", NOW_S)),
        Some(valid.clone()),
        out("session-token-iat-before-client-uat"),
    );
    let junk: String = (0..2000).map(|i| format!("junk{i}=value{i}; ")).collect();
    add(
        "oversized cookie header (40 KiB of other cookies)",
        cookies(&format!("{junk}{uat}; __session={valid}")),
        Some(valid.clone()),
        SIGNED_IN,
    );
    add(
        "cookie names differing only in case are other cookies",
        cookies(&format!("{uat}; __Session={valid}")),
        None,
        out("client-uat-but-no-session-token"),
    );
    cases
}
