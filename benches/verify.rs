//! Micro-benchmarks: session token verification and the middleware on a protected route.
//!
//! `cargo bench --bench verify` (numbers and their ratios are recorded in BENCHMARKS.md).

use std::sync::LazyLock;
use std::time::Duration;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::{App, HttpResponse, test, web};
use clerk_actix::__fuzz::{self, RawVerifier};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{Clerk, ClerkMiddleware, SessionClaims, SignedIn};
use divan::Bencher;
use futures_util::FutureExt as _;

const PK: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
const AZP: &str = "http://localhost:3000";

fn main() {
    divan::main();
}

struct Fixture {
    key: SigningKey,
    token: String,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let key = SigningKey::generate("ins_bench").expect("key generation");
    let token = SessionToken::new("user_bench")
        .session_id("sess_bench")
        .authorized_party(AZP)
        .lifetime(Duration::from_secs(3600))
        .organization("org_1", "acme", "admin", &["org:invoices:read"])
        .sign(&key);
    Fixture { key, token }
});

fn clerk(cache: bool) -> Clerk {
    let builder = Clerk::builder()
        .publishable_key(PK)
        .jwt_key(FIXTURE.key.public_key_pem())
        .authorized_parties([AZP]);
    let builder = if cache {
        builder
    } else {
        builder.verified_token_cache(0, 0)
    };
    builder.build().expect("valid configuration")
}

/// Decoding only: base64url and JSON of header and payload, no signature.
#[divan::bench]
fn decode(bencher: Bencher) {
    let token = FIXTURE.token.as_str();
    bencher.bench(|| __fuzz::decodes(divan::black_box(token)));
}

/// The RSA signature check alone (RS256, 2048-bit), with the signature's base64url decoding.
#[divan::bench]
fn rsa_signature(bencher: Bencher) {
    let verifier = RawVerifier::from_pem(&FIXTURE.key.public_key_pem()).expect("PEM");
    let token = FIXTURE.token.as_str();
    bencher.bench(|| verifier.signature_ok(divan::black_box(token)));
}

/// The library's full verification: with the verified-token cache off, and on a cache hit.
#[divan::bench(args = [false, true])]
fn verify_session_token(bencher: Bencher, cached: bool) {
    let clerk = clerk(cached);
    let token = FIXTURE.token.as_str();
    bencher.bench(|| {
        __fuzz::verify_session_token(&clerk, divan::black_box(token))
            .now_or_never()
            .is_some_and(|r| r.is_ok())
    });
}

/// Reading Clerk's claim layout from a verified payload.
#[divan::bench]
fn claims_from_payload(bencher: Bencher) {
    let (_, payload) = __fuzz::decode_token(&FIXTURE.token).expect("decodes");
    bencher
        .with_inputs(|| payload.clone())
        .bench_values(|payload| SessionClaims::from_payload(payload).is_ok());
}

/// Two threads reading one cached token: what sharing the cache between workers costs. Each
/// thread reads its own copy of the token from its third hit on; the rest of the two-thread cost
/// is the `Arc` clone of the options this entry point makes (the middleware does not).
#[divan::bench(threads = [1, 2])]
fn cached_verify_shared(bencher: Bencher) {
    static SHARED: LazyLock<Clerk> = LazyLock::new(|| clerk(true));
    let token = FIXTURE.token.as_str();
    bencher.bench(|| {
        __fuzz::verify_session_token(&SHARED, divan::black_box(token))
            .now_or_never()
            .is_some_and(|r| r.is_ok())
    });
}

async fn ok() -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

async fn ok_signed_in(_user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().body("ok")
}

/// One request through actix-web's service stack (no sockets): the same `ok` handler without
/// the middleware, behind it with a valid token (cache on and off), and behind it without one.
#[divan::bench(args = ["unprotected", "protected-cached", "protected-uncached", "signed-out"])]
fn middleware(bencher: Bencher, route: &str) {
    let runtime = actix_rt::Runtime::new().expect("runtime");
    let app = runtime.block_on(async {
        let cached = clerk(true);
        let uncached = clerk(false);
        test::init_service(
            App::new()
                .route("/healthz", web::get().to(ok))
                .service(
                    web::scope("/cached")
                        .wrap(ClerkMiddleware::new(cached))
                        .route("/ok", web::get().to(ok_signed_in)),
                )
                .service(
                    web::scope("/uncached")
                        .wrap(ClerkMiddleware::new(uncached))
                        .route("/ok", web::get().to(ok_signed_in)),
                ),
        )
        .await
    });
    let (path, token) = match route {
        "unprotected" => ("/healthz", true),
        "protected-cached" => ("/cached/ok", true),
        "protected-uncached" => ("/uncached/ok", true),
        _ => ("/cached/ok", false),
    };
    let expected = if token { 200 } else { 401 };
    let request = || {
        let request = test::TestRequest::get().uri(path);
        let request = if token {
            request.insert_header(("authorization", format!("Bearer {}", FIXTURE.token)))
        } else {
            request
        };
        request.to_request()
    };
    bencher.with_inputs(request).bench_local_values(|req| {
        let response: ServiceResponse<_> = runtime
            .block_on(app.call(req))
            .expect("the app never errors");
        assert_eq!(response.status().as_u16(), expected);
    });
}
