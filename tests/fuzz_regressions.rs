//! Replays the fuzz corpora (`fuzz/corpus/<target>`) and every crash the fuzzers found
//! (`fuzz/regressions/<target>`) through the fuzz targets' own code, so CI keeps them fixed
//! without a nightly toolchain or libFuzzer.

use std::path::{Path, PathBuf};

use actix_web::test as actix_test;
use actix_web::{App, HttpResponse, web};
use clerk_actix::__fuzz::targets;
use clerk_actix::{Auth, Clerk, ClerkMiddleware};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

fn replay(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no inputs for {target}");
    for (path, bytes) in inputs {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails again", path.display());
    }
}

#[test]
fn token_decode() {
    replay("token_decode", targets::token_decode);
}

#[test]
fn cookie_header() {
    replay("cookie_header", targets::cookie_header);
}

#[test]
fn publishable_key() {
    replay("publishable_key", targets::publishable_key);
}

#[test]
fn route_matcher() {
    replay("route_matcher", targets::route_matcher);
}

#[test]
fn webhook_headers() {
    replay("webhook_headers", targets::webhook_headers);
}

async fn state(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().body(auth.status().as_str())
}

/// The `request_headers` target: Authorization, Cookie, Accept and query string separated by
/// `\0`, through the middleware.
#[actix_web::test]
async fn request_headers() {
    let pem = include_str!("fixtures/clerk-js/pem_public_signing_key.pem");
    let clerk = Clerk::builder()
        .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
        .jwt_key(pem)
        .build()
        .expect("valid configuration");
    let app = actix_test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .default_service(web::to(state)),
    )
    .await;
    let inputs = inputs("request_headers");
    assert!(!inputs.is_empty());
    for (path, data) in inputs {
        let req = clerk_actix::__fuzz::targets::request_headers_request(&data);
        let response = actix_test::call_service(&app, req.to_request()).await;
        let status = response.status().as_u16();
        assert!((200..400).contains(&status), "{}: {status}", path.display());
        if response.status().is_redirection() {
            // A handshake: answered by the middleware itself, with somewhere to go.
            assert!(
                response.headers().contains_key("location"),
                "{}",
                path.display()
            );
            continue;
        }
        let body = actix_test::read_body(response).await;
        assert!(
            [&b"signed-in"[..], b"signed-out", b"handshake"].contains(&&body[..]),
            "{}: {body:?}",
            path.display()
        );
    }
}
