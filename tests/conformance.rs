//! Conformance with Clerk's own request-level test matrix (`request.test.ts`, spec §6) and the
//! published test vectors, at the fixtures' fixed clock.

#![allow(clippy::unwrap_used, clippy::type_complexity)] // test tables and helpers: a panic is a test failure

mod support;

use actix_web::http::header::HeaderMap;
use actix_web::{App, HttpResponse, test, web};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Auth, Clerk, ClerkBuilder, ClerkMiddleware};
use serde_json::{Value, json};
use support::MockServer;
use support::fixtures::{self, NOW_S, PK_LIVE, PK_TEST, at, jwt};

async fn state(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|r| r.as_str().into_owned()),
        "message": auth.message(),
        "userId": auth.user_id(),
        "sessionId": auth.session_id(),
        "tokenType": auth.token_type().map(|t| t.as_str()),
    }))
}

struct Outcome {
    state: Value,
    headers: HeaderMap,
}

impl Outcome {
    fn status(&self) -> &str {
        self.state["status"].as_str().unwrap()
    }
    fn reason(&self) -> Option<&str> {
        self.state["reason"].as_str()
    }
    fn message(&self) -> Option<&str> {
        self.state["message"].as_str()
    }
    fn location(&self) -> url::Url {
        url::Url::parse(
            self.headers
                .get("location")
                .expect("a Location header")
                .to_str()
                .unwrap(),
        )
        .unwrap()
    }
    fn query(&self, name: &str) -> Option<String> {
        self.location()
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<missing>")
    }
    fn assert(&self, status: &str, reason: Option<&str>) {
        assert_eq!(
            (self.status(), self.reason()),
            (status, reason),
            "{}",
            self.state
        );
    }
}

async fn run(clerk: Clerk, req: test::TestRequest) -> Outcome {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .default_service(web::to(state)),
    )
    .await;
    let res = test::call_service(&app, req.to_request()).await;
    let headers = res.headers().clone();
    if res.status() == actix_web::http::StatusCode::TEMPORARY_REDIRECT {
        // A handshake never reaches the handler: read the state from the redirect's headers.
        let decoded = |name: &str| {
            headers.get(name).map(|v| {
                percent_encoding::percent_decode_str(v.to_str().unwrap())
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            })
        };
        let state = json!({
            "status": decoded("x-clerk-auth-status"),
            "reason": decoded("x-clerk-auth-reason"),
            "message": decoded("x-clerk-auth-message"),
            "location": decoded("location"),
        });
        return Outcome { state, headers };
    }
    let state: Value = test::read_body_json(res).await;
    Outcome { state, headers }
}

/// Spec §6 defaults: `GET http://clerk.com/path` with `host: example.com`, `sec-fetch-dest: document`.
fn request() -> test::TestRequest {
    test::TestRequest::get()
        .uri("/path")
        .insert_header(("host", "example.com"))
        .insert_header(("user-agent", "Mozilla/TestAgent"))
        .insert_header(("sec-fetch-dest", "document"))
}

fn with_cookies(req: test::TestRequest, cookies: &[(&str, &str)]) -> test::TestRequest {
    let header: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
    req.insert_header(("cookie", header.join("; ")))
}

/// Clerk with the fixtures' JWKS served locally and the clock at `now` seconds.
fn clerk(server: &MockServer, pk: &str, secret: &str, now: u64) -> ClerkBuilder {
    Clerk::builder()
        .publishable_key(pk)
        .secret_key(secret)
        .api_url(&server.url)
        .clock(move || at(now))
}

fn jwks_server() -> MockServer {
    MockServer::jwks(fixtures::json("jwks_mock.json"))
}

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

