//! Fault injection against local servers on 127.0.0.1: a JWKS endpoint that refuses connections,
//! hangs, resets, answers 5xx or 429, or sends truncated, non-JSON, empty or oversized bodies,
//! for a moment or for a long time; and the Backend API client under the same faults.
//!
//! Every case must end in a typed error or a signed-out state with Clerk's reason, within the
//! configured timeouts, without a panic, and without the token or the secret key in any log line
//! (all tracing events of the process are captured).
//!
//! `tests/jwks.rs` already covers single flight, the refetch rate limit, 5xx at start, a failing
//! refresh, rotation and a slow JWKS; `tests/bapi_client.rs` covers the client's retries and
//! decode errors. This file adds what they do not.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use actix_web::test;
use clerk_actix::client::{ApiError, RetryPolicy};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Clerk, ClerkBuilder, ClerkClient};
use futures_util::future::join_all;
use serde_json::{Value, json};
use support::fixtures::PK_LIVE;
use support::harness::state_app;

// ---------------------------------------------------------------------------------------------
// Every tracing event of the process, formatted, so tests can look for leaked secrets.

struct Capture;

static LOG: Mutex<String> = Mutex::new(String::new());

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        LOG.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(&(line + "\n"));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("record");
        values.record(&mut Fields(&mut line));
        LOG.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(&(line + "\n"));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("{} {}", event.metadata().level(), event.metadata().target());
        event.record(&mut Fields(&mut line));
        LOG.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_str(&(line + "\n"));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = tracing::subscriber::set_global_default(Capture);
    });
}

