//! Conformance with Clerk's verification suites, at the request level: `verify.test.ts`
//! (behaviour spec §6.2: session and machine tokens), `verifyJwt.test.ts`/`assertions.test.ts`
//! (§6.6: header type, algorithm, clock skew, decoding) and `authStatus.test.ts`/`authObjects.test.ts`
//! (§6.7: debug headers, `getToken()`, `getAuthObjectForAcceptedToken`). The claim assertions
//! themselves are unit tests beside the code (`verify::tests`, `jwt::tests`).

mod support;

use std::time::Duration;

use clerk_actix::dev::SessionToken;
use clerk_actix::{AcceptsToken, Clerk, TokenType};
use serde_json::{Value, json};
use support::fixtures::{self, NOW_S, PK_LIVE, PK_TEST, at, jwt};
use support::harness::{
    api_request, bearer, clerk, jwks_server, machine_api, other_signing_key, own_key_clerk,
    request, run, signing_key, with_cookies,
};
use support::{MockServer, Reply};

/// Networkless Clerk with the test key, production instance, clock at `now`.
fn own(now: u64) -> Clerk {
    own_key_clerk(signing_key(), PK_LIVE, now)
        .build()
        .expect("valid configuration")
}

fn session_claims(user: &str) -> Value {
    SessionToken::new(user).issued_at(at(NOW_S)).claims()
}

// ---- verifyToken (§6.2, session tokens) ----