#[actix_web::test]
async fn mock_malformed_jwt_and_expired_fixture() {
    let server = jwks_server();
    let req = request().insert_header((
        "authorization",
        format!("Bearer {}", jwt("mockMalformedJwt")),
    ));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    assert_eq!(out.status(), "signed-out");
    let req = test::TestRequest::get()
        .uri("/path")
        .insert_header(("authorization", format!("Bearer {}", jwt("mockExpiredJwt"))));
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert(
        "signed-out",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
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
    let req = || request().insert_header(("authorization", format!("Bearer {}", jwt("mockJwt"))));
    run(clerk(&fixtures::text("pem_public_signing_key.pem")), req())
        .await
        .assert("signed-in", None);
    run(
        clerk(&fixtures::text("pem_public_some_other_key.pem")),
        req(),
    )
    .await
    .assert("signed-out", Some("token-invalid-signature"));
    assert_eq!(
        server.hits(),
        0,
        "PEM verification never touches the network"
    );
    for name in ["signedJwt", "mockSignedOAuthAccessTokenJwt"] {
        let req = request().insert_header(("authorization", format!("Bearer {}", jwt(name))));
        let out = run(clerk(&fixtures::text("pem_public_signing_key.pem")), req).await;
        if name == "signedJwt" {
            assert_ne!(
                out.reason(),
                Some("token-invalid-signature"),
                "{name}: {}",
                out.state
            );
        } else {
            // Row 55: an OAuth access token is not a session token.
            out.assert("signed-out", Some("token-type-mismatch"));
        }
    }
}

// ---- Cookie rows ----

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

fn own_key_clerk(key: &SigningKey, pk: &str, now: u64) -> Clerk {
    Clerk::builder()
        .publishable_key(pk)
        .jwt_key(key.public_key_pem())
        .clock(move || at(now))
        .build()
        .unwrap()
}

#[actix_web::test]
async fn row_34_valid_signature_but_no_sub() {
    let key = SigningKey::generate("ins_own").unwrap();
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
    let out = run(own_key_clerk(&key, PK_TEST, NOW_S), req).await;
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
    let key = SigningKey::generate("ins_own").unwrap();
    let token = key.sign(&json!({"sub": "mch_123", "iat": NOW_S, "exp": NOW_S + 60, "iss": "https://clerk.inspired.puma-74.lcl.dev"}));
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &token)],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S), req).await;
    out.assert("signed-out", Some("token-type-mismatch"));
    assert_eq!(out.message(), None);
}

#[actix_web::test]
async fn row_37_jwt_template_token_in_header_and_cookie() {
    let key = SigningKey::generate("ins_own").unwrap();
    let header = json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT", "cat": "cl_B7d4PD222AAA"});
    let token = key.sign_with_header(&header, &json!({"sub": "user_1", "iat": NOW_S, "exp": NOW_S + 60, "iss": "https://clerk.inspired.puma-74.lcl.dev"}));
    let req = request().insert_header(("authorization", format!("Bearer {token}")));
    run(own_key_clerk(&key, PK_LIVE, NOW_S), req)
        .await
        .assert("signed-out", Some("token-type-mismatch"));
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__session", &token)],
    );
    run(own_key_clerk(&key, PK_LIVE, NOW_S), req)
        .await
        .assert("signed-out", Some("token-type-mismatch"));
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

// ---- Satellite and multi-domain rows that need no redirect target ----

#[actix_web::test]
async fn row_12_satellite_non_browser_request() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__client_uat", "0")])
        .insert_header(("sec-fetch-dest", "empty"))
        .insert_header(("user-agent", "[some-agent]"));
    let clerk = clerk(&server, PK_LIVE, "deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
        .build()
        .unwrap();
    run(clerk, req)
        .await
        .assert("signed-out", Some("session-token-and-uat-missing"));
}

