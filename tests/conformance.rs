//! Conformance with Clerk's request-level test matrix: `request.test.ts`, rows 1-84 of the
//! behaviour spec's §6 (see README "Conformance: what is ported"). Every test is named after the
//! rows it ports and runs at the fixtures' fixed clock against local servers only.
//!
//! The other suites of §6 have their own files: `conformance_handshake.rs` (§6.3, §6.4),
//! `conformance_context.rs` (§6.5), `conformance_verify.rs` (§6.2, §6.6, §6.7) and
//! `conformance_azp.rs` (§6.1).

#![allow(clippy::unwrap_used, clippy::type_complexity)] // test tables and helpers: a panic is a test failure

mod support;

use actix_web::test;
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Clerk, ClerkBuilder};
use serde_json::{Value, json};
use support::MockServer;
use support::fixtures::{self, NOW_S, PK_LIVE, PK_TEST, at, jwt};
use support::harness::{
    Outcome, api_request, clerk, jwks_server, machine_api, request, run, signing_key, with_cookies,
};
use support::logs;
use tracing::Level;

/// Clerk verifying with `key` only (networkless) at `now` seconds.
fn own_key_clerk(key: &SigningKey, pk: &str, now: u64) -> Clerk {
    support::harness::own_key_clerk(key, pk, now)
        .build()
        .expect("valid configuration")
}

// Row 1 (`getOrganizationSyncTarget`, 14 cases) is a unit test of the matcher:
// `organization_sync::tests::upstream_get_organization_sync_target_cases`. Its effect on requests
// (step Q) is `organization_in_the_url_is_activated_through_a_handshake` below.

// ---- Header token rows (2-9, 44) ----
#[actix_web::test]
async fn row_02_bare_token_without_scheme_does_not_throw() {
    let server = MockServer::jwks(json!({}));
    let req = request().insert_header(("authorization", jwt("mockInvalidSignatureJwt")));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    assert_eq!(out.status(), "signed-out");
}
#[actix_web::test]
async fn row_03_basic_scheme_is_ignored_and_the_cookie_flow_runs() {
    let server = jwks_server();
    let req = request().insert_header(("authorization", "Basic dXNlcjpwYXNzd29yZA=="));
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert_eq!(server.hits(), 0, "no key lookup for an ignored header");
}
#[actix_web::test]
async fn row_04_jwks_without_keys() {
    let server = MockServer::jwks(json!({}));
    let req = request().insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("jwk-remote-failed-to-load"));
    assert_eq!(
        out.message(),
        Some(
            "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com. Contact support@clerk.com (reason=jwk-remote-failed-to-load, token-carrier=header)"
        )
    );
    // Row 44: the token type defaults to session_token.
    assert_eq!(out.state["tokenType"], "session_token");
}
#[actix_web::test]
async fn row_05_valid_header_token() {
    let server = jwks_server();
    let req = request().insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-in", None);
    let payload = &fixtures::json("claims.json")["mockJwtPayload"];
    assert_eq!(out.state["userId"], payload["sub"]);
    assert_eq!(out.state["sessionId"], payload["sid"]);
    assert_eq!(out.state["orgId"], Value::Null);
    assert_eq!(out.state["orgRole"], Value::Null);
    assert_eq!(out.state["orgSlug"], Value::Null);
    assert_eq!(
        out.state["token"],
        jwt("mockJwt"),
        "getToken() is the raw token"
    );
    assert!(
        out.headers.get("x-clerk-auth-status").is_none(),
        "signed-in adds no debug headers"
    );
    let request = &server.requests()[0];
    assert_eq!(request.path, "/v1/jwks");
    assert_eq!(request.headers["authorization"], "Bearer deadbeef");
    assert_eq!(request.headers["clerk-api-version"], "2026-05-12");
}
#[actix_web::test]
async fn row_06_invalid_authorized_parties() {
    let server = jwks_server();
    let req = request().insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    let clerk = clerk(&server, PK_TEST, "deadbeef", NOW_S)
        .authorized_parties(["whatever"])
        .build()
        .unwrap();
    let out = run(clerk, req).await;
    out.assert("signed-out", Some("token-invalid-authorized-parties"));
    assert_eq!(
        out.message(),
        Some(
            "Invalid JWT Authorized party claim (azp) \"https://accounts.inspired.puma-74.lcl.dev\". Expected \"whatever\". (reason=token-invalid-authorized-parties, token-carrier=header)"
        )
    );
}
#[actix_web::test]
async fn row_07_expired_header_token_is_a_handshake_for_documents() {
    let server = jwks_server();
    let req = request().insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S + 3600)
            .build()
            .unwrap(),
        req,
    )
    .await;
    out.assert(
        "handshake",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    assert_eq!(out.header("x-clerk-auth-status"), "handshake");
}
#[actix_web::test]
async fn expired_header_token_from_an_api_client_is_signed_out() {
    let server = jwks_server();
    let req = test::TestRequest::get()
        .uri("/path")
        .insert_header(("host", "example.com"))
        .insert_header(("accept", "application/json"))
        .insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S + 3600)
            .build()
            .unwrap(),
        req,
    )
    .await;
    out.assert(
        "signed-out",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    assert!(out.message().unwrap().starts_with("JWT is expired."));
}
#[actix_web::test]
async fn row_08_invalid_signature() {
    let server = jwks_server();
    let req = request().insert_header((
        "authorization",
        format!("Bearer {}", jwt("mockInvalidSignatureJwt")),
    ));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("token-invalid-signature"));
    assert_eq!(
        out.message(),
        Some("JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)")
    );
    assert_eq!(out.header("x-clerk-auth-reason"), "token-invalid-signature");
    assert_eq!(out.header("x-clerk-auth-status"), "signed-out");
    assert_eq!(
        out.header("x-clerk-auth-message"),
        "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)"
    );
}
#[actix_web::test]
async fn row_09_malformed_token() {
    let server = jwks_server();
    let req = request().insert_header(("authorization", "Bearer test_header_token"));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("token-invalid"));
    assert_eq!(
        out.message(),
        Some(
            "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=header)"
        )
    );
    assert_eq!(server.hits(), 0);
}
// ---- Cookie rows (26-39) ----