#[actix_web::test]
async fn fixture_tokens_and_the_jwks() {
    let server = jwks_server();
    let clerk = || clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap();
    // mockMalformedJwt has only `iat` and a signature that does not match: the signature is
    // checked first.
    let out = run(clerk(), bearer(api_request(), &jwt("mockMalformedJwt"))).await;
    out.assert("signed-out", Some("token-invalid-signature"));
    let out = run(clerk(), bearer(api_request(), &jwt("mockExpiredJwt"))).await;
    out.assert(
        "signed-out",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    assert_eq!(
        out.message(),
        Some(
            "JWT is expired. Expiry date: Mon, 24 Oct 2022 21:50:00 GMT, Current date: Mon, 24 Oct 2022 21:50:50 GMT. (reason=token-expired, token-carrier=header)"
        )
    );
    // The JWKS is fetched from the Backend API with the secret key.
    let jwks = &server.requests()[0];
    assert_eq!(jwks.method, "GET");
    assert_eq!(jwks.path, "/v1/jwks");
    assert_eq!(jwks.headers["authorization"], "Bearer deadbeef");
    assert_eq!(jwks.headers["clerk-api-version"], "2026-05-12");
}

#[actix_web::test]
async fn pem_key_verifies_fixture_tokens_without_network() {
    let server = MockServer::jwks(json!({}));
    let clerk = |pem: &str| {
        Clerk::builder()
            .publishable_key(PK_TEST)
            .jwt_key(pem)
            .api_url(&server.url)
            .clock(|| at(NOW_S))
            .build()
            .unwrap()
    };
    let pem = fixtures::text("pem_public_signing_key.pem");
    for name in ["mockJwt", "signedJwt"] {
        run(clerk(&pem), bearer(request(), &jwt(name)))
            .await
            .assert("signed-in", None);
    }
    // The wrong key: the signature does not verify.
    let other = fixtures::text("pem_public_some_other_key.pem");
    run(clerk(&other), bearer(request(), &jwt("mockJwt")))
        .await
        .assert("signed-out", Some("token-invalid-signature"));
    // Row 55 with a PEM key: an OAuth access token is not a session token.
    run(
        clerk(&pem),
        bearer(request(), &jwt("mockSignedOAuthAccessTokenJwt")),
    )
    .await
    .assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(
        server.hits(),
        0,
        "PEM verification never touches the network"
    );
}

#[actix_web::test]
async fn signature_is_checked_before_claims() {
    // Expired and wrongly signed: the signature error is reported.
    let token = other_signing_key().sign(
        &SessionToken::new("user_1")
            .issued_at(at(NOW_S))
            .claim("exp", json!(NOW_S - 100))
            .claims(),
    );
    let out = run(own(NOW_S), bearer(api_request(), &token)).await;
    out.assert("signed-out", Some("token-invalid-signature"));
    assert_eq!(
        out.message(),
        Some("JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)")
    );
}

#[actix_web::test]
async fn m2m_category_is_rejected_before_any_key_lookup() {
    // AISEC-91: a token tagged as M2M is never a session token, and costs no JWKS fetch.
    let server = MockServer::jwks(signing_key().jwks());
    let token = signing_key().sign_with_header(
        &json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT", "cat": "cl_B7d4PD333AAA"}),
        &session_claims("user_1"),
    );
    for accepts in [
        AcceptsToken::Only(TokenType::SessionToken),
        AcceptsToken::Any,
    ] {
        let clerk = clerk(&server, PK_LIVE, "sk_live_x", NOW_S)
            .accepts_token(accepts.clone())
            .build()
            .unwrap();
        let out = run(clerk, bearer(api_request(), &token)).await;
        out.assert("signed-out", Some("token-type-mismatch"));
        assert_eq!(out.message(), None, "{accepts:?}");
    }
    assert_eq!(server.hits(), 0);
}

#[actix_web::test]
async fn issuer_is_not_checked() {
    // Like Clerk: `iss` only picks the cookie set (spec §1.4); authorized parties protect.
    let token = signing_key().sign(
        &SessionToken::new("user_1")
            .issuer("https://clerk.someone-else.example")
            .issued_at(at(NOW_S))
            .claims(),
    );
    run(own(NOW_S), bearer(api_request(), &token))
        .await
        .assert("signed-in", None);
}

#[actix_web::test]
async fn authorized_parties_and_audience() {
    let server = jwks_server();
    // An empty entry among the authorized parties is ignored.
    let clerk_with = |parties: &[&str]| {
        clerk(&server, PK_TEST, "deadbeef", NOW_S)
            .authorized_parties(parties.iter().copied())
            .build()
            .unwrap()
    };
    run(
        clerk_with(&["", "https://accounts.inspired.puma-74.lcl.dev"]),
        bearer(api_request(), &jwt("mockJwt")),
    )
    .await
    .assert("signed-in", None);
    let out = run(clerk_with(&[""]), bearer(api_request(), &jwt("mockJwt"))).await;
    out.assert("signed-in", None);
    // Audience: an array `aud` needs one configured value; a string must be one of them.
    let audience = |aud: Value| {
        signing_key().sign(
            &SessionToken::new("user_1")
                .issued_at(at(NOW_S))
                .claim("aud", aud)
                .claims(),
        )
    };
    let clerk = || {
        own_key_clerk(signing_key(), PK_LIVE, NOW_S)
            .audience(["api", "web"])
            .build()
            .unwrap()
    };
    run(
        clerk(),
        bearer(api_request(), &audience(json!(["x", "web"]))),
    )
    .await
    .assert("signed-in", None);
    let out = run(clerk(), bearer(api_request(), &audience(json!("ap")))).await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert_eq!(
        out.message(),
        Some(
            "Invalid JWT audience claim (aud) \"ap\". Is not included in \"[\"api\",\"web\"]\". Make sure that this is a valid Clerk-generated JWT. (reason=token-verification-failed, token-carrier=header)"
        )
    );
}

// ---- verifyJwt (§6.6) ----

#[actix_web::test]
async fn clock_skew_default_and_configured() {
    // exp = NOW_S + 60.
    let token = SessionToken::new("user_1")
        .issued_at(at(NOW_S))
        .lifetime(Duration::from_secs(60))
        .sign(signing_key());
    let exp = NOW_S + 60;
    let clerk = |skew: Option<u64>, now: u64| {
        let mut builder = own_key_clerk(signing_key(), PK_LIVE, now);
        if let Some(skew) = skew {
            builder = builder.clock_skew(Duration::from_secs(skew));
        }
        builder.build().unwrap()
    };
    let expired = "session-token-expired-refresh-non-eligible-no-refresh-cookie";
    // (skew, now, signed in?)
    let cases = [
        (None, exp - 1, true),
        (None, exp + 1, true),
        (None, exp + 4, true),
        (None, exp + 5, false),
        (None, exp + 60, false),
        (Some(0), exp - 1, true),
        (Some(0), exp, false),
        (Some(0), exp + 1, false),
        (Some(6), exp + 5, true),
    ];
    for (skew, now, signed_in) in cases {
        let out = run(clerk(skew, now), bearer(api_request(), &token)).await;
        if signed_in {
            out.assert("signed-in", None);
        } else {
            assert_eq!(
                (out.status(), out.reason()),
                ("signed-out", Some(expired)),
                "skew {skew:?} at exp{:+}",
                now as i64 - exp as i64
            );
        }
    }
}

#[actix_web::test]
async fn not_before_and_issued_at_in_the_future() {
    // Browsers get a handshake for these (they may be a clock problem), API clients signed out.
    let cases = [
        (
            "nbf",
            "session-token-nbf",
            "JWT cannot be used prior to not before date claim (nbf).",
        ),
        (
            "iat",
            "session-token-iat-in-the-future",
            "JWT issued at date claim (iat) is in the future.",
        ),
    ];
    for (claim, reason, message) in cases {
        let mut claims = session_claims("user_1");
        claims["exp"] = json!(NOW_S + 600);
        claims[claim] = json!(NOW_S + 6);
        let token = signing_key().sign(&claims);
        let out = run(own(NOW_S), bearer(api_request(), &token)).await;
        out.assert("signed-out", Some(reason));
        assert!(out.message().unwrap().starts_with(message), "{}", out.state);
        let out = run(own(NOW_S), bearer(request(), &token)).await;
        out.assert("handshake", Some(reason));
        // Within the skew: fine.
        claims[claim] = json!(NOW_S + 4);
        let token = signing_key().sign(&claims);
        run(own(NOW_S), bearer(api_request(), &token))
            .await
            .assert("signed-in", None);
    }
}

#[actix_web::test]
async fn header_type_variants() {
    let claims = session_claims("user_1");
    let with_typ = |typ: Option<&str>| {
        let mut header = json!({"alg": "RS256", "kid": "ins_own"});
        if let Some(typ) = typ {
            header["typ"] = json!(typ);
        }
        signing_key().sign_with_header(&header, &claims)
    };
    run(own(NOW_S), bearer(api_request(), &with_typ(Some("JWT"))))
        .await
        .assert("signed-in", None);
    run(own(NOW_S), bearer(api_request(), &with_typ(None)))
        .await
        .assert("signed-in", None);
    let out = run(
        own(NOW_S),
        bearer(api_request(), &with_typ(Some("custom-type"))),
    )
    .await;
    out.assert("signed-out", Some("token-invalid"));
    assert_eq!(
        out.message(),
        Some(
            "Invalid JWT type \"custom-type\". Expected \"JWT\". Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=header)"
        )
    );
    // An RFC 9068 type makes it an OAuth access token, which is not a session token.
    run(own(NOW_S), bearer(api_request(), &with_typ(Some("at+jwt"))))
        .await
        .assert("signed-out", Some("token-type-mismatch"));
}

#[actix_web::test]
async fn algorithm_variants() {
    let claims = session_claims("user_1");
    let with_alg = |alg: Option<&str>| {
        let mut header = json!({"kid": "ins_own", "typ": "JWT"});
        if let Some(alg) = alg {
            header["alg"] = json!(alg);
        }
        signing_key().sign_with_header(&header, &claims)
    };
    for alg in ["RS256", "RS384", "RS512"] {
        run(own(NOW_S), bearer(api_request(), &with_alg(Some(alg))))
            .await
            .assert("signed-in", None);
    }
    for (alg, shown) in [
        (Some("HS256"), "\"HS256\""),
        (Some("none"), "\"none\""),
        (Some("ES256"), "\"ES256\""),
        (None, "undefined"),
    ] {
        let out = run(own(NOW_S), bearer(api_request(), &with_alg(alg))).await;
        out.assert("signed-out", Some("token-invalid-algorithm"));
        assert_eq!(
            out.message(),
            Some(format!(
                "Invalid JWT algorithm {shown}. Supported: RS256,RS384,RS512. Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid-algorithm, token-carrier=header)"
            ).as_str())
        );
    }
}

#[actix_web::test]
async fn tokens_that_do_not_decode() {
    let server = jwks_server();
    let three_parts = "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=header)";
    let undecodable = "Invalid JWT. The header, payload or signature could not be decoded. (reason=token-invalid, token-carrier=header)";
    let cases = [
        ("null", three_parts),
        ("undefined", three_parts),
        ("42", three_parts),
        ("whatever", three_parts),
        ("invalid-jwt", three_parts),
        ("a.b.c.d", three_parts),
        // `{}` . `not json` . `sig`
        ("e30.bm90IGpzb24.c2ln", undecodable),
        // Not base64url.
        ("!!.e30.c2ln", undecodable),
        // `[1]`: JSON, but not an object.
        ("WzFd.e30.c2ln", undecodable),
    ];
    for (token, message) in cases {
        let clerk = clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap();
        let out = run(clerk, bearer(api_request(), token)).await;
        out.assert("signed-out", Some("token-invalid"));
        assert_eq!(out.message(), Some(message), "{token}");
    }
    assert_eq!(server.hits(), 0, "nothing to look a key up for");
}

// ---- verifyMachineAuthToken (§6.2, machine tokens) ----

fn machine_clerk(server: &MockServer, accepts: AcceptsToken) -> Clerk {
    machine_clerk_at(server, accepts, NOW_S)
}

fn machine_clerk_at(server: &MockServer, accepts: AcceptsToken, now: u64) -> Clerk {
    clerk(server, PK_TEST, "sk_test_machine", now)
        .accepts_token(accepts)
        .build()
        .expect("valid configuration")
}

#[actix_web::test]
async fn opaque_machine_token_errors() {
    let server = machine_api();
    for (token, token_type, reason, message) in [
        (
            "ak_boom",
            "api_key",
            "unexpected-error",
            "Unexpected error (code=unexpected-error, status=500)",
        ),
        (
            "mt_boom",
            "m2m_token",
            "unexpected-error",
            "Unexpected error (code=unexpected-error, status=500)",
        ),
        (
            "oat_unauthorized",
            "oauth_token",
            "secret-key-invalid",
            "The secret key is not valid (code=secret-key-invalid, status=401)",
        ),
    ] {
        let out = run(
            machine_clerk(&server, AcceptsToken::Any),
            bearer(api_request(), token),
        )
        .await;
        out.assert("signed-out", Some(reason));
        assert_eq!(out.message(), Some(message), "{token}");
        assert_eq!(out.state["tokenType"], token_type);
        // Signed-out machine states carry the debug headers.
        assert_eq!(out.header("x-clerk-auth-status"), "signed-out");
        assert_eq!(out.header("x-clerk-auth-reason"), reason);
        assert_eq!(out.header("x-clerk-auth-message"), message);
    }
}

#[actix_web::test]
async fn oauth_jwts_are_verified_locally() {
    let server = jwks_server();
    let clerk = |now| machine_clerk_at(&server, AcceptsToken::Any, now);
    for name in [
        "mockSignedOAuthAccessTokenJwt",
        "mockSignedOAuthAccessTokenJwtApplicationTyp",
    ] {
        let out = run(clerk(NOW_S), bearer(api_request(), &jwt(name))).await;
        out.assert("signed-in", None);
        assert_eq!(out.state["tokenType"], "oauth_token");
        let machine = &out.state["machine"];
        assert_eq!(machine["id"], "oat_2xKa9Bgv7NxMRDFyQw8LpZ3cTmU1vHjE");
        assert_eq!(machine["clientId"], "client_2VTWUzvGC5UhdJCNx6xG1D98edc");
        assert_eq!(machine["subject"], "user_2vYVtestTESTtestTESTtestTESTtest");
        assert_eq!(machine["userId"], "user_2vYVtestTESTtestTESTtestTESTtest");
        assert_eq!(machine["scopes"], json!(["read:foo", "write:bar"]));
    }
    // Expired: a machine verification failure.
    let out = run(
        clerk(NOW_S + 3600),
        bearer(api_request(), &jwt("mockSignedOAuthAccessTokenJwt")),
    )
    .await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert!(out.message().unwrap().contains("expired"));
    assert_eq!(out.state["tokenType"], "oauth_token");
}

#[actix_web::test]
async fn oauth_jwt_edge_cases() {
    let key = signing_key();
    let server = MockServer::jwks(key.jwks());
    let payload = fixtures::json("claims.json")["mockOAuthAccessTokenJwtPayload"].clone();
    let oauth = |alg: &str, typ: &str, sub: Option<Value>| {
        let mut payload = payload.clone();
        match sub {
            Some(sub) => payload["sub"] = sub,
            None => {
                payload.as_object_mut().unwrap().remove("sub");
            }
        }
        key.sign_with_header(&json!({"alg": alg, "kid": "ins_own", "typ": typ}), &payload)
    };
    let any = || machine_clerk(&server, AcceptsToken::Any);
    // Not an RFC 9068 type: not an OAuth token at all, so a route for OAuth tokens refuses it.
    let out = run(
        machine_clerk(&server, AcceptsToken::Only(TokenType::OAuthToken)),
        bearer(
            api_request(),
            &oauth("RS256", "JWT", Some(payload["sub"].clone())),
        ),
    )
    .await;
    out.assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(out.state["tokenType"], "oauth_token");
    // alg none.
    let out = run(
        any(),
        bearer(
            api_request(),
            &oauth("none", "at+jwt", Some(payload["sub"].clone())),
        ),
    )
    .await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert!(out.message().unwrap().contains("Invalid JWT algorithm"));
    // A missing, null, numeric or object `sub` is still an OAuth token (never a panic), and
    // fails verification.
    for sub in [
        None,
        Some(json!(null)),
        Some(json!(7)),
        Some(json!({"id": 1})),
    ] {
        let out = run(
            any(),
            bearer(api_request(), &oauth("RS256", "at+jwt", sub.clone())),
        )
        .await;
        out.assert("signed-out", Some("token-verification-failed"));
        assert_eq!(out.state["tokenType"], "oauth_token", "{sub:?}");
        assert!(out.message().unwrap().contains("Subject claim (sub)"));
    }
}

#[actix_web::test]
async fn m2m_jwts_are_verified_locally() {
    let key = signing_key();
    let server = MockServer::jwks(key.jwks());
    let payload = fixtures::json("claims.json")["mockM2MJwtPayload"].clone();
    let m2m = |header: Value, payload: &Value| key.sign_with_header(&header, payload);
    let clerk = |now| machine_clerk_at(&server, AcceptsToken::Any, now);
    for header in [
        json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT", "cat": "cl_B7d4PD333AAA"}),
        // No `cat` yet (rollout window).
        json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT"}),
    ] {
        let out = run(clerk(NOW_S), bearer(api_request(), &m2m(header, &payload))).await;
        out.assert("signed-in", None);
        assert_eq!(out.state["tokenType"], "m2m_token");
        let machine = &out.state["machine"];
        assert_eq!(machine["id"], "mt_2xKa9Bgv7NxMRDFyQw8LpZ3cTmU1vHjE");
        assert_eq!(machine["subject"], "mch_2vYVtestTESTtestTESTtestTESTtest");
        assert_eq!(machine["machineId"], "mch_2vYVtestTESTtestTESTtestTESTtest");
        assert_eq!(machine["scopes"], json!(["mch_1xxxxx", "mch_2xxxxx"]));
        assert_eq!(
            machine["claims"],
            json!({"aud": ["mch_1xxxxx", "mch_2xxxxx"], "scopes": "mch_1xxxxx mch_2xxxxx"}),
            "the payload minus the registered claims"
        );
        assert_eq!(machine["userId"], Value::Null);
    }
    // alg none and expired: verification failures.
    let out = run(
        clerk(NOW_S),
        bearer(
            api_request(),
            &m2m(
                json!({"alg": "none", "kid": "ins_own", "cat": "cl_B7d4PD333AAA"}),
                &payload,
            ),
        ),
    )
    .await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert!(out.message().unwrap().contains("Invalid JWT algorithm"));
    let out = run(
        clerk(NOW_S + 3600),
        bearer(
            api_request(),
            &m2m(
                json!({"alg": "RS256", "kid": "ins_own", "cat": "cl_B7d4PD333AAA"}),
                &payload,
            ),
        ),
    )
    .await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert!(out.message().unwrap().contains("expired"));
    let fetched = server.hits();
    // Another category: rejected before any key lookup (a fresh Clerk would have to fetch).
    for cat in [
        "cl_B7d4PD111AAA",
        "cl_B7d4PD222AAA",
        "cl_some_future_unknown_cat",
    ] {
        let token = m2m(
            json!({"alg": "RS256", "kid": "ins_unknown", "cat": cat}),
            &payload,
        );
        let out = run(clerk(NOW_S), bearer(api_request(), &token)).await;
        out.assert("signed-out", Some("token-invalid"));
        assert_eq!(
            out.message(),
            Some("Invalid M2M JWT category. (code=token-invalid, status=n/a)"),
            "{cat}"
        );
        assert_eq!(out.state["tokenType"], "m2m_token");
    }
    assert_eq!(
        server.hits(),
        fetched,
        "no key lookups for rejected categories"
    );
}

// ---- authStatus / authObjects (§6.7) ----

#[actix_web::test]
async fn debug_headers_only_when_not_signed_in() {
    let server = machine_api();
    let clerk = machine_clerk(&server, AcceptsToken::Any);
    let api_key = fixtures::json("machine_tokens.json")["mockTokens"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = run(clerk, bearer(api_request(), &api_key)).await;
    out.assert("signed-in", None);
    for name in [
        "x-clerk-auth-status",
        "x-clerk-auth-reason",
        "x-clerk-auth-message",
    ] {
        assert!(
            out.headers.get(name).is_none(),
            "signed-in machine: no {name}"
        );
    }
}

#[actix_web::test]
async fn debug_header_values_that_are_not_valid_headers_are_skipped() {
    // A message carrying a character no header may hold: the state keeps it, the header is
    // left out, the request carries on.
    let token = signing_key().sign_with_header(
        &json!({"alg": "RS256", "kid": "ins_own", "typ": "t\u{2603}"}),
        &session_claims("user_1"),
    );
    let out = run(own(NOW_S), bearer(api_request(), &token)).await;
    out.assert("signed-out", Some("token-invalid"));
    assert!(out.message().unwrap().contains('\u{2603}'));
    assert!(
        out.headers.get("x-clerk-auth-message").is_none(),
        "{:?}",
        out.headers
    );
    assert_eq!(out.header("x-clerk-auth-reason"), "token-invalid");
    assert_eq!(out.header("x-clerk-auth-status"), "signed-out");
    // A reason built from a Backend API error code (refresh); upstream's vector.
    let jwks = fixtures::json("jwks_mock.json");
    let server = MockServer::start(move |req| {
        if req.path == "/v1/jwks" {
            Reply::json(200, &jwks)
        } else {
            Reply::json(
                422,
                &json!({"errors": [{"code": "auth-reason+RR\u{FFFD}56", "message": "x", "long_message": "x"}]}),
            )
        }
    });
    let req = with_cookies(
        api_request(),
        &[
            ("__client_uat", "12345"),
            ("__session", &jwt("mockExpiredJwt")),
            ("__refresh_MqCvchyS", "refresh"),
        ],
    );
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert(
        "signed-out",
        Some("session-token-expired-refresh-auth-reason+RR\u{FFFD}56"),
    );
    assert!(out.headers.get("x-clerk-auth-reason").is_none());
    assert_eq!(out.header("x-clerk-auth-status"), "signed-out");
    assert!(
        out.header("x-clerk-auth-message")
            .starts_with("JWT is expired.")
    );
}

#[actix_web::test]
async fn get_token_returns_the_raw_token() {
    // Session: the session token; machine: the machine token; signed out: nothing.
    let session = SessionToken::new("user_1")
        .issued_at(at(NOW_S))
        .sign(signing_key());
    let out = run(own(NOW_S), bearer(api_request(), &session)).await;
    assert_eq!(out.state["token"], session.as_str());
    let server = machine_api();
    let api_key = fixtures::json("machine_tokens.json")["mockTokens"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = run(
        machine_clerk(&server, AcceptsToken::Only(TokenType::ApiKey)),
        bearer(api_request(), &api_key),
    )
    .await;
    assert_eq!(
        out.state["token"],
        "ak_LCWGdaM8mv8K4PC/57IICZQXAeWfCgF30DZaFXHoGn9="
    );
    let out = run(
        machine_clerk(&server, AcceptsToken::Only(TokenType::ApiKey)),
        bearer(api_request(), "ak_invalid"),
    )
    .await;
    out.assert("signed-out", Some("token-invalid"));
    assert_eq!(out.state["token"], Value::Null);
}

#[actix_web::test]
async fn the_session_view_of_a_machine_request_is_signed_out() {
    // getAuthObjectForAcceptedToken: `auth()` (session) of a request authenticated by a machine
    // token is signed out; the machine view carries the token's data.
    let server = machine_api();
    let api_key = fixtures::json("machine_tokens.json")["mockTokens"]["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = run(
        machine_clerk(&server, AcceptsToken::Any),
        bearer(api_request(), &api_key),
    )
    .await;
    out.assert("signed-in", None);
    assert_eq!(out.state["isSignedIn"], false, "no session");
    assert_eq!(out.state["userId"], Value::Null);
    assert_eq!(out.state["isAuthenticated"], true);
    let machine = &out.state["machine"];
    assert_eq!(machine["id"], "ak_ey966f1b1xf93586b2debdcadb0b3bd1");
    assert_eq!(machine["name"], "my-api-key");
    assert_eq!(machine["userId"], "user_2vYVtestTESTtestTESTtestTESTtest");
    assert_eq!(machine["orgId"], Value::Null);
    assert_eq!(machine["claims"], json!({"foo": "bar"}));
    assert_eq!(machine["scopes"], json!(["read:foo", "write:bar"]));
    // A session token where only API keys are accepted: the API-key view, unauthenticated.
    let jwks = jwks_server();
    let clerk = clerk(&jwks, PK_TEST, "sk_test_machine", NOW_S)
        .accepts_token(AcceptsToken::Only(TokenType::ApiKey))
        .build()
        .unwrap();
    let out = run(clerk, bearer(api_request(), &jwt("mockJwt"))).await;
    out.assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(out.state["tokenType"], "api_key");
    assert_eq!(out.state["isAuthenticated"], false);
    assert_eq!(out.state["machine"], Value::Null);
}
