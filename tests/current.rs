//! Request helpers backed by the Backend API: CurrentUser (once per request, optional TTL cache),
//! CurrentSession, CurrentOrganization, SessionList, the ClerkClient extractor and get_token.

#![allow(clippy::unwrap_used)] // helpers of integration tests: a panic is a test failure

mod support;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, test, web};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{
    Auth, Clerk, ClerkClient, ClerkMiddleware, CurrentOrganization, CurrentSession, CurrentUser,
    SessionList, TokenOptions, current_user,
};
use serde_json::{Value, json};
use support::fixtures::{self, PK_LIVE};
use support::{MockServer, Reply};

fn user_json(id: &str) -> Value {
    let mut user = fixtures::json("user.json");
    user["id"] = json!(id);
    user["future_field_from_clerk"] = json!({"nested": [1, 2]});
    user
}

fn backend() -> MockServer {
    MockServer::start(|req| {
        let path = req.path.split('?').next().unwrap_or_default();
        match (req.method.as_str(), path) {
            ("GET", p) if p.starts_with("/v1/users/") => {
                Reply::json(200, &user_json(&p["/v1/users/".len()..]))
            }
            ("GET", "/v1/sessions/sess_1") => Reply::json(
                200,
                &json!({
                    "object": "session", "id": "sess_1", "user_id": "user_1", "client_id": "client_1", "status": "active",
                    "last_active_at": 1, "expire_at": 2, "abandon_at": 3, "updated_at": 4, "created_at": 5
                }),
            ),
            ("GET", "/v1/sessions") => Reply::json(
                200,
                &json!({"data": [{
                "object": "session", "id": "sess_1", "user_id": "user_1", "client_id": "client_1", "status": "active",
                "last_active_at": 1, "expire_at": 2, "abandon_at": 3, "updated_at": 4, "created_at": 5
            }], "total_count": 1}),
            ),
            ("GET", "/v1/organizations/org_1") => Reply::json(
                200,
                &json!({
                    "object": "organization", "id": "org_1", "name": "Acme", "slug": "acme", "has_image": false,
                    "max_allowed_memberships": 5, "admin_delete_enabled": true, "public_metadata": {}, "created_at": 1, "updated_at": 2
                }),
            ),
            ("POST", "/v1/sessions/sess_1/tokens/supabase") => {
                Reply::json(200, &json!({"object": "token", "jwt": "minted.jwt.value"}))
            }
            _ => Reply::json(
                404,
                &json!({"errors": [{"code": "resource_not_found", "message": "not found", "long_message": "not found"}]}),
            ),
        }
    })
}

fn clerk(key: &SigningKey, server: &MockServer, cache: Option<Duration>) -> Clerk {
    let mut builder = Clerk::builder()
        .publishable_key(PK_LIVE)
        .secret_key("sk_test_current")
        .jwt_key(key.public_key_pem())
        .api_url(&server.url);
    if let Some(ttl) = cache {
        builder = builder.user_cache_ttl(ttl);
    }
    builder.build().unwrap()
}

async fn user_twice(user: CurrentUser, req: HttpRequest) -> HttpResponse {
    let again = current_user(&req).await.unwrap().unwrap();
    assert_eq!(again.id, user.id);
    HttpResponse::Ok().json(json!({"user": user.raw()}))
}

async fn optional(user: Option<CurrentUser>) -> String {
    user.map_or_else(|| "none".to_owned(), |u| u.id.clone())
}

async fn session(session: CurrentSession) -> String {
    session.id.clone()
}

async fn organization(org: Option<CurrentOrganization>) -> String {
    org.map_or_else(|| "none".to_owned(), |o| o.slug.clone())
}

async fn sessions(list: SessionList) -> String {
    list.len().to_string()
}

async fn client(client: ClerkClient) -> String {
    client.users().get("user_direct").await.unwrap().id
}

async fn token(auth: Auth) -> String {
    let template = TokenOptions {
        template: Some("supabase".into()),
        ..TokenOptions::default()
    };
    let minted = auth.get_token(template).await.unwrap().unwrap();
    let plain = auth
        .get_token(TokenOptions::default())
        .await
        .unwrap()
        .unwrap();
    format!("{minted} {}", plain == auth.token().unwrap())
}

macro_rules! app {
    ($clerk:expr) => {
        test::init_service(
            App::new().wrap(ClerkMiddleware::new($clerk)).service(
                web::scope("")
                    .route("/user", web::get().to(user_twice))
                    .route("/optional", web::get().to(optional))
                    .route("/session", web::get().to(session))
                    .route("/organization", web::get().to(organization))
                    .route("/sessions", web::get().to(sessions))
                    .route("/client", web::get().to(client))
                    .route("/token", web::get().to(token)),
            ),
        )
        .await
    };
}