#[actix_web::test]
async fn row_26_no_cookies_in_production() {
    let server = jwks_server();
    let out = run(
        clerk(&server, PK_LIVE, "live_deadbeef", NOW_S)
            .build()
            .unwrap(),
        request(),
    )
    .await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert_eq!(
        out.header("x-clerk-auth-reason"),
        "session-token-and-uat-missing"
    );
}

#[actix_web::test]
async fn row_27_no_dev_browser_in_development() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__session", &jwt("mockJwt"))]);
    run(
        clerk(&server, PK_TEST, "test_deadbeef", NOW_S)
            .build()
            .unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("dev-browser-missing"));
}

#[actix_web::test]
async fn row_28_no_client_uat_in_development() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__session", &jwt("mockJwt")),
        ],
    );
    run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("session-token-but-no-client-uat"));
}

#[actix_web::test]
async fn row_29_no_cookies_in_development() {
    let server = jwks_server();
    run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        request(),
    )
    .await
    .assert("handshake", Some("dev-browser-missing"));
}

#[actix_web::test]
async fn row_31_client_uat_without_session_token() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__client_uat", "12345")]);
    run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("client-uat-but-no-session-token"));
}

#[actix_web::test]
async fn row_32_client_uat_zero_without_session_token() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__client_uat", "0")]);
    run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("signed-out", Some("session-token-and-uat-missing"));
}

#[actix_web::test]
async fn row_33_client_uat_after_token_iat() {
    let server = jwks_server();
    let uat = (NOW_S + 10).to_string();
    let req = with_cookies(
        request(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", &uat),
            ("__session", &jwt("mockJwt")),
        ],
    );
    run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("session-token-iat-before-client-uat"));
}

#[actix_web::test]
async fn row_34_valid_signature_but_no_sub() {
    let key = signing_key();
    let token = key.sign(&json!({"iat": NOW_S, "exp": NOW_S + 60, "nbf": NOW_S - 10, "iss": "https://clerk.inspired.puma-74.lcl.dev"}));
    let uat = (NOW_S - 10).to_string();
    let req = with_cookies(
        request(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", &uat),
            ("__session", &token),
        ],
    );
    let out = run(own_key_clerk(key, PK_TEST, NOW_S), req).await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert_eq!(
        out.message(),
        Some(
            "Subject claim (sub) is required and must be a string. Received undefined. Make sure that this is a valid Clerk-generated JWT. (reason=token-verification-failed, token-carrier=cookie)"
        )
    );
}

#[actix_web::test]
async fn row_35_valid_cookie_token() {
    let server = jwks_server();
    let uat = (NOW_S - 10).to_string();
    let req = with_cookies(
        request(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", &uat),
            ("__session", &jwt("mockJwt")),
        ],
    );
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr");
}

#[actix_web::test]
async fn row_36_m2m_jwt_in_the_session_cookie() {
    let key = signing_key();
    let token = key.sign(&json!({"sub": "mch_123", "iat": NOW_S, "exp": NOW_S + 60, "iss": "https://clerk.inspired.puma-74.lcl.dev"}));
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &token)],
    );
    let out = run(own_key_clerk(key, PK_LIVE, NOW_S), req).await;
    out.assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(out.message(), None);
}

#[actix_web::test]
async fn row_37_jwt_template_token_in_header_and_cookie() {
    let key = signing_key();
    let header = json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT", "cat": "cl_B7d4PD222AAA"});
    let token = key.sign_with_header(&header, &json!({"sub": "user_1", "iat": NOW_S, "exp": NOW_S + 60, "iss": "https://clerk.inspired.puma-74.lcl.dev"}));
    let req = request().insert_header(("authorization", format!("Bearer {token}")));
    run(own_key_clerk(key, PK_LIVE, NOW_S), req)
        .await
        .assert("signed-out", Some("token-type-mismatch"));
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &token)],
    );
    run(own_key_clerk(key, PK_LIVE, NOW_S), req)
        .await
        .assert("signed-out", Some("token-type-mismatch"));
    // Deliberate difference (README): Clerk's 'any'/list path accepts it as a session; here
    // every path refuses it.
    use clerk_actix::{AcceptsToken, TokenType};
    for accepts in [
        AcceptsToken::Any,
        AcceptsToken::AnyOf(vec![TokenType::SessionToken]),
    ] {
        let clerk = support::harness::own_key_clerk(key, PK_LIVE, NOW_S)
            .secret_key("sk_live_machine")
            .accepts_token(accepts)
            .build()
            .unwrap();
        let req = request().insert_header(("authorization", format!("Bearer {token}")));
        run(clerk, req)
            .await
            .assert("signed-out", Some("token-type-mismatch"));
    }
}

#[actix_web::test]
async fn row_38_expired_cookie_token() {
    let server = jwks_server();
    let uat = (NOW_S - 10).to_string();
    let req = with_cookies(
        request(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", &uat),
            ("__session", &jwt("mockJwt")),
        ],
    );
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S + 3600)
            .build()
            .unwrap(),
        req,
    )
    .await;
    out.assert(
        "handshake",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    assert!(out.message().unwrap().starts_with("JWT is expired"));
}