#[actix_web::test]
async fn rows_15_18_satellite_without_cookies_skips_sync() {
    let server = jwks_server();
    let clerk = || {
        clerk(&server, PK_LIVE, "deadbeef", NOW_S)
            .is_satellite(true)
            .domain("satellite.dev")
            .build()
            .unwrap()
    };
    let req = with_cookies(request(), &[("__client_uat", "0")]);
    let out = run(clerk(), req).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(out.headers.get("location").is_none());
    // Rows 16/20: an explicit __clerk_synced=false asks for a sync.
    let req = with_cookies(request(), &[("__client_uat", "0")]).uri("/path?__clerk_synced=false");
    run(clerk(), req)
        .await
        .assert("handshake", Some("satellite-needs-syncing"));
    // Row 17: __clerk_synced=true means the sync just completed.
    let req = with_cookies(request(), &[("__client_uat", "0")]).uri("/path?__clerk_synced=true");
    run(clerk(), req)
        .await
        .assert("signed-out", Some("session-token-and-uat-missing"));
    // Row 21: a redirect loop ends in signed out with the same reason.
    let req = with_cookies(
        request(),
        &[("__client_uat", "0"), ("__clerk_redirect_count", "3")],
    )
    .uri("/path?__clerk_synced=false");
    run(clerk(), req)
        .await
        .assert("signed-out", Some("satellite-needs-syncing"));
    // Row 83: POST documents are never sent through a handshake.
    let req = with_cookies(
        test::TestRequest::post().uri("/path?__clerk_synced=false"),
        &[("__client_uat", "0")],
    )
    .insert_header(("sec-fetch-dest", "document"));
    run(clerk(), req)
        .await
        .assert("signed-out", Some("session-token-and-uat-missing"));
}

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
async fn row_13_dev_browser_sync() {
    let server = jwks_server();
    let req = request().uri(&format!(
        "/path?__clerk_synced=true&__clerk_db_jwt={}",
        jwt("mockJwt")
    ));
    let clerk = clerk(&server, PK_TEST, "sk_test_deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
        .build()
        .unwrap();
    run(clerk, req)
        .await
        .assert("handshake", Some("dev-browser-sync"));
}

// ---- POST + document (rows 82-84) ----

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

// ---- Cross-origin referrer (rows 64-81) ----

async fn cross_origin(
    pk: &str,
    host: &str,
    referer: Option<&str>,
    method: &str,
    dest: &str,
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
        .unwrap();
    run(clerk, with_cookies(req, &cookies)).await
}

#[actix_web::test]
async fn rows_64_81_cross_origin_referrers() {
    const SYNC: Option<&str> = Some("primary-domain-cross-origin-sync");
    let cases: &[(&str, &str, Option<&str>, &str, &str, &str, Option<&str>)] = &[
        // (row, pk, referer, method, sec-fetch-dest, expected status, expected reason)
        (
            "64",
            PK_LIVE,
            Some("https://satellite.com/signin"),
            "GET",
            "document",
            "handshake",
            SYNC,
        ),
        ("68", PK_LIVE, None, "GET", "document", "signed-in", None),
        (
            "69",
            PK_LIVE,
            Some("https://satellite.com/signin"),
            "POST",
            "document",
            "signed-in",
            None,
        ),
        (
            "70",
            PK_LIVE,
            Some("https://satellite.com/signin"),
            "GET",
            "empty",
            "signed-in",
            None,
        ),
        (
            "71",
            PK_LIVE,
            Some("invalid-url-format"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "72",
            PK_LIVE,
            Some("https://accounts.example.com/sign-in"),
            "GET",
            "document",
            "handshake",
            SYNC,
        ),
        (
            "73",
            PK_TEST,
            Some("https://foo-bar-13.accounts.dev/sign-in"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "74",
            PK_TEST,
            Some("https://accounts.foo-bar-13.lcl.dev/sign-in"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "75",
            PK_LIVE,
            Some("https://foo-bar-13.accounts.dev/sign-in"),
            "GET",
            "document",
            "handshake",
            SYNC,
        ),
        (
            "76",
            PK_LIVE,
            Some("https://accounts.foo-bar-13.lcl.dev/sign-in"),
            "GET",
            "document",
            "handshake",
            SYNC,
        ),
        (
            "77",
            PK_TEST,
            Some("https://accounts.inspired.puma-74.lcl.dev/sign-in"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "78",
            PK_TEST,
            Some("https://clerk.inspired.puma-74.lcl.dev/v1/client/sign_ins/sia_123"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "79",
            PK_LIVE,
            Some("https://clerk.inspired.puma-74.lcl.dev/sign-in"),
            "GET",
            "document",
            "signed-in",
            None,
        ),
        (
            "80",
            PK_LIVE,
            Some("https://satellite.com/sign-in"),
            "GET",
            "document",
            "handshake",
            SYNC,
        ),
    ];
    for (row, pk, referer, method, dest, status, reason) in cases {
        let out = cross_origin(pk, "example.com", *referer, method, dest).await;
        assert_eq!(
            (out.status(), out.reason()),
            (*status, *reason),
            "row {row}: {}",
            out.state
        );
        if *status == "handshake" {
            assert_eq!(
                out.message(),
                Some("Cross-origin request from satellite domain requires handshake")
            );
        }
    }
    // Rows 66/81: the referrer is the current origin.
    let out = cross_origin(
        PK_LIVE,
        "primary.com",
        Some("https://primary.com/signin"),
        "GET",
        "document",
    )
    .await;
    out.assert("signed-in", None);
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

// ---- Suffixed cookies (authenticateContext.test.ts, §6.5) ----

fn session(key: &SigningKey, iss: &str, iat: u64) -> String {
    SessionToken::new("user_1")
        .issuer(iss)
        .issued_at(at(iat))
        .sign(key)
}

#[actix_web::test]
async fn suffixed_cookies_are_preferred_for_production_multi_app() {
    let key = SigningKey::generate("ins_own").unwrap();
    let own = session(&key, "https://clerk.inspired.puma-74.lcl.dev", NOW_S);
    let suffixed = SessionToken::new("user_suffixed")
        .issuer("https://clerk.inspired.puma-74.lcl.dev")
        .issued_at(at(NOW_S))
        .sign(&key);
    // prod: valid suffixed and un-suffixed → the suffixed session wins.
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "1717490192"),
            ("__client_uat_MqCvchyS", "1666648000"),
            ("__session", &own),
            ("__session_MqCvchyS", &suffixed),
        ],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_suffixed");
    // prod: un-suffixed session from another app (other issuer) → suffixed cookies.
    let other_app = session(&key, "http:whatever", NOW_S);
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "1666648000"),
            ("__client_uat_MqCvchyS", "1666648000"),
            ("__session", &other_app),
            ("__session_MqCvchyS", &suffixed),
        ],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S), req).await;
    assert_eq!(out.state["userId"], "user_suffixed", "{}", out.state);
    // Un-suffixed cookies only → un-suffixed.
    let req = with_cookies(
        request(),
        &[("__client_uat", "1666648000"), ("__session", &own)],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S), req).await;
    assert_eq!(out.state["userId"], "user_1");
    // A newer un-suffixed session than the suffixed one (ClerkJS downgrade) → un-suffixed.
    let newer = SessionToken::new("user_newer")
        .issuer("https://clerk.inspired.puma-74.lcl.dev")
        .issued_at(at(NOW_S + 5))
        .sign(&key);
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "1666648000"),
            ("__client_uat_MqCvchyS", "1666648001"),
            ("__session", &newer),
            ("__session_MqCvchyS", &suffixed),
        ],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S + 5), req).await;
    assert_eq!(out.state["userId"], "user_newer", "{}", out.state);
    // A signed-out suffixed client_uat and an un-suffixed session (no suffixed session): suffixed
    // cookies are used, so there is no session token at all.
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "0"),
            ("__client_uat_MqCvchyS", "0"),
            ("__session", &own),
        ],
    );
    let out = run(own_key_clerk(&key, PK_LIVE, NOW_S), req).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
}

