//! The JWKS cache against a local Backend API that counts requests: single flight, rate limits,
//! stale keys on errors, recovery, key rotation and per-secret scoping.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix_web::test;
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Clerk, ClerkBuilder};
use futures_util::future::join_all;
use serde_json::{Value, json};
use support::fixtures::PK_LIVE;
use support::harness::state_app;
use support::{MockServer, Reply};

fn builder(server: &MockServer, secret: &str) -> ClerkBuilder {
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .secret_key(secret)
        .api_url(&server.url)
        .jwks_min_refetch_interval(Duration::from_millis(300))
        .jwks_timeouts(Duration::from_millis(500), Duration::from_secs(3))
}

fn bearer(token: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri("/")
        .insert_header(("authorization", format!("Bearer {token}")))
}

async fn call<S, B>(app: &S, req: test::TestRequest) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    test::read_body_json(test::call_service(app, req.to_request()).await).await
}

fn token(key: &SigningKey) -> String {
    SessionToken::new("user_1").sign(key)
}

#[actix_web::test]
async fn concurrent_misses_share_one_fetch() {
    let key = SigningKey::generate("kid_1").unwrap();
    let jwks = key.jwks();
    let server =
        MockServer::start(move |_| Reply::json(200, &jwks).delayed(Duration::from_millis(300)));
    // A generous attempt timeout: a retry under a loaded machine would be a second request.
    let clerk = builder(&server, "sk_test_single_flight")
        .jwks_timeouts(Duration::from_secs(5), Duration::from_secs(10))
        .build()
        .unwrap();
    let app = state_app(clerk).await;
    let token = token(&key);
    let results = join_all((0..1000).map(|_| call(&app, bearer(&token)))).await;
    assert!(
        results.iter().all(|r| r["status"] == "signed-in"),
        "{:?}",
        results.iter().find(|r| r["status"] != "signed-in")
    );
    assert_eq!(
        server.hits(),
        1,
        "1000 concurrent requests with a new kid → exactly one JWKS fetch"
    );
    // Known kid: no network at all afterwards.
    for _ in 0..100 {
        assert_eq!(call(&app, bearer(&token)).await["status"], "signed-in");
    }
    assert_eq!(server.hits(), 1);
}

#[actix_web::test]
async fn a_flood_of_unknown_kids_is_rate_limited() {
    let key = SigningKey::generate("kid_real").unwrap();
    let jwks = key.jwks();
    let server = MockServer::start(move |_| Reply::json(200, &jwks));
    let app = state_app(builder(&server, "sk_test_flood").build().unwrap()).await;
    let started = Instant::now();
    let mut mismatches = 0;
    for i in 0..2000 {
        let forged = key.sign_with_header(
            &json!({"alg": "RS256", "kid": format!("bogus_{i}"), "typ": "JWT"}),
            &SessionToken::new("user_1").claims(),
        );
        let out = call(&app, bearer(&forged)).await;
        assert_eq!(out["status"], "signed-out");
        if out["reason"] == "jwk-kid-mismatch" {
            mismatches += 1;
        }
    }
    let elapsed = started.elapsed();
    let allowed = 1 + (elapsed.as_millis() / 300) as usize + 1;
    assert_eq!(mismatches, 2000);
    assert!(
        server.hits() <= allowed,
        "{} fetches in {elapsed:?}, at most {allowed} allowed",
        server.hits()
    );
    // The real key still works at once.
    assert_eq!(
        call(&app, bearer(&token(&key))).await["status"],
        "signed-in"
    );
}

#[actix_web::test]
async fn known_keys_survive_a_failing_refresh() {
    let key = SigningKey::generate("kid_stale").unwrap();
    let jwks = key.jwks();
    let down = Arc::new(AtomicBool::new(false));
    let flag = down.clone();
    let server = MockServer::start(move |_| {
        if flag.load(Ordering::SeqCst) {
            Reply::json(
                503,
                &json!({"errors": [{"code": "unavailable", "message": "down"}]}),
            )
        } else {
            Reply::json(200, &jwks)
        }
    });
    let clerk = builder(&server, "sk_test_stale")
        .jwks_freshness(Duration::from_millis(100))
        .build()
        .unwrap();
    let app = state_app(clerk).await;
    let token = token(&key);
    assert_eq!(call(&app, bearer(&token)).await["status"], "signed-in");
    down.store(true, Ordering::SeqCst);
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(call(&app, bearer(&token)).await["status"], "signed-in");
    }
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "stale keys are served without waiting"
    );
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    assert!(server.hits() > 1, "a background refresh was attempted");
    assert_eq!(call(&app, bearer(&token)).await["status"], "signed-in");
}

