//! A whole authentication through the middleware with arbitrary Authorization, Cookie and Accept
//! headers and query string: never a panic, never an error response, always one of Clerk's
//! states. Input: the four fields separated by `\0`.
#![no_main]

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::dev::Service;
use actix_web::web::Bytes;
use actix_web::{App, HttpResponse, test, web};
use clerk_actix::{Auth, Clerk, ClerkMiddleware};
use libfuzzer_sys::fuzz_target;

const PEM: &str = include_str!("../../tests/fixtures/clerk-js/pem_public_signing_key.pem");

async fn state(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().body(auth.status().as_str())
}

type Call = Rc<dyn Fn(actix_http::Request) -> Pin<Box<dyn Future<Output = (u16, Bytes)>>>>;

thread_local! {
    static RUNTIME: actix_rt::Runtime = actix_rt::Runtime::new().expect("runtime");
    static APP: Call = RUNTIME.with(|runtime| runtime.block_on(async {
        let clerk = Clerk::builder()
            .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
            .jwt_key(PEM)
            .build()
            .expect("valid configuration");
        let app = Rc::new(
            test::init_service(
                App::new()
                    .wrap(ClerkMiddleware::new(clerk))
                    .default_service(web::to(state)),
            )
            .await,
        );
        let call: Call = Rc::new(move |req| {
            let app = Rc::clone(&app);
            Box::pin(async move {
                let response = app.call(req).await.expect("the middleware never errors");
                let status = response.status().as_u16();
                if response.status().is_redirection() {
                    // A handshake, answered by the middleware itself: it must say where to go.
                    assert!(response.headers().contains_key("location"));
                    return (status, Bytes::from_static(b"handshake"));
                }
                (status, test::read_body(response).await)
            })
        });
        call
    }));
}

fuzz_target!(|data: &[u8]| {
    let req = clerk_actix::__fuzz::targets::request_headers_request(data);
    let request = req.to_request();
    let call = APP.with(Rc::clone);
    let (status, body) = RUNTIME.with(|runtime| runtime.block_on(call(request)));
    assert!((200..400).contains(&status), "status {status}");
    assert!(
        [&b"signed-in"[..], b"signed-out", b"handshake"].contains(&&body[..]),
        "{body:?}"
    );
});
