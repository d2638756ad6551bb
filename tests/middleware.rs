//! ClerkMiddleware and the extractors through a real actix service: claims v1 and v2, the 401 and
//! 500 rejections, optional auth, scopes, pending sessions and hostile headers.

#![allow(clippy::unwrap_used)] // helpers of integration tests: a panic is a test failure

mod support;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderValue;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Auth, Clerk, ClerkMiddleware, ClerkRequestExt, Has, SignedIn};
use serde_json::{Value, json};
use support::fixtures::PK_LIVE;

fn clerk(key: &SigningKey) -> Clerk {
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .jwt_key(key.public_key_pem())
        .build()
        .unwrap()
}

async fn me(user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "userId": user.user_id(),
        "sessionId": user.session_id(),
        "orgId": user.org_id(),
        "orgRole": user.org_role(),
        "orgSlug": user.org_slug(),
        "orgPermissions": user.org_permissions(),
        "canReadInvoices": user.has(&Has::permission("org:invoices:read")),
        "isAdmin": user.has(&Has::role("admin")),
    }))
}

async fn maybe(user: Option<SignedIn>) -> String {
    user.map_or_else(|| "anonymous".to_owned(), |u| u.user_id().to_owned())
}

async fn via_ext(req: HttpRequest) -> String {
    req.auth()
        .map_or_else(|| "no middleware".to_owned(), |a| a.status().to_string())
}

async fn public(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|r| r.as_str().into_owned()),
        "signedIn": auth.is_signed_in(),
        "userId": auth.user_id(),
        "sessionStatus": auth.session_status().map(|s| s.as_str().to_owned()),
        "debug": format!("{:?}", auth.0),
    }))
}

macro_rules! app {
    ($clerk:expr) => {
        test::init_service(
            App::new()
                .route("/unprotected/me", web::get().to(me))
                .route("/unprotected/public", web::get().to(public))
                .service(
                    web::scope("/api")
                        .wrap(ClerkMiddleware::new($clerk))
                        .route("/me", web::get().to(me))
                        .route("/maybe", web::get().to(maybe))
                        .route("/ext", web::get().to(via_ext))
                        .route("/public", web::get().to(public)),
                ),
        )
        .await
    };
}

fn get(path: &str, token: Option<&str>) -> actix_http::Request {
    let mut req = test::TestRequest::get()
        .uri(path)
        .insert_header(("accept", "application/json"));
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    req.to_request()
}

#[actix_web::test]
async fn v2_organization_claims() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let token = SessionToken::new("user_2")
        .session_id("sess_2")
        .organization(
            "org_1",
            "acme",
            "admin",
            &["org:invoices:read", "org:invoices:write"],
        )
        .sign(&key);
    let body: Value = test::call_and_read_body_json(&app, get("/api/me", Some(&token))).await;
    assert_eq!(body["userId"], "user_2");
    assert_eq!(body["sessionId"], "sess_2");
    assert_eq!(body["orgId"], "org_1");
    assert_eq!(body["orgRole"], "org:admin");
    assert_eq!(body["orgSlug"], "acme");
    assert_eq!(
        body["orgPermissions"],
        json!(["org:invoices:read", "org:invoices:write"])
    );
    assert_eq!(body["canReadInvoices"], true);
    assert_eq!(body["isAdmin"], true);
}

#[actix_web::test]
async fn v1_organization_claims() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = key.sign(&json!({
        "sub": "user_1", "sid": "sess_1", "iat": now, "exp": now + 60,
        "org_id": "org_9", "org_role": "org:member", "org_slug": "nine",
        "org_permissions": ["org:invoices:read"],
    }));
    let body: Value = test::call_and_read_body_json(&app, get("/api/me", Some(&token))).await;
    assert_eq!(body["orgId"], "org_9");
    assert_eq!(body["orgRole"], "org:member");
    assert_eq!(body["orgPermissions"], json!(["org:invoices:read"]));
    assert_eq!(body["canReadInvoices"], true);
    assert_eq!(body["isAdmin"], false);
}

#[actix_web::test]
async fn signed_in_extractor_rejects_with_401_json() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let res = test::call_service(&app, get("/api/me", None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(
        res.headers().get("x-clerk-auth-status").unwrap(),
        "signed-out"
    );
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["errors"][0]["code"], "unauthenticated");
    assert!(body["errors"][0]["message"].is_string());
    let res = test::call_service(&app, get("/api/me", Some("not.a.token"))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers().get("x-clerk-auth-reason").unwrap(),
        "token-invalid"
    );
}