#[actix_web::test]
async fn row_39_cloudfront_user_agent() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &jwt("mockJwt"))],
    )
    .insert_header(("user-agent", "Amazon CloudFront"));
    run(
        clerk(&server, PK_LIVE, "test_deadbeef", NOW_S)
            .build()
            .unwrap(),
        req,
    )
    .await
    .assert("signed-in", None);
}

// ---- Refresh (rows 40-43) ----

#[actix_web::test]
async fn rows_40_43_expired_cookie_is_refreshed_with_the_suffixed_refresh_cookie() {
    let cookie = format!(
        "__session_MqCvchyS={}; Path=/; Secure; SameSite=Lax",
        jwt("mockJwt")
    );
    let jwks = fixtures::json("jwks_mock.json");
    let server = MockServer::start(move |req| {
        if req.path == "/v1/jwks" {
            support::Reply::json(200, &jwks)
        } else if req
            .path
            .starts_with("/v1/sessions/sess_2GbDB4enNdCa5vS1zpC3Xzg9tK9/refresh")
        {
            support::Reply::json(200, &json!({"object": "cookies", "cookies": [cookie]}))
        } else {
            support::Reply::json(404, &json!({"errors": []}))
        }
    });
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "12345"),
            ("__session", &jwt("mockExpiredJwt")),
            ("__refresh", "should_not_be_used"),
            ("__refresh_MqCvchyS", "refresh_token_value"),
        ],
    )
    .insert_header(("origin", "https://example.com"));
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-in", None);
    assert!(out.header("set-cookie").starts_with("__session_MqCvchyS="));
    let refresh = server
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/refresh"))
        .expect("refresh called");
    assert_eq!(refresh.method, "POST");
    assert!(
        refresh.path.ends_with("?suffixed_cookies=false"),
        "{}",
        refresh.path
    );
    let body: Value = serde_json::from_slice(&refresh.body).unwrap();
    assert_eq!(body["format"], "cookie");
    assert_eq!(body["refresh_token"], "refresh_token_value");
    assert_eq!(body["expired_token"], jwt("mockExpiredJwt"));
    assert_eq!(body["request_origin"], "http://example.com");
    assert!(
        body["request_headers"]["cookie"][0]
            .as_str()
            .unwrap()
            .contains("__client_uat=12345")
    );
}

#[actix_web::test]
async fn rows_41_42_no_refresh_when_not_eligible() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "12345"),
            ("__session", &jwt("mockExpiredJwt")),
        ],
    )
    .insert_header(("origin", "https://example.com"));
    run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert(
        "handshake",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    let req = with_cookies(
        request(),
        &[
            ("__session", &jwt("mockJwt")),
            ("__refresh_MqCvchyS", "can_be_anything"),
        ],
    );
    run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("session-token-but-no-client-uat"));
}

#[actix_web::test]
async fn failed_refresh_reports_clerks_error_code() {
    let jwks = fixtures::json("jwks_mock.json");
    let server = MockServer::start(move |req| {
        if req.path == "/v1/jwks" {
            support::Reply::json(200, &jwks)
        } else {
            support::Reply::json(
                422,
                &json!({"errors": [{"code": "refresh_token_invalid", "message": "invalid", "long_message": "invalid"}]}),
            )
        }
    });
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "12345"),
            ("__session", &jwt("mockExpiredJwt")),
            ("__refresh_MqCvchyS", "bad"),
        ],
    );
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert(
        "handshake",
        Some("session-token-expired-refresh-refresh_token_invalid"),
    );
    let req = with_cookies(
        test::TestRequest::post()
            .uri("/path")
            .insert_header(("host", "example.com")),
        &[
            ("__client_uat", "12345"),
            ("__session", &jwt("mockExpiredJwt")),
            ("__refresh_MqCvchyS", "bad"),
        ],
    );
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert(
        "signed-out",
        Some("session-token-expired-refresh-non-eligible-non-get"),
    );
}

// ---- Satellite rows (10-22) ----