#[actix_web::test]
async fn down_at_start_then_recovers_without_restart() {
    let key = SigningKey::generate("kid_recover").unwrap();
    let jwks = key.jwks();
    let up = Arc::new(AtomicBool::new(false));
    let flag = up.clone();
    let server = MockServer::start(move |_| {
        if flag.load(Ordering::SeqCst) {
            Reply::json(200, &jwks)
        } else {
            Reply::json(
                500,
                &json!({"errors": [{"code": "internal_clerk_error", "message": "boom"}]}),
            )
        }
    });
    let app = state_app(builder(&server, "sk_test_recover").build().unwrap()).await;
    let token = token(&key);
    let started = Instant::now();
    let out = call(&app, bearer(&token)).await;
    assert_eq!(out["status"], "signed-out");
    assert_eq!(out["reason"], "jwk-remote-failed-to-load");
    assert!(
        out["message"].as_str().unwrap().contains("code=500"),
        "{out}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "bounded by the wait timeout"
    );
    assert!(server.hits() >= 2, "5xx is retried with backoff");
    up.store(true, Ordering::SeqCst);
    actix_web::rt::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(call(&app, bearer(&token)).await["status"], "signed-in");
}

#[actix_web::test]
async fn invalid_secret_key_is_reported_and_not_retried() {
    let server = MockServer::start(|_| {
        Reply::json(
            401,
            &json!({"errors": [{"code": "clerk_key_invalid", "message": "The provided Clerk Secret Key is invalid.", "long_message": "x"}]}),
        )
    });
    let key = SigningKey::generate("kid_x").unwrap();
    let app = state_app(builder(&server, "sk_test_wrong").build().unwrap()).await;
    let out = call(&app, bearer(&token(&key))).await;
    assert_eq!(out["reason"], "secret-key-invalid");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .starts_with("The provided Clerk Secret Key is invalid.")
    );
    assert_eq!(server.hits(), 1);
}

#[actix_web::test]
async fn rotation_new_kid_is_fetched_and_removed_keys_stop_working() {
    let old = SigningKey::generate("kid_old").unwrap();
    let new = SigningKey::generate("kid_new").unwrap();
    let (old_jwks, new_jwks) = (old.jwks(), new.jwks());
    let rotated = Arc::new(AtomicBool::new(false));
    let flag = rotated.clone();
    let server = MockServer::start(move |_| {
        Reply::json(
            200,
            if flag.load(Ordering::SeqCst) {
                &new_jwks
            } else {
                &old_jwks
            },
        )
    });
    let app = state_app(builder(&server, "sk_test_rotation").build().unwrap()).await;
    assert_eq!(
        call(&app, bearer(&token(&old))).await["status"],
        "signed-in"
    );
    rotated.store(true, Ordering::SeqCst);
    actix_web::rt::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(
        call(&app, bearer(&token(&new))).await["status"],
        "signed-in"
    );
    assert_eq!(server.hits(), 2);
    let out = call(&app, bearer(&token(&old))).await;
    assert_eq!(
        out["reason"], "jwk-kid-mismatch",
        "a key that left the JWKS no longer verifies"
    );
}

#[actix_web::test]
async fn caches_are_scoped_by_secret_key() {
    let key = SigningKey::generate("kid_scope").unwrap();
    let jwks = key.jwks();
    let server = MockServer::start(move |_| Reply::json(200, &jwks));
    let a = state_app(builder(&server, "sk_test_a").build().unwrap()).await;
    let b = state_app(builder(&server, "sk_test_b").build().unwrap()).await;
    let a_again = state_app(builder(&server, "sk_test_a").build().unwrap()).await;
    let token = token(&key);
    assert_eq!(call(&a, bearer(&token)).await["status"], "signed-in");
    assert_eq!(call(&a_again, bearer(&token)).await["status"], "signed-in");
    assert_eq!(
        server.hits(),
        1,
        "same (url, version, secret) → one shared cache"
    );
    assert_eq!(call(&b, bearer(&token)).await["status"], "signed-in");
    assert_eq!(server.hits(), 2, "another secret key → its own cache");
    let auths: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.headers["authorization"].clone())
        .collect();
    assert_eq!(auths, ["Bearer sk_test_a", "Bearer sk_test_b"]);
}

#[actix_web::test]
async fn slow_jwks_does_not_hold_requests_past_the_wait_timeout() {
    let key = SigningKey::generate("kid_slow").unwrap();
    let jwks = key.jwks();
    let server =
        MockServer::start(move |_| Reply::json(200, &jwks).delayed(Duration::from_secs(5)));
    let clerk = builder(&server, "sk_test_slow")
        .jwks_timeouts(Duration::from_millis(300), Duration::from_millis(700))
        .build()
        .unwrap();
    let app = state_app(clerk).await;
    let started = Instant::now();
    let out = call(&app, bearer(&token(&key))).await;
    assert_eq!(out["reason"], "jwk-remote-failed-to-load");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "waited {:?}",
        started.elapsed()
    );
}
