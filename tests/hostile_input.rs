//! The adversarial corpus (`tests/corpus`): every token and header case gets exactly the state and
//! reason Clerk's rules give it, on first and repeated use, never echoing the token, never
//! panicking; and a real server shrugs off malformed and oversized requests.

mod corpus;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, test, web};
use clerk_actix::{Auth, Clerk, ClerkMiddleware};
use corpus::Keys;
use serde_json::{Value, json};
use support::MockServer;
use support::fixtures::PK_LIVE;

async fn state(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|r| r.as_str().into_owned()),
        "message": auth.message(),
        "userId": auth.user_id(),
    }))
}

fn clerk(server: &MockServer) -> Clerk {
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .secret_key("sk_test_hostile_corpus")
        .api_url(&server.url)
        .authorized_parties([corpus::AZP])
        .jwks_min_refetch_interval(Duration::from_millis(200))
        .clock(corpus::now)
        .build()
        .expect("valid configuration")
}

#[actix_web::test]
async fn every_corpus_case_gets_its_state_and_reason() {
    let keys = Keys::generate();
    let server = MockServer::jwks(keys.main.jwks());
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk(&server)))
            .default_service(web::to(state)),
    )
    .await;
    let cases = corpus::cases(&keys);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        for attempt in ["first", "repeated"] {
            let response = test::call_service(&app, case.request("/").to_request()).await;
            let headers = format!("{:?}", response.headers());
            let body: Value = test::read_body_json(response).await;
            let got = (body["status"].as_str(), body["reason"].as_str());
            if got != (Some(case.expect.status), case.expect.reason) {
                failures.push(format!("{} ({attempt}): got {body}", case.name));
            }
            if let Some(token) = &case.token {
                // Neither the token nor its signature may be echoed in messages or headers.
                let signature = token.rsplit('.').next().unwrap_or(token);
                let leaked = |text: &str| {
                    text.contains(token.as_str())
                        || (signature.len() > 16 && text.contains(signature))
                };
                if leaked(&body["message"].to_string()) || leaked(&headers) {
                    failures.push(format!("{} ({attempt}): token echoed: {body}", case.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sends raw bytes to `addr` and returns the status line of the answer ("" if none).
fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn a_real_server_survives_malformed_and_oversized_requests() {
    let keys = Keys::generate();
    let clerk = Clerk::builder()
        .publishable_key(PK_LIVE)
        .jwt_key(keys.main.public_key_pem())
        .authorized_parties([corpus::AZP])
        .clock(corpus::now)
        .build()
        .expect("valid configuration");
    let server = HttpServer::new(move || {
        App::new()
            .wrap(ClerkMiddleware::new(clerk.clone()))
            .default_service(web::to(state))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind 127.0.0.1");
    let addr = server.addrs()[0];
    let handle = server.run();
    let server_handle = handle.handle();
    actix_web::rt::spawn(handle);

    let valid = keys.main.sign(&corpus::claims("user_real"));
    let huge = "a".repeat(256 * 1024);
    let many_headers: String = (0..500).map(|i| format!("x-h{i}: v\r\n")).collect();
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        (
            "256 KiB Authorization header",
            format!("GET / HTTP/1.1\r\nhost: a\r\nauthorization: Bearer {huge}\r\n\r\n").into_bytes(),
        ),
        (
            "256 KiB Cookie header",
            format!("GET / HTTP/1.1\r\nhost: a\r\ncookie: __session={huge}\r\n\r\n").into_bytes(),
        ),
        (
            "500 headers",
            format!("GET / HTTP/1.1\r\nhost: a\r\n{many_headers}\r\n").into_bytes(),
        ),
        (
            "non-UTF-8 bytes in the Authorization header",
            [
                &b"GET / HTTP/1.1\r\nhost: a\r\nauthorization: Bearer \xff\xfe\x80\r\nconnection: close\r\n\r\n"[..],
            ]
            .concat(),
        ),
        (
            "control character in a header value",
            b"GET / HTTP/1.1\r\nhost: a\r\nauthorization: Bearer a\x01b\r\n\r\n".to_vec(),
        ),
        ("garbage request line", b"\x00\x01\x02 nonsense\r\n\r\n".to_vec()),
    ];
    for (name, request) in &hostile {
        let request = request.clone();
        let status = actix_web::rt::task::spawn_blocking(move || raw_exchange(addr, &request))
            .await
            .expect("client thread");
        assert!(
            status.is_empty() || status.starts_with("HTTP/1.1 "),
            "{name}: {status:?}"
        );
        assert!(!status.contains(" 500"), "{name}: {status}");
    }
    // Still serving, and still verifying.
    let request = format!(
        "GET / HTTP/1.1\r\nhost: a\r\naccept: application/json\r\nauthorization: Bearer {valid}\r\nconnection: close\r\n\r\n"
    );
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .expect("client thread");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"signed-in\""), "{answer}");
    server_handle.stop(false).await;
}
