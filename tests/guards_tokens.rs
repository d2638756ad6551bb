//! Guards and token kinds: routes that accept machine tokens (API keys, M2M, OAuth) through the
//! `token` option of the attributes and of `Protect`.

mod support;

use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, get, test, web};
use clerk_actix::dev::SessionToken;
use clerk_actix::{
    AcceptsToken, Auth, ClerkMiddleware, Protect, Requirement, TokenType, protect, require_auth,
};
use support::fixtures::{NOW_S, PK_TEST, at};
use support::harness;

#[get("/keys")]
#[require_auth(token = "api_key")]
async fn api_keys_only(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().body(
        auth.machine()
            .map(|m| m.subject.clone())
            .unwrap_or_default(),
    )
}

#[get("/any")]
#[require_auth(token = "any")]
async fn any_token(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().body(auth.token_type().map_or("none", |t| t.as_str()))
}

#[get("/sessions")]
#[require_auth]
async fn sessions_only() -> &'static str {
    "session"
}

#[get("/admin-key")]
#[protect(role = "admin", token = "any")]
async fn admin_any() -> &'static str {
    "admin"
}

async fn ok() -> &'static str {
    "ok"
}

#[actix_web::test]
async fn token_kinds_per_route() {
    let server = harness::machine_api();
    let key = harness::signing_key();
    let clerk = harness::clerk(&server, PK_TEST, "sk_test_guards", NOW_S)
        .jwt_key(key.public_key_pem())
        .accepts_token(AcceptsToken::Any)
        .build()
        .unwrap();
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .service(api_keys_only)
            .service(any_token)
            .service(sessions_only)
            .service(admin_any)
            .service(
                web::scope("/m2m")
                    .wrap(
                        Protect::new(Requirement::SignedIn)
                            .token(AcceptsToken::AnyOf(vec![TokenType::M2mToken])),
                    )
                    .route("", web::get().to(ok)),
            ),
    )
    .await;
    let session = SessionToken::new("user_1")
        .issued_at(at(NOW_S))
        .organization("org_1", "acme", "admin", &[])
        .sign(key);
    let call = |path: &str, token: &str| {
        test::TestRequest::get()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request()
    };
    let cases: [(&str, &str, StatusCode); 11] = [
        ("/keys", "ak_valid", StatusCode::OK),
        ("/keys", "mt_valid", StatusCode::UNAUTHORIZED),
        ("/keys", &session, StatusCode::UNAUTHORIZED),
        ("/keys", "ak_invalid", StatusCode::UNAUTHORIZED),
        ("/any", "oat_valid", StatusCode::OK),
        ("/any", &session, StatusCode::OK),
        ("/sessions", "ak_valid", StatusCode::UNAUTHORIZED),
        ("/sessions", &session, StatusCode::OK),
        ("/admin-key", "ak_valid", StatusCode::FORBIDDEN),
        ("/m2m", "mt_valid", StatusCode::OK),
        ("/m2m", "ak_valid", StatusCode::UNAUTHORIZED),
    ];
    for (path, token, expected) in cases {
        let res = test::call_service(&app, call(path, token)).await;
        assert_eq!(
            res.status(),
            expected,
            "{path} with {}",
            &token[..token.len().min(12)]
        );
    }
    let body = test::call_and_read_body(&app, call("/keys", "ak_valid")).await;
    assert_eq!(body, "user_2vYVtestTESTtestTESTtestTESTtest");
    let body = test::call_and_read_body(&app, call("/admin-key", &session)).await;
    assert_eq!(
        body, "admin",
        "a session with the role passes a route that also accepts machines"
    );
}