/// A satellite of the development instance (rows 10, 11, 13, 14, 19, 22).
fn satellite_dev(server: &MockServer, secret: &str) -> ClerkBuilder {
    clerk(server, PK_TEST, secret, NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
}

/// A satellite of the production instance (rows 12, 15-18, 20, 21, 83).
fn satellite_live(server: &MockServer) -> ClerkBuilder {
    clerk(server, PK_LIVE, "deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
}

#[actix_web::test]
async fn row_10_satellite_auto_sync_without_client_uat_goes_to_the_primary() {
    let server = jwks_server();
    let clerk = satellite_dev(&server, "deadbeef")
        .satellite_auto_sync(true)
        .build()
        .unwrap();
    let out = run(clerk, with_cookies(request(), &[("__client_uat", "0")])).await;
    out.assert("handshake", Some("satellite-needs-syncing"));
    assert_eq!(out.message(), None, "Clerk's message is ''");
    // Development: the primary's sign-in page, not the Frontend API (spec §1.8 D), and before
    // the dev-browser check (no `__clerk_db_jwt` cookie here).
    assert_eq!(
        out.header("location"),
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath"
    );
    assert_eq!(out.header("cache-control"), "no-store");
    assert_eq!(
        out.header("set-cookie"),
        "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"
    );
}

#[actix_web::test]
async fn rows_11_22_satellite_development_redirects_to_the_primary_sign_in() {
    let server = jwks_server();
    // Row 11: autoSync on, signed-out client.
    let req = with_cookies(
        request(),
        &[("__client_uat", "0"), ("__clerk_db_jwt", "deadbeef")],
    );
    let clerk = satellite_dev(&server, "sk_test_deadbeef")
        .satellite_auto_sync(true)
        .build()
        .unwrap();
    let out = run(clerk, req).await;
    out.assert("handshake", Some("satellite-needs-syncing"));
    assert_eq!(
        out.header("location"),
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath"
    );
    // Row 22: autoSync off, but __clerk_synced=false asks for it; the URL coming back keeps it.
    let clerk = satellite_dev(&server, "sk_test_deadbeef").build().unwrap();
    let req = with_cookies(
        request().uri("/path?__clerk_synced=false"),
        &[("__client_uat", "0"), ("__clerk_db_jwt", "deadbeef")],
    );
    let out = run(clerk, req).await;
    out.assert("handshake", Some("satellite-needs-syncing"));
    assert_eq!(
        out.header("location"),
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath%3F__clerk_synced%3Dfalse"
    );
}

#[actix_web::test]
async fn row_12_satellite_non_browser_request() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__client_uat", "0")])
        .insert_header(("sec-fetch-dest", "empty"))
        .insert_header(("user-agent", "[some-agent]"));
    let out = run(satellite_live(&server).build().unwrap(), req).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(!out.redirected);
}

/// Spec §1.5: a satellite checks its sign-in URL against each request's `Origin` (Clerk throws;
/// here the request is signed out with `unexpected-error` and the problem, and it is logged).
#[actix_web::test]
async fn satellite_sign_in_url_is_checked_against_the_origin() {
    let server = jwks_server();
    let same_origin =
        "The signInUrl needs to be on a different origin than your satellite application.";
    let not_absolute = "The signInUrl needs to have a absolute url format.";
    let api = |origin: Option<&str>| {
        let req = api_request();
        match origin {
            Some(origin) => req.insert_header(("origin", origin)),
            None => req,
        }
    };
    let logged = logs::capture();
    let out = run(
        satellite_live(&server).build().unwrap(),
        api(Some("https://primary.dev")),
    )
    .await;
    out.assert("signed-out", Some("unexpected-error"));
    assert_eq!(out.message(), Some(same_origin));
    assert_eq!(logged.matching(Level::ERROR, same_origin).len(), 1);

    // Another origin, or none: the usual flow.
    for origin in [
        Some("https://satellite.dev"),
        Some("https://primary.dev:8443"),
        None,
    ] {
        let out = run(satellite_live(&server).build().unwrap(), api(origin)).await;
        out.assert("signed-out", Some("session-token-and-uat-missing"));
    }

    // A relative sign-in URL is refused once a request has an `Origin`.
    let relative = || {
        satellite_live(&server)
            .sign_in_url("/sign-in")
            .build()
            .unwrap()
    };
    let out = run(relative(), api(Some("https://satellite.dev"))).await;
    out.assert("signed-out", Some("unexpected-error"));
    assert_eq!(out.message(), Some(not_absolute));
    run(relative(), api(None))
        .await
        .assert("signed-out", Some("session-token-and-uat-missing"));

    // A valid header token does not skip the check (the middleware's synchronous path).
    let key = signing_key();
    let satellite = |origin: &str| {
        let clerk = support::harness::own_key_clerk(key, PK_LIVE, NOW_S)
            .is_satellite(true)
            .sign_in_url("https://primary.dev/sign-in")
            .domain("satellite.dev")
            .build()
            .unwrap();
        let token = SessionToken::new("user_1").issued_at(at(NOW_S)).sign(key);
        let req = api_request()
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("origin", origin.to_owned()));
        (clerk, req)
    };
    let (clerk, req) = satellite("https://satellite.dev");
    run(clerk, req).await.assert("signed-in", None);
    let (clerk, req) = satellite("https://primary.dev");
    run(clerk, req)
        .await
        .assert("signed-out", Some("unexpected-error"));
}

#[actix_web::test]
async fn row_13_dev_browser_sync() {
    let server = jwks_server();
    let req = request().uri(&format!(
        "/path?__clerk_synced=true&__clerk_db_jwt={}",
        jwt("mockJwt")
    ));
    let out = run(
        satellite_dev(&server, "sk_test_deadbeef").build().unwrap(),
        req,
    )
    .await;
    out.assert("handshake", Some("dev-browser-sync"));
    assert_eq!(out.message(), None);
    // The dev browser token from the query travels to the Frontend API, not back to the app.
    assert_eq!(out.query("__clerk_db_jwt"), Some(jwt("mockJwt")));
    assert_eq!(
        out.query("redirect_url").as_deref(),
        Some("http://example.com/path?__clerk_synced=true")
    );
}