#[actix_web::test]
async fn extractors_without_the_middleware_are_a_clear_500() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let res = test::call_service(&app, get("/unprotected/me", None)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["errors"][0]["code"], "clerk_middleware_missing");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ClerkMiddleware::new")
    );
    let res = test::call_service(&app, get("/unprotected/public", None)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[actix_web::test]
async fn optional_auth_and_request_extension() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let token = SessionToken::new("user_opt").sign(&key);
    assert_eq!(
        test::call_and_read_body(&app, get("/api/maybe", None)).await,
        "anonymous"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/api/maybe", Some(&token))).await,
        "user_opt"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/api/ext", Some(&token))).await,
        "signed-in"
    );
}

#[actix_web::test]
async fn pending_sessions_count_as_signed_out() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let token = SessionToken::new("user_pending")
        .status("pending")
        .sign(&key);
    let body: Value = test::call_and_read_body_json(&app, get("/api/public", Some(&token))).await;
    assert_eq!(body["status"], "signed-in");
    assert_eq!(body["signedIn"], false);
    assert_eq!(body["userId"], Value::Null);
    assert_eq!(body["sessionStatus"], "pending");
    let res = test::call_service(&app, get("/api/me", Some(&token))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let allow_pending = Clerk::builder()
        .publishable_key(PK_LIVE)
        .jwt_key(key.public_key_pem())
        .treat_pending_as_signed_out(false)
        .build()
        .unwrap();
    let app = app!(allow_pending);
    let body: Value = test::call_and_read_body_json(&app, get("/api/public", Some(&token))).await;
    assert_eq!(body["userId"], "user_pending");
}

#[actix_web::test]
async fn hostile_headers_are_signed_out_never_a_panic() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let token = SessionToken::new("user_1").sign(&key);
    let cases: Vec<(&str, test::TestRequest)> = vec![
        (
            "non-utf8 authorization",
            test::TestRequest::get().uri("/api/public").insert_header((
                "authorization",
                HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd").unwrap(),
            )),
        ),
        (
            "oversized token",
            test::TestRequest::get()
                .uri("/api/public")
                .insert_header(("authorization", format!("Bearer {}", "a".repeat(20_000)))),
        ),
        (
            "two authorization headers",
            test::TestRequest::get()
                .uri("/api/public")
                .append_header(("authorization", format!("Bearer {token}")))
                .append_header(("authorization", "Bearer other")),
        ),
        (
            "non-utf8 cookie",
            test::TestRequest::get().uri("/api/public").insert_header((
                "cookie",
                HeaderValue::from_bytes(b"__session=\xff\xfe; __client_uat=1").unwrap(),
            )),
        ),
        (
            "garbage cookie",
            test::TestRequest::get()
                .uri("/api/public")
                .insert_header(("cookie", "__session=%%%; __client_uat=abc; =; ;;")),
        ),
    ];
    for (name, req) in cases {
        let res = test::call_service(&app, req.to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body["status"], "signed-out", "{name}: {body}");
    }
}

#[actix_web::test]
async fn debug_output_never_contains_the_token() {
    let key = SigningKey::generate("kid").unwrap();
    let app = app!(clerk(&key));
    let token = SessionToken::new("user_dbg").sign(&key);
    let body: Value = test::call_and_read_body_json(&app, get("/api/public", Some(&token))).await;
    let debug = body["debug"].as_str().unwrap();
    assert!(debug.contains("user_dbg"));
    assert!(!debug.contains(&token[..40]), "{debug}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!debug.contains(signature));
}

/// `GET /api/me` behind `ClerkMiddleware`, with a guard rule on `/api/(.*)` when `guarded` (the
/// middleware's async path) or without any (its synchronous path).
async fn me_app(
    clerk: &Clerk,
    guarded: bool,
) -> impl actix_web::dev::Service<
    actix_http::Request,
    Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    Error = actix_web::Error,
> {
    use clerk_actix::{RequireAuth, RouteMatcher};

    let mut middleware = ClerkMiddleware::new(clerk.clone());
    if guarded {
        middleware = middleware.protect(
            RouteMatcher::new(["/api/(.*)"]).unwrap(),
            RequireAuth::new(),
        );
    }
    test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap(middleware)
                .route("/me", web::get().to(me)),
        ),
    )
    .await
}

