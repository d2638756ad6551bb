//! Prebuilt UI helpers (as HTML output) and runtime option updates (`Clerk::update`).

#![allow(clippy::unwrap_used)] // helpers of integration tests: a panic is a test failure

mod support;

use std::sync::Arc;
use std::thread;

use actix_web::{App, HttpResponse, test, web};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::ui::{self, Component};
use clerk_actix::{Auth, Clerk, ClerkMiddleware};
use serde_json::Value;
use support::fixtures::{PK_LIVE, PK_TEST};

async fn page(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html").body(format!(
        "<head>{}</head><body>{}{}</body>",
        ui::clerk_js_script(&auth),
        ui::mount(Component::UserButton, "user-button"),
        ui::auth_state_script(&auth)
    ))
}

async fn render(clerk: Clerk, token: Option<&str>) -> String {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk))
            .default_service(web::to(page)),
    )
    .await;
    let mut req = test::TestRequest::get()
        .uri("/page")
        .insert_header(("host", "app.example.com"));
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    String::from_utf8(
        test::call_and_read_body(&app, req.to_request())
            .await
            .to_vec(),
    )
    .unwrap()
}

fn state_of(html: &str) -> Value {
    let start =
        html.find(r#"type="application/json">"#).unwrap() + r#"type="application/json">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn clerk(key: &SigningKey, pk: &str) -> clerk_actix::ClerkBuilder {
    Clerk::builder()
        .publishable_key(pk)
        .jwt_key(key.public_key_pem())
}

#[actix_web::test]
async fn clerk_js_is_loaded_from_the_instance_frontend_api() {
    let key = SigningKey::generate("kid").unwrap();
    let html = render(
        clerk(&key, PK_TEST)
            .sign_in_url("/sign-in")
            .build()
            .unwrap(),
        None,
    )
    .await;
    assert!(html.contains(r#"src="https://clerk.inspired.puma-74.lcl.dev/npm/@clerk/clerk-js@5/dist/clerk.browser.js""#), "{html}");
    assert!(html.contains(&format!(r#"data-clerk-publishable-key="{PK_TEST}""#)));
    assert!(html.contains(r#"crossorigin="anonymous" async"#));
    assert!(
        html.contains(r#"<div id="user-button" data-clerk-component="mountUserButton"></div>"#)
    );
    assert!(
        html.contains(r#""signInUrl":"\u002fsign-in""#),
        "load options are html-safe JSON: {html}"
    );
    let html = render(
        clerk(&key, PK_LIVE).proxy_url("/__clerk").build().unwrap(),
        None,
    )
    .await;
    assert!(
        html.contains(
            r#"src="https://app.example.com/__clerk/npm/@clerk/clerk-js@5/dist/clerk.browser.js""#
        ),
        "{html}"
    );
    assert!(html.contains(r#"data-clerk-proxy-url="http://app.example.com/__clerk""#));
    let html = render(
        clerk(&key, PK_LIVE)
            .domain("satellite.example.com")
            .is_satellite(true)
            .build()
            .unwrap(),
        None,
    )
    .await;
    assert!(
        html.contains("https://clerk.satellite.example.com/npm/@clerk/clerk-js@5"),
        "{html}"
    );
    assert!(html.contains(r#"data-clerk-domain="satellite.example.com""#));
}

#[actix_web::test]
async fn auth_state_is_embedded_without_the_token() {
    let key = SigningKey::generate("kid").unwrap();
    let token = SessionToken::new("user_ui")
        .organization("org_1", "acme", "admin", &["org:invoices:read"])
        .claim(
            "name",
            serde_json::json!("</script><script>alert(1)</script>"),
        )
        .sign(&key);
    let html = render(clerk(&key, PK_TEST).build().unwrap(), Some(&token)).await;
    let state = state_of(&html);
    assert_eq!(state["userId"], "user_ui");
    assert_eq!(state["orgRole"], "org:admin");
    assert_eq!(state["orgPermissions"][0], "org:invoices:read");
    assert_eq!(state["isAuthenticated"], true);
    assert_eq!(
        state["sessionClaims"]["name"],
        "</script><script>alert(1)</script>"
    );
    assert!(
        !html.contains("</script><script>alert"),
        "claim values cannot break out of the script element"
    );
    assert!(
        !html.contains(&token),
        "the session token is never rendered"
    );
    let signed_out = state_of(&render(clerk(&key, PK_TEST).build().unwrap(), None).await);
    assert_eq!(signed_out["userId"], Value::Null);
    assert_eq!(signed_out["isAuthenticated"], false);
}

async fn status(auth: Auth) -> String {
    auth.status().to_string()
}

#[actix_web::test]
async fn updates_apply_to_the_next_request_without_a_restart() {
    let old = SigningKey::generate("old").unwrap();
    let new = SigningKey::generate("new").unwrap();
    let clerk = clerk(&old, PK_TEST).build().unwrap();
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk.clone()))
            .default_service(web::to(status)),
    )
    .await;
    let call = |token: String| {
        test::TestRequest::get()
            .uri("/")
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request()
    };
    let token = SessionToken::new("user_1")
        .authorized_party("https://a.example")
        .sign(&old);
    assert_eq!(
        test::call_and_read_body(&app, call(token.clone())).await,
        "signed-in"
    );
    clerk
        .update(|settings| settings.authorized_parties(["https://b.example"]))
        .unwrap();
    assert_eq!(
        test::call_and_read_body(&app, call(token.clone())).await,
        "signed-out"
    );
    clerk
        .update(|settings| settings.add_authorized_party("https://a.example"))
        .unwrap();
    assert_eq!(
        test::call_and_read_body(&app, call(token.clone())).await,
        "signed-in"
    );
    // Keys: switch to the new PEM; tokens of the old key stop verifying.
    clerk
        .update(|settings| settings.jwt_key(new.public_key_pem()))
        .unwrap();
    assert_eq!(
        test::call_and_read_body(&app, call(token)).await,
        "signed-out"
    );
    let fresh = SessionToken::new("user_1")
        .authorized_party("https://a.example")
        .sign(&new);
    assert_eq!(
        test::call_and_read_body(&app, call(fresh)).await,
        "signed-in"
    );
    // A bad update is refused whole, and nothing changes.
    assert!(
        clerk
            .update(|settings| settings.jwt_key("not a key"))
            .is_err()
    );
}

#[actix_web::test]
async fn concurrent_updates_are_never_lost_and_readers_see_whole_snapshots() {
    let key = Arc::new(SigningKey::generate("kid").unwrap());
    let clerk = clerk(&key, PK_TEST)
        .authorized_parties(["https://seed.example"])
        .build()
        .unwrap();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let clerk = clerk.clone();
            thread::spawn(move || {
                for i in 0..50 {
                    clerk
                        .update(|settings| {
                            settings.add_authorized_party(format!("https://w{w}-{i}.example"))
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    // Meanwhile, requests keep being authenticated against whatever snapshot is current.
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk.clone()))
            .default_service(web::to(status)),
    )
    .await;
    let seed = SessionToken::new("user_1")
        .authorized_party("https://seed.example")
        .sign(&key);
    for _ in 0..200 {
        let req = test::TestRequest::get()
            .uri("/")
            .insert_header(("authorization", format!("Bearer {seed}")))
            .to_request();
        assert_eq!(test::call_and_read_body(&app, req).await, "signed-in");
    }
    for writer in writers {
        writer.join().unwrap();
    }
    for w in 0..8 {
        for i in 0..50 {
            let token = SessionToken::new("user_1")
                .authorized_party(format!("https://w{w}-{i}.example"))
                .sign(&key);
            let req = test::TestRequest::get()
                .uri("/")
                .insert_header(("authorization", format!("Bearer {token}")))
                .to_request();
            assert_eq!(
                test::call_and_read_body(&app, req).await,
                "signed-in",
                "party w{w}-{i} was lost"
            );
        }
    }
}