#[actix_web::test]
async fn row_14_no_satellite_sync_right_after_syncing() {
    let server = jwks_server();
    let req = with_cookies(
        request().uri("/path?__clerk_synced=true"),
        &[("__clerk_db_jwt", "deadbeef")],
    );
    let out = run(
        satellite_dev(&server, "sk_test_deadbeef").build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(!out.redirected);
}

#[actix_web::test]
async fn rows_15_21_satellite_sync_only_when_asked_for() {
    let server = jwks_server();
    // (row, autoSync explicitly false?, query, redirect-count cookie, status, reason)
    type Case<'a> = (&'a str, bool, &'a str, Option<&'a str>, &'a str, &'a str);
    let cases: [Case; 6] = [
        (
            "15",
            true,
            "",
            None,
            "signed-out",
            "session-token-and-uat-missing",
        ),
        (
            "16",
            true,
            "?__clerk_synced=false",
            None,
            "handshake",
            "satellite-needs-syncing",
        ),
        (
            "17",
            false,
            "?__clerk_synced=true",
            None,
            "signed-out",
            "session-token-and-uat-missing",
        ),
        (
            "18",
            false,
            "",
            None,
            "signed-out",
            "session-token-and-uat-missing",
        ),
        (
            "20",
            false,
            "?__clerk_synced=false",
            None,
            "handshake",
            "satellite-needs-syncing",
        ),
        (
            "21",
            false,
            "?__clerk_synced=false",
            Some("3"),
            "signed-out",
            "satellite-needs-syncing",
        ),
    ];
    for (row, explicit_off, query, count, status, reason) in cases {
        let mut builder = satellite_live(&server);
        if explicit_off {
            builder = builder.satellite_auto_sync(false);
        }
        let mut cookies = vec![("__client_uat", "0")];
        if let Some(count) = count {
            cookies.push(("__clerk_redirect_count", count));
        }
        let logs = logs::capture();
        let req = with_cookies(request().uri(&format!("/path{query}")), &cookies);
        let out = run(builder.build().unwrap(), req).await;
        assert_eq!(
            (out.status(), out.reason()),
            (status, Some(reason)),
            "row {row}: {}",
            out.state
        );
        assert_eq!(out.redirected, status == "handshake", "row {row}");
        if out.redirected {
            // Production satellites sync through the Frontend API of their own domain.
            let location = out.location();
            assert_eq!(
                location.host_str(),
                Some("clerk.satellite.dev"),
                "row {row}"
            );
            assert_eq!(location.path(), "/v1/client/handshake", "row {row}");
            assert_eq!(
                out.query("__clerk_hs_reason").as_deref(),
                Some("satellite-needs-syncing")
            );
        }
        if row == "21" {
            // The loop guard explains itself with satellite-specific guidance.
            let warned = logs.matching(Level::WARN, "Satellite-domain authentication");
            assert_eq!(warned.len(), 1, "{:?}", logs.events());
            assert!(
                warned[0]
                    .text
                    .contains("configured primary or satellite domain")
            );
            assert!(warned[0].text.contains("preview deployments"));
            assert!(
                out.set_cookies().is_empty(),
                "no counter cookie once stopped"
            );
        }
    }
}

#[actix_web::test]
async fn row_19_development_satellite_without_cookies_is_signed_out() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[("__client_uat", "0"), ("__clerk_db_jwt", "deadbeef")],
    );
    let out = run(
        satellite_dev(&server, "sk_test_deadbeef").build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(out.headers.get("location").is_none());
}

#[actix_web::test]
async fn row_30_satellite_with_valid_token_and_client_uat_is_signed_in() {
    let server = jwks_server();
    let req = with_cookies(
        request()
            .insert_header(("sec-fetch-dest", "empty"))
            .insert_header(("referer", "https://clerk.com")),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", "12345"),
            ("__session", &jwt("mockJwt")),
        ],
    );
    let clerk = clerk(&server, PK_TEST, "pk_test_deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://localhost:3000/sign-in/")
        .domain("localhost:3001")
        .build()
        .unwrap();
    let out = run(clerk, req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr");
}

// ---- Primary domain answering a satellite (rows 23-25) ----

#[actix_web::test]
async fn row_23_primary_responds_to_syncing() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &jwt("mockJwt"))],
    )
    .uri("/path?__clerk_redirect_url=http://localhost:3000");
    run(
        clerk(&server, PK_TEST, "sk_test_deadbeef", NOW_S)
            .build()
            .unwrap(),
        req,
    )
    .await
    .assert("handshake", Some("primary-responds-to-syncing"));
}

#[actix_web::test]
async fn rows_24_25_primary_sends_the_satellite_back_synced() {
    let server = jwks_server();
    let req = test::TestRequest::get()
        .uri("/sign-in?__clerk_redirect_url=http%3A%2F%2Flocalhost%3A3001%2Fdashboard%3F__clerk_synced%3Dfalse&__clerk_db_jwt=db_query")
        .insert_header(("host", "localhost:3000"))
        .insert_header(("sec-fetch-dest", "document"));
    let req = with_cookies(req, &[("__clerk_db_jwt", "db_cookie")]);
    let out = run(
        clerk(&server, PK_TEST, "sk_test_deadbeef", NOW_S)
            .build()
            .unwrap(),
        req,
    )
    .await;
    out.assert("handshake", Some("primary-responds-to-syncing"));
    let location = out.location();
    assert_eq!(location.host_str(), Some("localhost"));
    assert_eq!(location.port(), Some(3001));
    assert_eq!(location.path(), "/dashboard");
    let synced: Vec<String> = location
        .query_pairs()
        .filter(|(n, _)| n == "__clerk_synced")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(synced, ["true"], "overwritten, no duplicate");
    assert_eq!(out.query("__clerk_db_jwt").as_deref(), Some("db_query"));
}

// ---- Cross-origin referrer (rows 64-81) ----

/// A signed-in document request for `https://primary.com/dashboard` arriving with `host`.
async fn cross_origin(
    pk: &str,
    host: &str,
    referer: Option<&str>,
    method: &str,
    dest: &str,
    fetch_site: Option<&str>,
) -> Outcome {
    let server = jwks_server();
    let mut req = match method {
        "POST" => test::TestRequest::post(),
        _ => test::TestRequest::get(),
    }
    .uri("https://primary.com/dashboard")
    .insert_header(("host", host))
    .insert_header(("sec-fetch-dest", dest));
    if let Some(referer) = referer {
        req = req.insert_header(("referer", referer));
    }
    if let Some(site) = fetch_site {
        req = req.insert_header(("sec-fetch-site", site));
    }
    let mut cookies = vec![
        ("__session", jwt("mockJwt")),
        ("__client_uat", "12345".to_owned()),
    ];
    if pk == PK_TEST {
        cookies.push(("__clerk_db_jwt", "deadbeef".to_owned()));
    }
    let cookies: Vec<(&str, &str)> = cookies.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let clerk = clerk(&server, pk, "deadbeef", NOW_S)
        .domain("primary.com")
        .build()
        .expect("valid configuration");
    run(clerk, with_cookies(req, &cookies)).await
}