#[actix_web::test]
async fn cached_tokens_are_answered_from_the_cache_with_and_without_guard_rules() {
    use clerk_actix::__fuzz::token_cache_stats;

    let key = SigningKey::generate("kid_cached").unwrap();
    let token = SessionToken::new("user_cached").sign(&key);
    for guarded in [false, true] {
        let clerk = clerk(&key);
        let app = me_app(&clerk, guarded).await;
        // Stored on its second verification.
        for _ in 0..2 {
            let res = test::call_service(&app, get("/api/me", Some(&token))).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let warm = token_cache_stats(&clerk);
        assert_eq!(warm.entries, 1, "guarded: {guarded}");
        for _ in 0..3 {
            let body: Value =
                test::call_and_read_body_json(&app, get("/api/me", Some(&token))).await;
            assert_eq!(body["userId"], "user_cached", "guarded: {guarded}");
        }
        // One lookup per request, each a hit: nothing was verified again.
        let after = token_cache_stats(&clerk);
        assert_eq!(
            (after.hits - warm.hits, after.misses - warm.misses),
            (3, 0),
            "guarded: {guarded}"
        );
    }
}

#[actix_web::test]
async fn auth_token_is_the_token_sent_on_first_and_cached_use() {
    use clerk_actix::__fuzz::token_cache_stats;

    async fn token(auth: Auth) -> String {
        auth.token().unwrap_or("none").to_owned()
    }
    let key = SigningKey::generate("kid_text").unwrap();
    let token_sent = SessionToken::new("user_text").sign(&key);
    let clerk = clerk(&key);
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap(ClerkMiddleware::new(clerk.clone()))
                .route("/token", web::get().to(token)),
        ),
    )
    .await;
    // Verified in full twice (then stored), then answered from the cache, under every way of
    // writing the header that carries the same token.
    for header in [
        format!("Bearer {token_sent}"),
        format!("bearer  {token_sent}\t "),
        token_sent.clone(),
    ] {
        for _ in 0..3 {
            let req = test::TestRequest::get()
                .uri("/api/token")
                .insert_header(("authorization", header.as_str()))
                .to_request();
            let body = test::call_and_read_body(&app, req).await;
            assert_eq!(body, token_sent.as_bytes(), "{header:?}");
        }
    }
    assert!(token_cache_stats(&clerk).hits >= 7);
}

#[actix_web::test]
async fn header_tokens_are_verified_once_whether_they_pass_or_fail() {
    use clerk_actix::__fuzz::token_cache_stats;
    use std::time::{Duration, SystemTime};

    let key = SigningKey::generate("kid_once").unwrap();
    let valid = SessionToken::new("user_once").sign(&key);
    let expired = SessionToken::new("user_once")
        .issued_at(SystemTime::now() - Duration::from_secs(3600))
        .sign(&key);
    let forged = SessionToken::new("user_once").sign(&SigningKey::generate("kid_once").unwrap());
    // Validly signed, but Clerk's claim layout cannot read it (a `v` that is no version).
    let unreadable = SessionToken::new("user_once")
        .claim("v", json!("two"))
        .sign(&key);
    let cases = [
        (&valid, StatusCode::OK, None),
        (
            &expired,
            StatusCode::UNAUTHORIZED,
            Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
        ),
        (
            &forged,
            StatusCode::UNAUTHORIZED,
            Some("token-invalid-signature"),
        ),
        (&unreadable, StatusCode::UNAUTHORIZED, Some("token-invalid")),
    ];
    for guarded in [false, true] {
        let clerk = clerk(&key);
        let app = me_app(&clerk, guarded).await;
        for (token, status, reason) in &cases {
            let before = token_cache_stats(&clerk);
            let res = test::call_service(&app, get("/api/me", Some(token))).await;
            assert_eq!(res.status(), *status, "guarded: {guarded}, {reason:?}");
            let sent = res
                .headers()
                .get("x-clerk-auth-reason")
                .map(|v| v.to_str().unwrap());
            assert_eq!(sent, *reason, "guarded: {guarded}");
            // One miss: the lookup by the header's bytes, whose miss the verification takes
            // over. A second would be a second lookup, or a second verification, of the token.
            let after = token_cache_stats(&clerk);
            assert_eq!(
                (after.hits - before.hits, after.misses - before.misses),
                (0, 1),
                "guarded: {guarded}, {reason:?}"
            );
        }
    }
}