// ---- Verification details (§6.6) through the middleware ----

#[actix_web::test]
async fn clock_skew_is_configurable() {
    let key = SigningKey::generate("ins_own").unwrap();
    let token = SessionToken::new("user_1")
        .issued_at(at(NOW_S))
        .lifetime(std::time::Duration::from_secs(60))
        .sign(&key);
    let clerk = |skew: u64, now: u64| {
        Clerk::builder()
            .publishable_key(PK_LIVE)
            .jwt_key(key.public_key_pem())
            .clock_skew(std::time::Duration::from_secs(skew))
            .clock(move || at(now))
            .build()
            .unwrap()
    };
    let req = || {
        test::TestRequest::get()
            .uri("/")
            .insert_header(("authorization", format!("Bearer {token}")))
    };
    run(clerk(0, NOW_S + 59), req())
        .await
        .assert("signed-in", None);
    run(clerk(0, NOW_S + 61), req()).await.assert(
        "signed-out",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    run(clerk(5, NOW_S + 61), req())
        .await
        .assert("signed-in", None);
}

// ---- Handshake redirects (§1.11, handshake.test.ts) ----

#[actix_web::test]
async fn handshake_redirect_url_carries_clerks_parameters() {
    let server = jwks_server();
    let token = jwt("mockJwt");
    let req = request()
        .uri("/path?keep=1&__clerk_db_jwt=old")
        .insert_header(("authorization", format!("Bearer {token}")));
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
    let location = out.location();
    assert_eq!(location.scheme(), "https");
    assert_eq!(location.host_str(), Some("clerk.inspired.puma-74.lcl.dev"));
    assert_eq!(location.path(), "/v1/client/handshake");
    assert_eq!(
        out.query("redirect_url").as_deref(),
        Some("http://example.com/path?keep=1")
    );
    assert_eq!(
        out.query("__clerk_api_version").as_deref(),
        Some("2026-05-12")
    );
    assert_eq!(out.query("suffixed_cookies").as_deref(), Some("false"));
    assert_eq!(
        out.query("__clerk_hs_reason").as_deref(),
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie")
    );
    assert_eq!(out.query("format").as_deref(), Some("nonce"));
    assert_eq!(
        out.query("__session"),
        Some(token),
        "the header token travels with the handshake"
    );
    assert_eq!(
        out.query("__clerk_db_jwt").as_deref(),
        Some("old"),
        "development: dev browser token from the query"
    );
    assert_eq!(out.header("cache-control"), "no-store");
    assert_eq!(
        out.header("set-cookie"),
        "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"
    );
    assert_eq!(out.header("x-clerk-auth-status"), "handshake");
}

#[actix_web::test]
async fn handshake_through_a_proxy_url_and_production_has_no_dev_browser() {
    let server = jwks_server();
    for (proxy, expected) in [
        (
            "https://my-proxy.example.com",
            "https://my-proxy.example.com/v1/client/handshake",
        ),
        (
            "https://my-proxy.example.com/clerk-proxy//",
            "https://my-proxy.example.com/clerk-proxy/v1/client/handshake",
        ),
        ("/__clerk", "http://example.com/__clerk/v1/client/handshake"),
    ] {
        let req = with_cookies(
            request(),
            &[("__client_uat", "12345"), ("__clerk_db_jwt", "db")],
        );
        let out = run(
            clerk(&server, PK_LIVE, "deadbeef", NOW_S)
                .proxy_url(proxy)
                .build()
                .unwrap(),
            req,
        )
        .await;
        out.assert("handshake", Some("client-uat-but-no-session-token"));
        let mut location = out.location();
        location.set_query(None);
        assert_eq!(location.as_str(), expected, "{proxy}");
        assert_eq!(
            out.query("__clerk_db_jwt"),
            None,
            "production never sends the dev browser token"
        );
        assert_eq!(out.query("__session"), None);
    }
}

#[actix_web::test]
async fn redirect_loop_counter_increments_and_stops_at_three() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__clerk_redirect_count", "2")],
    );
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    assert_eq!(
        out.header("set-cookie"),
        "__clerk_redirect_count=3; SameSite=Lax; HttpOnly; Max-Age=2"
    );
    let req = with_cookies(
        request(),
        &[("__client_uat", "12345"), ("__clerk_redirect_count", "3")],
    );
    let out = run(
        clerk(&server, PK_LIVE, "deadbeef", NOW_S).build().unwrap(),
        req,
    )
    .await;
    out.assert("signed-out", Some("client-uat-but-no-session-token"));
}