#[actix_web::test]
async fn rows_64_81_cross_origin_referrers() {
    const SYNC: Option<&str> = Some("primary-domain-cross-origin-sync");
    const SAT: Option<&str> = Some("https://satellite.com/signin");
    const EX: &str = "example.com";
    // (row, pk, host, referer, method, sec-fetch-dest, sec-fetch-site, status, reason)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("64", PK_LIVE, EX, SAT, "GET", "document", None, "handshake", SYNC),
        ("65", PK_LIVE, EX, SAT, "GET", "document", Some("cross-site"), "handshake", SYNC),
        ("66", PK_LIVE, "primary.com", Some("https://primary.com/signin"), "GET", "document", None, "signed-in", None),
        ("68", PK_LIVE, EX, None, "GET", "document", None, "signed-in", None),
        ("69", PK_LIVE, EX, SAT, "POST", "document", None, "signed-in", None),
        ("70", PK_LIVE, EX, SAT, "GET", "empty", None, "signed-in", None),
        ("71", PK_LIVE, EX, Some("invalid-url-format"), "GET", "document", None, "signed-in", None),
        ("72", PK_LIVE, EX, Some("https://accounts.example.com/sign-in"), "GET", "document", None, "handshake", SYNC),
        ("73", PK_TEST, EX, Some("https://foo-bar-13.accounts.dev/sign-in"), "GET", "document", None, "signed-in", None),
        ("74", PK_TEST, EX, Some("https://accounts.foo-bar-13.lcl.dev/sign-in"), "GET", "document", None, "signed-in", None),
        ("75", PK_LIVE, EX, Some("https://foo-bar-13.accounts.dev/sign-in"), "GET", "document", None, "handshake", SYNC),
        ("76", PK_LIVE, EX, Some("https://accounts.foo-bar-13.lcl.dev/sign-in"), "GET", "document", None, "handshake", SYNC),
        ("77", PK_TEST, EX, Some("https://accounts.inspired.puma-74.lcl.dev/sign-in"), "GET", "document", None, "signed-in", None),
        ("78", PK_TEST, EX, Some("https://clerk.inspired.puma-74.lcl.dev/v1/client/sign_ins/sia_123"), "GET", "document", None, "signed-in", None),
        ("79", PK_LIVE, EX, Some("https://clerk.inspired.puma-74.lcl.dev/sign-in"), "GET", "document", None, "signed-in", None),
        ("80", PK_LIVE, EX, Some("https://satellite.com/sign-in"), "GET", "document", None, "handshake", SYNC),
        ("81", PK_LIVE, "primary.com", Some("https://primary.com/signin"), "GET", "document", Some("cross-site"), "signed-in", None),
    ];
    for (row, pk, host, referer, method, dest, site, status, reason) in cases {
        let out = cross_origin(pk, host, *referer, method, dest, *site).await;
        assert_eq!(
            (out.status(), out.reason()),
            (*status, *reason),
            "row {row}: {}",
            out.state
        );
        if *status == "handshake" {
            assert_eq!(
                out.message(),
                Some("Cross-origin request from satellite domain requires handshake"),
                "row {row}"
            );
            assert_eq!(
                out.query("redirect_url").as_deref(),
                Some(format!("https://{host}/dashboard").as_str()),
                "row {row}"
            );
            assert_eq!(out.query("__session"), Some(jwt("mockJwt")), "row {row}");
        }
    }
}

#[actix_web::test]
async fn cross_origin_check_stops_after_a_redirect() {
    // Step P runs only while no handshake redirect is in flight (counter 0).
    let server = jwks_server();
    let req = with_cookies(
        test::TestRequest::get()
            .uri("https://primary.com/dashboard")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"))
            .insert_header(("referer", "https://satellite.com/signin")),
        &[
            ("__session", &jwt("mockJwt")),
            ("__client_uat", "12345"),
            ("__clerk_redirect_count", "1"),
        ],
    );
    let clerk = clerk(&server, PK_LIVE, "deadbeef", NOW_S)
        .domain("primary.com")
        .build()
        .unwrap();
    run(clerk, req).await.assert("signed-in", None);
}

#[actix_web::test]
async fn row_67_same_origin_localhost() {
    let server = jwks_server();
    let req = with_cookies(
        test::TestRequest::get()
            .uri("/path")
            .insert_header(("host", "localhost:3000"))
            .insert_header(("sec-fetch-dest", "document")),
        &[
            ("__session", &jwt("mockJwt")),
            ("__client_uat", "12345"),
            ("__clerk_db_jwt", "deadbeef"),
        ],
    )
    .insert_header(("referer", "http://localhost:3000"));
    run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("signed-in", None);
}

// ---- POST documents (rows 82-84) ----

#[actix_web::test]
async fn rows_82_84_post_documents_get_signed_out_instead_of_handshake() {
    let server = jwks_server();
    let post = || {
        test::TestRequest::post()
            .uri("/path")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"))
    };
    let req = with_cookies(post(), &[("__client_uat", "12345")]);
    run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("signed-out", Some("client-uat-but-no-session-token"));
    // Row 83: a satellite needing a sync.
    let satellite = clerk(&server, PK_LIVE, "deadbeef", NOW_S)
        .is_satellite(true)
        .domain("satellite.dev")
        .build()
        .unwrap();
    let out = run(satellite, with_cookies(post(), &[("__client_uat", "0")])).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    let uat = (NOW_S + 10).to_string();
    let req = with_cookies(
        post(),
        &[
            ("__clerk_db_jwt", "deadbeef"),
            ("__client_uat", &uat),
            ("__session", &jwt("mockJwt")),
        ],
    );
    run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await
    .assert("signed-out", Some("session-token-iat-before-client-uat"));
}

