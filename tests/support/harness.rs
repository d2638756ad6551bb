//! Runs one request through `ClerkMiddleware` and reports the resulting auth state: the shared
//! harness of the conformance suites (`tests/conformance*.rs`) and of the suites that compare
//! states (`tests/token_cache_equivalence.rs`, `tests/fault_injection.rs`, `tests/jwks.rs`).

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{App, HttpResponse, test, web};
use clerk_actix::{Auth, Clerk, ClerkBuilder, ClerkMiddleware};
use serde_json::{Value, json};

use super::MockServer;
use super::fixtures::{self, at};

/// Everything a handler can learn about the request's auth, as JSON.
async fn state(auth: Auth) -> HttpResponse {
    let machine = auth.machine().map(|m| {
        json!({
            "id": m.id,
            "subject": m.subject,
            "scopes": m.scopes,
            "claims": m.claims,
            "name": m.name,
            "clientId": m.client_id,
            "userId": m.user_id(),
            "orgId": m.org_id(),
            "machineId": m.machine_id(),
        })
    });
    HttpResponse::Ok().json(json!({
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|r| r.as_str().into_owned()),
        "message": auth.message(),
        "userId": auth.user_id(),
        "sessionId": auth.session_id(),
        "orgId": auth.org_id(),
        "orgRole": auth.org_role(),
        "orgSlug": auth.org_slug(),
        "orgPermissions": auth.org_permissions(),
        "tokenType": auth.token_type().map(|t| t.as_str()),
        "token": auth.token(),
        "isSignedIn": auth.is_signed_in(),
        "isAuthenticated": auth.is_authenticated(),
        "machine": machine,
    }))
}

/// The auth state of one request and the response headers.
pub struct Outcome {
    /// The handler's view (see `state`), or for a redirect the state read from its headers.
    pub state: Value,
    pub headers: HeaderMap,
    /// Whether the middleware answered with a `307` instead of calling the handler.
    pub redirected: bool,
}

impl Outcome {
    pub fn status(&self) -> &str {
        self.state["status"].as_str().unwrap_or("<none>")
    }

    pub fn reason(&self) -> Option<&str> {
        self.state["reason"].as_str()
    }

    pub fn message(&self) -> Option<&str> {
        self.state["message"].as_str()
    }

    pub fn location(&self) -> url::Url {
        url::Url::parse(self.header("location")).expect("a Location header with a URL")
    }

    /// A query parameter of the `Location`, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.location()
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<missing>")
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    pub fn assert(&self, status: &str, reason: Option<&str>) {
        assert_eq!(
            (self.status(), self.reason()),
            (status, reason),
            "{}",
            self.state
        );
    }
}

/// An app wrapped in `ClerkMiddleware::new(clerk)` whose every route answers the request's auth
/// state as JSON (see `state`).
pub async fn state_app(
    clerk: Clerk,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .default_service(web::to(state)),
    )
    .await
}

/// Sends `req` through [`state_app`].
pub async fn run(clerk: Clerk, req: test::TestRequest) -> Outcome {
    let app = state_app(clerk).await;
    let res = test::call_service(&app, req.to_request()).await;
    let headers = res.headers().clone();
    if res.status() == StatusCode::TEMPORARY_REDIRECT {
        // A handshake never reaches the handler: read the state from the redirect's headers.
        let decoded = |name: &str| {
            headers.get(name).map(|v| {
                let value = v.to_str().expect("percent-encoded debug headers are ASCII");
                percent_encoding::percent_decode_str(value)
                    .decode_utf8()
                    .expect("debug headers encode UTF-8")
                    .into_owned()
            })
        };
        let state = json!({
            "status": decoded("x-clerk-auth-status"),
            "reason": decoded("x-clerk-auth-reason"),
            "message": decoded("x-clerk-auth-message"),
        });
        return Outcome {
            state,
            headers,
            redirected: true,
        };
    }
    assert_eq!(res.status(), StatusCode::OK, "the handler always answers");
    let state: Value = test::read_body_json(res).await;
    Outcome {
        state,
        headers,
        redirected: false,
    }
}