fn satellite_dev(server: &MockServer) -> Clerk {
    clerk(server, PK_TEST, "sk_test_deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
        .satellite_auto_sync(true)
        .build()
        .unwrap()
}

#[actix_web::test]
async fn rows_10_11_22_satellite_development_redirects_to_the_primary_sign_in() {
    let server = jwks_server();
    let req = with_cookies(
        request(),
        &[("__client_uat", "0"), ("__clerk_db_jwt", "deadbeef")],
    );
    let out = run(satellite_dev(&server), req).await;
    out.assert("handshake", Some("satellite-needs-syncing"));
    assert_eq!(
        out.header("location"),
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath"
    );
    // Row 22: autoSync off, but __clerk_synced=false asks for it.
    let clerk = clerk(&server, PK_TEST, "sk_test_deadbeef", NOW_S)
        .is_satellite(true)
        .sign_in_url("https://primary.dev/sign-in")
        .domain("satellite.dev")
        .build()
        .unwrap();
    let req = with_cookies(
        request().uri("/path?__clerk_synced=false"),
        &[("__client_uat", "0"), ("__clerk_db_jwt", "deadbeef")],
    );
    let out = run(clerk, req).await;
    assert_eq!(
        out.header("location"),
        "https://primary.dev/sign-in?__clerk_redirect_url=http%3A%2F%2Fexample.com%2Fpath%3F__clerk_synced%3Dfalse"
    );
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

// ---- Handshake resolution (§1.10) and refresh (§1.12) ----

fn own_key_with_api(key: &SigningKey, server: &MockServer, pk: &str, now: u64) -> Clerk {
    Clerk::builder()
        .publishable_key(pk)
        .secret_key("sk_test_resolve")
        .jwt_key(key.public_key_pem())
        .api_url(&server.url)
        .clock(move || at(now))
        .build()
        .unwrap()
}

#[actix_web::test]
async fn development_handshake_token_sets_cookies_and_redirects_to_the_clean_url() {
    let key = SigningKey::generate("ins_own").unwrap();
    let server = MockServer::jwks(json!({}));
    let session = SessionToken::new("user_hs").issued_at(at(NOW_S)).sign(&key);
    let directives = json!([
        format!("__session={session}; Path=/; SameSite=Lax"),
        "__client_uat=1666648250; Path=/; SameSite=Lax",
        "__clerk_db_jwt=db_new; Path=/",
    ]);
    let handshake = key.sign(&json!({"handshake": directives}));
    let req = request().uri(&format!(
        "/path?a=1&__clerk_handshake={handshake}&__clerk_help=1"
    ));
    let out = run(own_key_with_api(&key, &server, PK_TEST, NOW_S), req).await;
    assert_eq!(out.state["status"], "signed-in");
    assert_eq!(out.header("location"), "http://example.com/path?a=1");
    assert_eq!(out.header("cache-control"), "no-store");
    let cookies: Vec<&str> = out
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 3);
    assert!(cookies[0].starts_with("__session="));
    assert_eq!(out.header("access-control-allow-origin"), "null");
    assert_eq!(out.header("access-control-allow-credentials"), "true");
}

#[actix_web::test]
async fn production_handshake_nonce_is_resolved_through_the_backend_api() {
    let key = SigningKey::generate("ins_own").unwrap();
    let session = SessionToken::new("user_nonce")
        .issued_at(at(NOW_S))
        .sign(&key);
    let directive = format!("__session={session}; Path=/; Secure; SameSite=Lax");
    let server = MockServer::start(move |req| {
        if req.path.starts_with("/v1/clients/handshake_payload") {
            support::Reply::json(
                200,
                &json!({"directives": [directive, "__client_uat=1666648250; Path=/"]}),
            )
        } else {
            support::Reply::json(404, &json!({"errors": []}))
        }
    });
    let req = request().uri("/path?__clerk_handshake_nonce=nonce_123");
    let out = run(own_key_with_api(&key, &server, PK_LIVE, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_nonce");
    assert!(
        out.headers.get("location").is_none(),
        "production continues without a redirect"
    );
    assert_eq!(out.headers.get_all("set-cookie").count(), 2);
    let call = &server.requests()[0];
    assert_eq!(call.path, "/v1/clients/handshake_payload?nonce=nonce_123");
    assert_eq!(call.headers["authorization"], "Bearer sk_test_resolve");
}

#[actix_web::test]
async fn handshake_token_with_a_foreign_category_or_key_is_rejected() {
    let key = SigningKey::generate("ins_own").unwrap();
    let foreign = SigningKey::generate("ins_own").unwrap();
    let server = MockServer::jwks(json!({}));
    let payload = json!({"handshake": ["__session=x; Path=/"]});
    let template = key.sign_with_header(
        &json!({"alg": "RS256", "kid": "ins_own", "cat": "cl_B7d4PD222AAA"}),
        &payload,
    );
    let forged = foreign.sign(&payload);
    for (name, token) in [("jwt template category", template), ("foreign key", forged)] {
        let req = request().uri(&format!("/path?__clerk_handshake={token}"));
        let out = run(own_key_with_api(&key, &server, PK_TEST, NOW_S), req).await;
        assert_eq!(out.state["status"], "signed-out", "{name}: {}", out.state);
        assert!(
            out.message()
                .unwrap()
                .starts_with("Clerk: Handshake token verification failed"),
            "{name}"
        );
        assert!(
            out.headers.get_all("set-cookie").next().is_none(),
            "{name}: no cookies from a bad handshake"
        );
    }
}

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

// ---- Machine tokens (rows 45-63, §4) ----

fn machine_api() -> MockServer {
    let fixtures = fixtures::json("machine_tokens.json");
    let results = fixtures["mockVerificationResults"].clone();
    MockServer::start(move |req| {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let (kind, token) = match req.path.as_str() {
            "/api_keys/verify" => ("api_key", body["secret"].clone()),
            "/m2m_tokens/verify" => ("m2m_token", body["token"].clone()),
            "/oauth_applications/access_tokens/verify" => {
                ("oauth_token", body["access_token"].clone())
            }
            _ => return support::Reply::json(404, &json!({"errors": []})),
        };
        if token.as_str().is_some_and(|t| t.ends_with("_invalid")) {
            return support::Reply::json(
                404,
                &json!({"errors": [{"code": "resource_not_found", "message": "not found", "long_message": "not found"}]}),
            );
        }
        // The wire is snake_case; the fixture is the JS SDK's camelCase view of it.
        let camel = &results[kind];
        support::Reply::json(
            200,
            &json!({
                "object": kind, "id": camel["id"], "subject": camel["subject"], "scopes": camel["scopes"],
                "claims": camel["claims"], "name": camel["name"], "client_id": camel["clientId"],
            }),
        )
    })
}

fn machine_clerk(server: &MockServer, accepts: clerk_actix::AcceptsToken) -> Clerk {
    clerk(server, PK_TEST, "sk_test_machine", NOW_S)
        .accepts_token(accepts)
        .build()
        .unwrap()
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
    let cases: Vec<(&str, AcceptsToken, String, &str, Option<&str>, Option<&str>)> = vec![
        // (row, accepts, token, status, reason, tokenType)
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

#[actix_web::test]
async fn oauth_and_m2m_jwts_are_verified_locally() {
    use clerk_actix::AcceptsToken;
    let server = jwks_server();
    let clerk = |now| {
        clerk(&server, PK_TEST, "sk_test_machine", now)
            .accepts_token(AcceptsToken::Any)
            .build()
            .unwrap()
    };
    let oauth = jwt("mockSignedOAuthAccessTokenJwt");
    let req = request().insert_header(("authorization", format!("Bearer {oauth}")));
    let out = run(clerk(NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["tokenType"], "oauth_token");
    let req = request().insert_header((
        "authorization",
        format!(
            "Bearer {}",
            jwt("mockSignedOAuthAccessTokenJwtApplicationTyp")
        ),
    ));
    run(clerk(NOW_S), req).await.assert("signed-in", None);
    // Expired: reported as a machine verification failure.
    let req = request().insert_header(("authorization", format!("Bearer {oauth}")));
    let out = run(clerk(NOW_S + 3600), req).await;
    out.assert("signed-out", Some("token-verification-failed"));
    assert!(out.message().unwrap().contains("expired"));
    // An M2M JWT with a non-M2M category is rejected before any key lookup.
    let key = SigningKey::generate("ins_own").unwrap();
    let m2m = key.sign_with_header(
        &json!({"alg": "RS256", "kid": "ins_own", "cat": "cl_B7d4PD111AAA"}),
        &json!({"sub": "mch_1", "exp": NOW_S + 60}),
    );
    let hits = server.hits();
    let req = request().insert_header(("authorization", format!("Bearer {m2m}")));
    let out = run(clerk(NOW_S), req).await;
    out.assert("signed-out", Some("token-invalid"));
    assert_eq!(
        out.message(),
        Some("Invalid M2M JWT category. (code=token-invalid, status=n/a)")
    );
    assert_eq!(server.hits(), hits);
}

// ---- Organization sync (§1.13) ----

#[actix_web::test]
async fn organization_in_the_url_is_activated_through_a_handshake() {
    let key = SigningKey::generate("ins_own").unwrap();
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
        .sign(&key);
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