// ---- Machine tokens (rows 45-63, §4) ----

fn machine_clerk(server: &MockServer, accepts: clerk_actix::AcceptsToken) -> Clerk {
    clerk(server, PK_TEST, "sk_test_machine", NOW_S)
        .accepts_token(accepts)
        .build()
        .expect("valid configuration")
}

#[actix_web::test]
async fn rows_45_46_machine_tokens_verified_by_the_backend_api() {
    use clerk_actix::{AcceptsToken, TokenType};
    let server = machine_api();
    let tokens = fixtures::json("machine_tokens.json")["mockTokens"].clone();
    for (kind, token_type, not_found) in [
        ("api_key", TokenType::ApiKey, "API key not found"),
        (
            "oauth_token",
            TokenType::OAuthToken,
            "OAuth token not found",
        ),
        ("m2m_token", TokenType::M2mToken, "Machine token not found"),
    ] {
        let token = tokens[kind].as_str().unwrap();
        let req = request().insert_header(("authorization", format!("Bearer {token}")));
        let out = run(machine_clerk(&server, AcceptsToken::Only(token_type)), req).await;
        out.assert("signed-in", None);
        assert_eq!(out.state["tokenType"], kind);
        let invalid = format!("{}_invalid", &token[..token.find('_').unwrap()]);
        let req = request().insert_header(("authorization", format!("Bearer {invalid}")));
        let out = run(machine_clerk(&server, AcceptsToken::Only(token_type)), req).await;
        out.assert("signed-out", Some("token-invalid"));
        assert_eq!(
            out.message(),
            Some(format!("{not_found} (code=token-invalid, status=404)").as_str())
        );
        assert_eq!(out.state["tokenType"], kind);
    }
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("/v1")),
        "machine endpoints have no version segment: {paths:?}"
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.headers["authorization"] == "Bearer sk_test_machine")
    );
}

#[actix_web::test]
async fn row_47_m2m_uses_the_machine_secret_key() {
    use clerk_actix::{AcceptsToken, TokenType};
    let server = machine_api();
    let clerk = clerk(&server, PK_TEST, "sk_test_machine", NOW_S)
        .machine_secret_key("ak_xxxxx")
        .accepts_token(AcceptsToken::Only(TokenType::M2mToken))
        .build()
        .unwrap();
    let req = request().insert_header((
        "authorization",
        "Bearer mt_8XOIucKvqHVr5tYP123456789abcdefghij",
    ));
    run(clerk, req).await.assert("signed-in", None);
    assert_eq!(
        server.requests()[0].headers["authorization"],
        "Bearer ak_xxxxx"
    );
}

#[actix_web::test]
async fn row_48_machine_tokens_need_a_key_at_start_up() {
    let err = Clerk::builder()
        .publishable_key(PK_TEST)
        .jwt_key(fixtures::text("pem_public_signing_key.pem"))
        .accepts_token(clerk_actix::AcceptsToken::Only(
            clerk_actix::TokenType::M2mToken,
        ))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(
        "Machine token authentication requires either a Machine secret key or a Clerk secret key"
    ));
}