fn get(path: &str, token: Option<&str>) -> actix_http::Request {
    let mut req = test::TestRequest::get().uri(path);
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    req.to_request()
}

fn user_fetches(server: &MockServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/users/user_1"))
        .count()
}

#[actix_web::test]
async fn current_user_is_fetched_once_per_request_and_returned_verbatim() {
    let key = SigningKey::generate("kid").unwrap();
    let server = backend();
    let app = app!(clerk(&key, &server, None));
    let token = SessionToken::new("user_1").session_id("sess_1").sign(&key);
    let body: Value = test::call_and_read_body_json(&app, get("/user", Some(&token))).await;
    assert_eq!(
        body["user"],
        user_json("user_1"),
        "the User object as the Backend API returned it"
    );
    assert_eq!(
        user_fetches(&server),
        1,
        "CurrentUser + current_user() in one request → one call"
    );
    let _: Value = test::call_and_read_body_json(&app, get("/user", Some(&token))).await;
    assert_eq!(user_fetches(&server), 2, "no cache unless enabled");
    let call = &server.requests()[0];
    assert_eq!(call.headers["authorization"], "Bearer sk_test_current");
    assert_eq!(call.headers["clerk-api-version"], "2026-05-12");
}

#[actix_web::test]
async fn user_cache_serves_repeat_requests_within_its_ttl() {
    let key = SigningKey::generate("kid").unwrap();
    let server = backend();
    let app = app!(clerk(&key, &server, Some(Duration::from_millis(300))));
    let token = SessionToken::new("user_1").sign(&key);
    for _ in 0..5 {
        let _: Value = test::call_and_read_body_json(&app, get("/user", Some(&token))).await;
    }
    assert_eq!(user_fetches(&server), 1);
    actix_web::rt::time::sleep(Duration::from_millis(350)).await;
    let _: Value = test::call_and_read_body_json(&app, get("/user", Some(&token))).await;
    assert_eq!(
        user_fetches(&server),
        2,
        "expired entries are fetched again"
    );
}

#[actix_web::test]
async fn signed_out_gets_401_or_none_and_no_backend_call() {
    let key = SigningKey::generate("kid").unwrap();
    let server = backend();
    let app = app!(clerk(&key, &server, None));
    let res = test::call_service(&app, get("/user", None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        test::call_and_read_body(&app, get("/optional", None)).await,
        "none"
    );
    assert_eq!(
        test::call_service(&app, get("/session", None))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        test::call_service(&app, get("/sessions", None))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(server.hits(), 0);
}

#[actix_web::test]
async fn session_organization_session_list_client_and_tokens() {
    let key = SigningKey::generate("kid").unwrap();
    let server = backend();
    let app = app!(clerk(&key, &server, None));
    let with_org = SessionToken::new("user_1")
        .session_id("sess_1")
        .organization("org_1", "acme", "admin", &[])
        .sign(&key);
    let without_org = SessionToken::new("user_1").session_id("sess_1").sign(&key);
    assert_eq!(
        test::call_and_read_body(&app, get("/session", Some(&with_org))).await,
        "sess_1"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/organization", Some(&with_org))).await,
        "acme"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/organization", Some(&without_org))).await,
        "none"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/sessions", Some(&with_org))).await,
        "1"
    );
    let list_call = server
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/v1/sessions?"))
        .unwrap();
    assert!(
        list_call.path.contains("user_id=user_1") && list_call.path.contains("status=active"),
        "{}",
        list_call.path
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/client", Some(&with_org))).await,
        "user_direct"
    );
    assert_eq!(
        test::call_and_read_body(&app, get("/token", Some(&with_org))).await,
        "minted.jwt.value true"
    );
}

#[actix_web::test]
async fn backend_failures_are_typed_responses() {
    let key = SigningKey::generate("kid").unwrap();
    let server = MockServer::start(|_| {
        Reply::json(
            500,
            &json!({"errors": [{"code": "internal_clerk_error", "message": "boom", "long_message": "boom"}]}),
        )
    });
    let app = app!(clerk(&key, &server, None));
    let token = SessionToken::new("user_1").sign(&key);
    let res = test::call_service(&app, get("/user", Some(&token))).await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["errors"][0]["code"], "clerk_api_error");
    assert!(!body.to_string().contains("sk_test_current"));
}