/// Spec §6 defaults: `GET http://clerk.com/path` with `host: example.com`, `sec-fetch-dest: document`
/// (so the request URL is `http://example.com/path` and a browser navigation).
pub fn request() -> test::TestRequest {
    test::TestRequest::get()
        .uri("/path")
        .insert_header(("host", "example.com"))
        .insert_header(("user-agent", "Mozilla/TestAgent"))
        .insert_header(("sec-fetch-dest", "document"))
}

/// An API client's request: no `Sec-Fetch-Dest`, JSON accepted (never sent through a handshake).
pub fn api_request() -> test::TestRequest {
    test::TestRequest::get()
        .uri("/path")
        .insert_header(("host", "example.com"))
        .insert_header(("accept", "application/json"))
}

pub fn bearer(req: test::TestRequest, token: &str) -> test::TestRequest {
    req.insert_header(("authorization", format!("Bearer {token}")))
}

pub fn with_cookies(req: test::TestRequest, cookies: &[(&str, &str)]) -> test::TestRequest {
    let header: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
    req.insert_header(("cookie", header.join("; ")))
}

/// Clerk with keys from `server` (as the Backend API) and the clock at `now` seconds.
pub fn clerk(server: &MockServer, pk: &str, secret: &str, now: u64) -> ClerkBuilder {
    Clerk::builder()
        .publishable_key(pk)
        .secret_key(secret)
        .api_url(&server.url)
        .clock(move || at(now))
}

/// A Backend API serving the fixtures' JWKS (`mockJwks`).
pub fn jwks_server() -> MockServer {
    MockServer::jwks(fixtures::json("jwks_mock.json"))
}

/// Clerk verifying with `key` (networkless PEM) at `now` seconds.
pub fn own_key_clerk(key: &clerk_actix::dev::SigningKey, pk: &str, now: u64) -> ClerkBuilder {
    Clerk::builder()
        .publishable_key(pk)
        .jwt_key(key.public_key_pem())
        .clock(move || at(now))
}

/// One RSA key for the whole test binary (generating one takes a noticeable fraction of a second).
pub fn signing_key() -> &'static clerk_actix::dev::SigningKey {
    static KEY: std::sync::OnceLock<clerk_actix::dev::SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        clerk_actix::dev::SigningKey::generate("ins_own").expect("RSA key generation")
    })
}

/// Another key with the same `kid`: its signatures must never verify with [`signing_key`].
pub fn other_signing_key() -> &'static clerk_actix::dev::SigningKey {
    static KEY: std::sync::OnceLock<clerk_actix::dev::SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        clerk_actix::dev::SigningKey::generate("ins_own").expect("RSA key generation")
    })
}

/// A Backend API verifying opaque machine tokens with the fixtures' results
/// (`machine_tokens.json`). Tokens ending in `_invalid` are unknown (404), in `_boom` fail
/// (500), in `_unauthorized` meet a rejected secret key (401).
pub fn machine_api() -> MockServer {
    use super::Reply;
    let results = fixtures::json("machine_tokens.json")["mockVerificationResults"].clone();
    MockServer::start(move |req| {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let (kind, token) = match req.path.as_str() {
            "/api_keys/verify" => ("api_key", body["secret"].clone()),
            "/m2m_tokens/verify" => ("m2m_token", body["token"].clone()),
            "/oauth_applications/access_tokens/verify" => {
                ("oauth_token", body["access_token"].clone())
            }
            _ => return Reply::json(404, &json!({"errors": []})),
        };
        let token = token.as_str().unwrap_or_default();
        let error = |status, code: &str, message: &str| {
            Reply::json(
                status,
                &json!({"errors": [{"code": code, "message": message, "long_message": message}]}),
            )
        };
        if token.ends_with("_invalid") {
            return error(404, "resource_not_found", "not found");
        }
        if token.ends_with("_boom") {
            return error(500, "internal_clerk_error", "boom");
        }
        if token.ends_with("_unauthorized") {
            return error(401, "authentication_invalid", "The secret key is not valid");
        }
        // The wire is snake_case; the fixture is the JS SDK's camelCase view of it.
        let camel = &results[kind];
        Reply::json(
            200,
            &json!({
                "object": kind, "id": camel["id"], "subject": camel["subject"], "scopes": camel["scopes"],
                "claims": camel["claims"], "name": camel["name"], "client_id": camel["clientId"],
            }),
        )
    })
}