#[actix_web::test]
async fn rows_49_63_any_arrays_and_mismatches() {
    use clerk_actix::AcceptsToken::{self, Any, AnyOf, Only};
    use clerk_actix::TokenType::{ApiKey, M2mToken, OAuthToken, SessionToken};
    let server = machine_api();
    let jwks = jwks_server();
    let session = jwt("mockJwt");
    let bearer = |t: &str| request().insert_header(("authorization", format!("Bearer {t}")));
    // (row, accepts, token, status, reason, tokenType)
    type Case<'a> = (
        &'a str,
        AcceptsToken,
        String,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            "49",
            Any,
            "ak_abc".into(),
            "signed-in",
            None,
            Some("api_key"),
        ),
        (
            "49",
            Any,
            "mt_abc".into(),
            "signed-in",
            None,
            Some("m2m_token"),
        ),
        (
            "49",
            Any,
            "oat_abc".into(),
            "signed-in",
            None,
            Some("oauth_token"),
        ),
        (
            "51",
            Only(OAuthToken),
            "ak_abc".into(),
            "signed-out",
            Some("token-type-mismatch"),
            Some("oauth_token"),
        ),
        (
            "52",
            Only(M2mToken),
            "oat_abc".into(),
            "signed-out",
            Some("token-type-mismatch"),
            Some("m2m_token"),
        ),
        (
            "53",
            Only(ApiKey),
            "mt_abc".into(),
            "signed-out",
            Some("token-type-mismatch"),
            Some("api_key"),
        ),
        (
            "54",
            Only(M2mToken),
            session.clone(),
            "signed-out",
            Some("token-type-mismatch"),
            Some("m2m_token"),
        ),
        (
            "56",
            AnyOf(vec![ApiKey, OAuthToken]),
            "ak_abc".into(),
            "signed-in",
            None,
            Some("api_key"),
        ),
        (
            "59",
            AnyOf(vec![SessionToken, M2mToken]),
            "mt_abc".into(),
            "signed-in",
            None,
            Some("m2m_token"),
        ),
        (
            "60",
            AnyOf(vec![ApiKey, OAuthToken]),
            "mt_abc".into(),
            "signed-out",
            Some("token-type-mismatch"),
            None,
        ),
        (
            "61",
            AnyOf(vec![ApiKey, OAuthToken]),
            session.clone(),
            "signed-out",
            Some("token-type-mismatch"),
            None,
        ),
    ];
    for (row, accepts, token, status, reason, token_type) in cases {
        let out = run(machine_clerk(&server, accepts), bearer(&token)).await;
        assert_eq!(
            (out.status(), out.reason(), out.state["tokenType"].as_str()),
            (status, reason, token_type),
            "row {row}: {}",
            out.state
        );
    }
    // Rows 50/57: a session token where session tokens are accepted (keys from the JWKS server).
    for accepts in [Any, AnyOf(vec![SessionToken, ApiKey])] {
        let clerk = clerk(&jwks, PK_TEST, "sk_test_machine", NOW_S)
            .accepts_token(accepts)
            .build()
            .unwrap();
        run(clerk, bearer(&session)).await.assert("signed-in", None);
    }
    // Row 58: a session token in the cookie, session tokens accepted: the cookie flow runs
    // (development without a dev browser: handshake for documents, signed out for API clients).
    let cookies = [("__session", session.as_str()), ("__client_uat", "12345")];
    let accepts = || AnyOf(vec![SessionToken, ApiKey]);
    let out = run(
        machine_clerk(&server, accepts()),
        with_cookies(request(), &cookies),
    )
    .await;
    out.assert("handshake", Some("dev-browser-missing"));
    let out = run(
        machine_clerk(&server, accepts()),
        with_cookies(api_request(), &cookies),
    )
    .await;
    out.assert("signed-out", Some("dev-browser-missing"));
    assert_eq!(out.state["tokenType"], "session_token");
    // Row 62: no token at all, only machine types accepted.
    let req = with_cookies(request(), &[("__client_uat", "0")]);
    let out = run(machine_clerk(&server, AnyOf(vec![ApiKey, M2mToken])), req).await;
    out.assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(out.state["tokenType"], Value::Null);
    // Row 63: a machine token in the cookie where a header token is required.
    for (kind, token_type) in [
        ("api_key", ApiKey),
        ("m2m_token", M2mToken),
        ("oauth_token", OAuthToken),
    ] {
        let req = with_cookies(request(), &[("__session", "ak_in_cookie")]);
        let out = run(machine_clerk(&server, Only(token_type)), req).await;
        out.assert("signed-out", Some("No token in header"));
        assert_eq!(out.state["tokenType"], kind);
        assert_eq!(out.message(), None);
    }
}

// ---- Organization sync (row 1, step Q) ----

#[actix_web::test]
async fn organization_in_the_url_is_activated_through_a_handshake() {
    let key = signing_key();
    let options = clerk_actix::OrganizationSyncOptions {
        organization_patterns: vec![
            "/orgs/:id".into(),
            "/orgs/:id/(.*)".into(),
            "/teams/:slug/(.*)".into(),
        ],
        personal_account_patterns: vec!["/me".into(), "/me/(.*)".into()],
    };
    let clerk = || {
        Clerk::builder()
            .publishable_key(PK_LIVE)
            .jwt_key(key.public_key_pem())
            .organization_sync(options.clone())
            .clock(|| at(NOW_S))
            .build()
            .unwrap()
    };
    let session = SessionToken::new("user_1")
        .issuer("https://clerk.inspired.puma-74.lcl.dev")
        .issued_at(at(NOW_S))
        .organization("org_a", "team-a", "admin", &[])
        .sign(key);
    let page = |path: &str| {
        with_cookies(
            request().uri(path),
            &[("__session", &session), ("__client_uat", "12345")],
        )
    };
    let out = run(clerk(), page("/orgs/org_b/settings")).await;
    out.assert("handshake", Some("active-organization-mismatch"));
    assert_eq!(out.query("organization_id").as_deref(), Some("org_b"));
    run(clerk(), page("/orgs/org_a/settings"))
        .await
        .assert("signed-in", None);
    let out = run(clerk(), page("/teams/team-b/x")).await;
    assert_eq!(out.query("organization_id").as_deref(), Some("team-b"));
    run(clerk(), page("/teams/team-a/x"))
        .await
        .assert("signed-in", None);
    let out = run(clerk(), page("/me")).await;
    out.assert("handshake", Some("active-organization-mismatch"));
    assert_eq!(out.query("organization_id").as_deref(), Some(""));
    run(clerk(), page("/elsewhere"))
        .await
        .assert("signed-in", None);
    // After three redirects the org switch is skipped (the org was not valid for this user).
    let req = with_cookies(
        request().uri("/orgs/org_b"),
        &[
            ("__session", &session),
            ("__client_uat", "12345"),
            ("__clerk_redirect_count", "3"),
        ],
    );
    run(clerk(), req).await.assert("signed-in", None);
    // API clients are never redirected.
    let req = with_cookies(
        request()
            .uri("/orgs/org_b")
            .insert_header(("sec-fetch-dest", "empty")),
        &[("__session", &session), ("__client_uat", "12345")],
    );
    run(clerk(), req).await.assert("signed-in", None);
}

#[actix_web::test]
async fn invalid_organization_sync_patterns_fail_at_start_up() {
    let err = Clerk::builder()
        .publishable_key(PK_LIVE)
        .jwt_key(fixtures::text("pem_public_signing_key.pem"))
        .organization_sync(clerk_actix::OrganizationSyncOptions {
            organization_patterns: vec!["/orgs/(".into()],
            personal_account_patterns: vec![],
        })
        .build()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("organization_sync is invalid"),
        "{err}"
    );
}