/// Panics when any captured log line contains one of `secrets`.
fn assert_not_logged(secrets: &[&str]) {
    let log = LOG.lock().unwrap_or_else(PoisonError::into_inner).clone();
    for secret in secrets {
        assert!(
            !log.contains(secret),
            "leaked {secret:.12}… in the logs:\n{log}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A server on a fixed 127.0.0.1 port whose behaviour can be switched while it runs, including
// not listening at all.

#[derive(Clone, Debug, PartialEq)]
enum Mode {
    /// 200 with this body.
    Up(Vec<u8>),
    /// No listener on the port: connections are refused.
    Refuse,
    /// Accept and read the request, then never answer (until the mode changes).
    Hang,
    /// Accept and close at once without an answer.
    Reset,
    /// This status with a Clerk error body and these headers.
    Status(u16, Vec<(&'static str, &'static str)>),
    /// Announce 4 KiB, send 100 bytes of JSON, close.
    Truncated,
    /// 200 with an HTML body.
    NotJson,
    /// 200 with 2 MiB of body (above every client's limit).
    Huge,
}

struct Flaky {
    url: String,
    mode: Arc<Mutex<Mode>>,
    hits: Arc<AtomicUsize>,
}

impl Flaky {
    fn start(mode: Mode) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mode = Arc::new(Mutex::new(mode));
        let hits = Arc::new(AtomicUsize::new(0));
        let (m, h) = (Arc::clone(&mode), Arc::clone(&hits));
        std::thread::spawn(move || {
            let mut listener: Option<TcpListener> = None;
            loop {
                let refuse = *m.lock().unwrap_or_else(PoisonError::into_inner) == Mode::Refuse;
                if refuse {
                    listener = None;
                } else if listener.is_none() {
                    // std sets SO_REUSEADDR, so the port can be bound again after a refusal.
                    listener = TcpListener::bind(("127.0.0.1", port)).ok();
                    if let Some(l) = &listener {
                        l.set_nonblocking(true).expect("nonblocking");
                    }
                }
                match listener.as_ref().map(TcpListener::accept) {
                    Some(Ok((stream, _))) => {
                        let (m, h) = (Arc::clone(&m), Arc::clone(&h));
                        std::thread::spawn(move || answer(stream, &m, &h));
                    }
                    _ => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            mode,
            hits,
        }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap_or_else(PoisonError::into_inner) = mode;
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, mode: &Mutex<Mode>, hits: &AtomicUsize) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let current = mode.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let respond = |stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]| {
        let mut out = format!(
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        let _ = stream.write_all(out.as_bytes());
        let _ = stream.write_all(body);
    };
    match current {
        Mode::Up(body) => respond(
            &mut stream,
            200,
            &[("content-type", "application/json")],
            &body,
        ),
        Mode::Refuse | Mode::Reset => {}
        Mode::Hang => {
            let until = Instant::now() + Duration::from_secs(30);
            while Instant::now() < until
                && *mode.lock().unwrap_or_else(PoisonError::into_inner) == Mode::Hang
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Mode::Status(status, headers) => {
            let body = json!({"errors": [{"code": "unavailable", "message": "injected fault"}]});
            let mut all = vec![("content-type", "application/json")];
            all.extend(headers.iter().copied());
            respond(&mut stream, status, &all, body.to_string().as_bytes());
        }
        Mode::Truncated => {
            let head =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&br#"{"keys":[{"kid":"kid_1","kty":"RSA","n":"#[..]);
            let _ = stream.write_all(&[b'A'; 60]);
        }
        Mode::NotJson => respond(
            &mut stream,
            200,
            &[("content-type", "text/html")],
            b"<html>Bad gateway</html>",
        ),
        Mode::Huge => respond(
            &mut stream,
            200,
            &[("content-type", "application/json")],
            &vec![b' '; 2 << 20],
        ),
    }
    let _ = stream.flush();
}

// ---------------------------------------------------------------------------------------------

/// (answer, how long it took)
async fn call<S, B>(app: &S, token: &str) -> (Value, Duration)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let started = Instant::now();
    let req = test::TestRequest::get()
        .uri("/")
        .insert_header(("accept", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .to_request();
    let body = test::read_body_json(test::call_service(app, req).await).await;
    (body, started.elapsed())
}

const WAIT: Duration = Duration::from_millis(700);
/// Scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_millis(600);

fn builder(server: &Flaky, secret: &str) -> ClerkBuilder {
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .secret_key(secret)
        .api_url(&server.url)
        .jwks_min_refetch_interval(Duration::from_millis(100))
        .jwks_timeouts(Duration::from_millis(200), WAIT)
}

fn token(key: &SigningKey, user: &str) -> String {
    SessionToken::new(user).sign(key)
}

#[actix_web::test]
async fn jwks_refusing_connections_at_start_then_recovering_without_restart() {
    capture_logs();
    let key = SigningKey::generate("kid_refused").unwrap();
    let server = Flaky::start(Mode::Refuse);
    let secret = "sk_test_fault_refused_0123456789";
    let app = state_app(builder(&server, secret).build().unwrap()).await;
    let token = token(&key, "user_refused");

    let (out, took) = call(&app, &token).await;
    assert_eq!(out["status"], "signed-out");
    assert_eq!(out["reason"], "jwk-remote-failed-to-load", "{out}");
    assert!(took <= WAIT + SLACK, "waited {took:?}");
    let (out, took) = call(&app, &token).await;
    assert_eq!(out["reason"], "jwk-remote-failed-to-load", "{out}");
    assert!(took <= WAIT + SLACK, "waited {took:?}");

    server.set(Mode::Up(key.jwks().to_string().into_bytes()));
    // The failed fetch may still be backing off; within a few seconds a request gets through.
    let started = Instant::now();
    loop {
        let (out, took) = call(&app, &token).await;
        assert!(took <= WAIT + SLACK, "waited {took:?}");
        if out["status"] == "signed-in" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never recovered: {out}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_not_logged(&[&token, secret]);
}

#[actix_web::test]
async fn jwks_down_for_a_long_time_known_kids_keep_verifying() {
    capture_logs();
    let known = SigningKey::generate("kid_known").unwrap();
    let unknown = SigningKey::generate("kid_unknown").unwrap();
    let server = Flaky::start(Mode::Up(known.jwks().to_string().into_bytes()));
    let secret = "sk_test_fault_long_outage_0123456789";
    // Keys go stale after 50 ms: three seconds of outage are sixty refresh periods.
    let clerk = builder(&server, secret)
        .jwks_freshness(Duration::from_millis(50))
        .build()
        .unwrap();
    let app = state_app(clerk).await;
    let good = token(&known, "user_known");
    let stranger = token(&unknown, "user_unknown");
    assert_eq!(call(&app, &good).await.0["status"], "signed-in");

    for outage in [Mode::Hang, Mode::Refuse, Mode::Status(503, vec![])] {
        server.set(outage.clone());
        let hits_before = server.hits();
        let started = Instant::now();
        let mut unknown_checked = 0;
        while started.elapsed() < Duration::from_secs(3) {
            let (out, took) = call(&app, &good).await;
            assert_eq!(out["status"], "signed-in", "{outage:?}: {out}");
            assert!(
                took < Duration::from_millis(250),
                "{outage:?}: known kid waited {took:?}"
            );
            // From 300 ms into the outage on (before, the last good answer is only ~100 ms old
            // and an unknown kid is, correctly, a plain kid mismatch under the rate limit).
            if (unknown_checked + 1) * 300 <= started.elapsed().as_millis() {
                unknown_checked += 1;
                let (out, took) = call(&app, &stranger).await;
                assert_eq!(out["status"], "signed-out", "{outage:?}: {out}");
                assert_eq!(
                    out["reason"], "jwk-remote-failed-to-load",
                    "{outage:?}: {out}"
                );
                assert!(
                    took <= WAIT + SLACK,
                    "{outage:?}: unknown kid waited {took:?}"
                );
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            unknown_checked >= 3,
            "{outage:?}: {unknown_checked} unknown-kid checks"
        );
        if outage != Mode::Refuse {
            assert!(
                server.hits() > hits_before,
                "{outage:?}: refreshes kept being attempted"
            );
        }
    }
    // Back up, now also listing the other key: it is picked up without a restart.
    server.set(Mode::Up(
        json!({"keys": [known.jwk(), unknown.jwk()]})
            .to_string()
            .into_bytes(),
    ));
    let started = Instant::now();
    while call(&app, &stranger).await.0["status"] != "signed-in" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never recovered"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(call(&app, &good).await.0["status"], "signed-in");
    assert_not_logged(&[&good, &stranger, secret]);
}

#[actix_web::test]
async fn every_jwks_fault_is_a_typed_reason_within_the_timeout() {
    capture_logs();
    let key = SigningKey::generate("kid_faults").unwrap();
    let faults: Vec<(&str, Mode)> = vec![
        ("500", Mode::Status(500, vec![])),
        ("502", Mode::Status(502, vec![])),
        (
            "429 with Retry-After",
            Mode::Status(429, vec![("retry-after", "1")]),
        ),
        ("404", Mode::Status(404, vec![])),
        ("hangs", Mode::Hang),
        ("resets", Mode::Reset),
        ("refuses", Mode::Refuse),
        ("truncated body", Mode::Truncated),
        ("HTML body", Mode::NotJson),
        ("2 MiB body", Mode::Huge),
        ("empty key set", Mode::Up(br#"{"keys": []}"#.to_vec())),
        (
            "keys of the wrong kind",
            Mode::Up(br#"{"keys": [{"kid": "kid_faults", "kty": "EC", "crv": "P-256"}]}"#.to_vec()),
        ),
        ("not a key set", Mode::Up(br#"[1, 2, 3]"#.to_vec())),
    ];
    let token = token(&key, "user_faults");
    let runs = faults.iter().enumerate().map(|(i, (name, mode))| {
        let token = token.clone();
        async move {
            let server = Flaky::start(mode.clone());
            let secret = format!("sk_test_fault_{i}_abcdefghijklmnop");
            let app = state_app(builder(&server, &secret).build().unwrap()).await;
            let mut seen = Vec::new();
            for _ in 0..3 {
                let (out, took) = call(&app, &token).await;
                assert_eq!(out["status"], "signed-out", "{name}: {out}");
                assert!(took <= WAIT + SLACK, "{name}: waited {took:?}");
                let message = out["message"].as_str().unwrap_or_default();
                assert!(
                    !message.contains(&token) && !message.contains(&secret),
                    "{name}: {message}"
                );
                seen.push(out["reason"].as_str().unwrap_or_default().to_owned());
            }
            // Give retries time to finish, then make sure they stopped (bounded attempts).
            actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
            let hits = server.hits();
            (name.to_string(), seen, hits, secret)
        }
    });
    let mut secrets = Vec::new();
    for (name, reasons, hits, secret) in join_all(runs).await {
        for reason in &reasons {
            assert!(
                reason == "jwk-remote-failed-to-load"
                    // Once the rate limit holds, a kid the last good answer lacked is a mismatch.
                    || reason == "jwk-kid-mismatch",
                "{name}: {reasons:?}"
            );
        }
        assert_eq!(reasons[0], "jwk-remote-failed-to-load", "{name}");
        assert!(
            hits <= 10,
            "{name}: {hits} JWKS requests for three verifications"
        );
        secrets.push(secret);
    }
    let mut leaks: Vec<&str> = secrets.iter().map(String::as_str).collect();
    leaks.push(&token);
    assert_not_logged(&leaks);
    assert!(
        LOG.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains("loading the JWKS failed"),
        "the failures were logged (so the leak check above looked at real log lines)"
    );
}

#[actix_web::test]
async fn backend_api_faults_are_typed_and_never_log_the_secret() {
    capture_logs();
    let secret = "sk_test_fault_bapi_secret_0123456789";
    let faults: Vec<(&str, Mode)> = vec![
        ("500", Mode::Status(500, vec![])),
        (
            "429 with Retry-After",
            Mode::Status(429, vec![("retry-after", "1")]),
        ),
        ("hangs", Mode::Hang),
        ("resets", Mode::Reset),
        ("refuses", Mode::Refuse),
        ("truncated body", Mode::Truncated),
        ("HTML body", Mode::NotJson),
        ("2 MiB body", Mode::Huge),
    ];
    let runs = faults.into_iter().map(|(name, mode)| async move {
        let server = Flaky::start(mode);
        let client = ClerkClient::builder(secret)
            .api_url(&server.url)
            .timeout(Duration::from_millis(400))
            .retry(RetryPolicy::default())
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client.users().get("user_1").await.unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(
                error,
                ApiError::Api { .. }
                    | ApiError::Timeout
                    | ApiError::Transport { .. }
                    | ApiError::Decode { .. }
            ),
            "{name}: {error:?}"
        );
        // The default policy retries reads within its own budget; never unbounded.
        assert!(took < Duration::from_secs(15), "{name}: took {took:?}");
        for shown in [
            format!("{error}"),
            format!("{error:?}"),
            format!("{client:?}"),
        ] {
            assert!(!shown.contains(secret), "{name}: {shown}");
        }
    });
    join_all(runs).await;
    assert_not_logged(&[secret]);
}
