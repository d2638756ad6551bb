//! Conformance with Clerk's handshake suites, through the middleware: `handshake.test.ts`
//! (behaviour spec §6.3: eligibility, the handshake redirect URL, the redirect-loop guard,
//! handshake resolution by nonce or token) and `handshakeToken.test.ts` (§6.4: token
//! categories). Upstream mocks the context; here every case is a real request, so each
//! assertion is on the response: status, reason, `Location` and its query, `Set-Cookie`.

mod support;

use actix_web::http::Method;
use actix_web::test;
use clerk_actix::Clerk;
use clerk_actix::dev::{SessionToken, SigningKey};
use serde_json::{Value, json};
use support::fixtures::{NOW_S, PK_LIVE, PK_TEST, at, jwt};
use support::harness::{
    bearer, clerk, jwks_server, other_signing_key, request, run, signing_key, with_cookies,
};
use support::{MockServer, Reply, logs};
use tracing::Level;

/// Production, a client that is signed in (`__client_uat`) but no session cookie: every
/// eligible request needs a handshake (`client-uat-but-no-session-token`).
fn live(server: &MockServer) -> Clerk {
    clerk(server, PK_LIVE, "deadbeef", NOW_S)
        .build()
        .expect("valid configuration")
}

// ---- isRequestEligibleForHandshake ----

#[actix_web::test]
async fn eligibility_matrix() {
    let server = jwks_server();
    // (case, method, sec-fetch-dest, accept, eligible)
    type Case<'a> = (&'a str, Method, Option<&'a str>, Option<&'a str>, bool);
    #[rustfmt::skip]
    let cases: [Case; 12] = [
        ("document", Method::GET, Some("document"), None, true),
        ("iframe", Method::GET, Some("iframe"), None, true),
        ("text/html without sec-fetch-dest", Method::GET, None, Some("text/html"), true),
        ("a browser's accept list", Method::GET, None, Some("text/html,application/xhtml+xml;q=0.9"), true),
        ("empty sec-fetch-dest counts as absent", Method::GET, Some(""), Some("text/html"), true),
        ("fetch() asking for JSON", Method::GET, Some("empty"), Some("application/json"), false),
        ("image", Method::GET, Some("image"), Some("image/png"), false),
        ("text/html not first", Method::GET, None, Some("application/json, text/html"), false),
        ("no hints at all", Method::GET, None, None, false),
        ("POST document", Method::POST, Some("document"), None, false),
        ("PUT document", Method::PUT, Some("document"), None, false),
        ("POST text/html", Method::POST, None, Some("text/html"), false),
    ];
    for (case, method, dest, accept, eligible) in cases {
        let mut req = test::TestRequest::default()
            .method(method)
            .uri("/path")
            .insert_header(("host", "example.com"));
        if let Some(dest) = dest {
            req = req.insert_header(("sec-fetch-dest", dest));
        }
        if let Some(accept) = accept {
            req = req.insert_header(("accept", accept));
        }
        let out = run(
            live(&server),
            with_cookies(req, &[("__client_uat", "12345")]),
        )
        .await;
        // Not eligible: the same reason, signed out, no redirect and no loop cookie.
        let status = if eligible { "handshake" } else { "signed-out" };
        assert_eq!(
            (out.status(), out.reason()),
            (status, Some("client-uat-but-no-session-token")),
            "{case}"
        );
        assert_eq!(out.redirected, eligible, "{case}");
        assert_eq!(out.set_cookies().is_empty(), !eligible, "{case}");
    }
}

// ---- buildRedirectToHandshake ----

#[actix_web::test]
async fn handshake_redirect_url_carries_clerks_parameters() {
    let server = jwks_server();
    let token = jwt("mockJwt");
    let req = bearer(request().uri("/path?keep=1&__clerk_db_jwt=old"), &token);
    let out = run(
        clerk(&server, PK_TEST, "deadbeef", NOW_S + 3600)
            .build()
            .unwrap(),
        req,
    )
    .await;
    out.assert(
        "handshake",
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie"),
    );
    let location = out.location();
    assert_eq!(location.scheme(), "https", "a bare host gets https");
    assert_eq!(location.host_str(), Some("clerk.inspired.puma-74.lcl.dev"));
    assert_eq!(location.path(), "/v1/client/handshake");
    let names: Vec<String> = location
        .query_pairs()
        .map(|(n, _)| n.into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "redirect_url",
            "__clerk_api_version",
            "suffixed_cookies",
            "__clerk_hs_reason",
            "format",
            "__session",
            "__clerk_db_jwt"
        ],
        "Clerk's parameters, in Clerk's order, and no organization_id without a sync target"
    );
    assert_eq!(
        out.query("redirect_url").as_deref(),
        Some("http://example.com/path?keep=1"),
        "the dev browser token is taken out of the URL to come back to"
    );
    assert_eq!(
        out.query("__clerk_api_version").as_deref(),
        Some("2026-05-12")
    );
    assert_eq!(out.query("suffixed_cookies").as_deref(), Some("false"));
    assert_eq!(
        out.query("__clerk_hs_reason").as_deref(),
        Some("session-token-expired-refresh-non-eligible-no-refresh-cookie")
    );
    assert_eq!(out.query("format").as_deref(), Some("nonce"));
    assert_eq!(
        out.query("__session"),
        Some(token),
        "the header token travels with the handshake"
    );
    assert_eq!(
        out.query("__clerk_db_jwt").as_deref(),
        Some("old"),
        "development: dev browser token from the query"
    );
    assert_eq!(out.header("cache-control"), "no-store");
    assert_eq!(
        out.header("set-cookie"),
        "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"
    );
    assert_eq!(out.header("x-clerk-auth-status"), "handshake");
}

#[actix_web::test]
async fn the_reason_and_the_query_of_the_page_travel_with_the_handshake() {
    let server = jwks_server();
    let session = jwt("mockJwt");
    // Three states, three reasons; the page's own query comes back intact.
    let cases = [
        (
            vec![("__client_uat", "12345")],
            "client-uat-but-no-session-token",
        ),
        (
            vec![("__session", session.as_str())],
            "session-token-but-no-client-uat",
        ),
        (
            vec![
                ("__client_uat", "1666648260"),
                ("__session", session.as_str()),
            ],
            "session-token-iat-before-client-uat",
        ),
    ];
    for (cookies, reason) in cases {
        let req = with_cookies(request().uri("/path?existing=param&x=a%20b"), &cookies);
        let out = run(live(&server), req).await;
        out.assert("handshake", Some(reason));
        assert_eq!(out.query("__clerk_hs_reason").as_deref(), Some(reason));
        assert_eq!(
            out.query("redirect_url").as_deref(),
            Some("http://example.com/path?existing=param&x=a+b"),
            "re-serialised as URLSearchParams does"
        );
        let has_session = cookies.iter().any(|(n, _)| *n == "__session");
        assert_eq!(
            out.query("__session"),
            has_session.then(|| session.clone()),
            "the cookie session token is sent iff there is one"
        );
    }
}

#[actix_web::test]
async fn seven_frontend_api_formats_give_valid_handshake_urls() {
    let server = jwks_server();
    // A bare host comes from the publishable key; a URL from the proxy setting.
    let hosts = [
        ("pk_live_YXBpLmNsZXJrLmNvbSQ=", "api.clerk.com"),
        (
            "pk_live_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk",
            "foo-bar-13.clerk.accounts.dev",
        ),
        ("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "clerk.example.com"),
    ];
    let mut cases: Vec<(&str, Option<&str>, &str)> =
        hosts.iter().map(|(pk, host)| (*pk, None, *host)).collect();
    for (proxy, host) in [
        ("https://api.clerk.com", "api.clerk.com"),
        ("https://api.clerk.com/", "api.clerk.com"),
        (
            "https://foo-bar-13.clerk.accounts.dev",
            "foo-bar-13.clerk.accounts.dev",
        ),
        ("https://clerk.example.com/proxy-path", "clerk.example.com"),
    ] {
        cases.push((PK_LIVE, Some(proxy), host));
    }
    assert_eq!(cases.len(), 7);
    for (pk, proxy, host) in cases {
        let mut builder = clerk(&server, pk, "deadbeef", NOW_S);
        if let Some(proxy) = proxy {
            builder = builder.proxy_url(proxy);
        }
        let req = with_cookies(request(), &[("__client_uat", "12345")]);
        let out = run(builder.build().unwrap(), req).await;
        let location = out.location();
        assert_eq!(location.scheme(), "https", "{pk} {proxy:?}");
        assert_eq!(location.host_str(), Some(host), "{pk} {proxy:?}");
        assert!(
            location.path().ends_with("/v1/client/handshake"),
            "{location}"
        );
        assert_eq!(
            out.query("__clerk_hs_reason").as_deref(),
            Some("client-uat-but-no-session-token")
        );
    }
}

#[actix_web::test]
async fn proxy_urls_with_and_without_trailing_slashes() {
    let server = jwks_server();
    let cases = [
        (
            "https://my-proxy.example.com",
            "https://my-proxy.example.com/v1/client/handshake",
        ),
        (
            "https://my-proxy.example.com/",
            "https://my-proxy.example.com/v1/client/handshake",
        ),
        (
            "https://my-proxy.example.com//",
            "https://my-proxy.example.com/v1/client/handshake",
        ),
        (
            "https://my-proxy.example.com///",
            "https://my-proxy.example.com/v1/client/handshake",
        ),
        (
            "https://my-proxy.example.com/clerk-proxy//",
            "https://my-proxy.example.com/clerk-proxy/v1/client/handshake",
        ),
        (
            "https://proxy.example.com/clerk",
            "https://proxy.example.com/clerk/v1/client/handshake",
        ),
        (
            "https://proxy.example.com/clerk/",
            "https://proxy.example.com/clerk/v1/client/handshake",
        ),
        (
            "https://api.example.com/v1/clerk///",
            "https://api.example.com/v1/clerk/v1/client/handshake",
        ),
        ("/__clerk", "http://example.com/__clerk/v1/client/handshake"),
    ];
    for (proxy, expected) in cases {
        let req = with_cookies(request(), &[("__client_uat", "12345")]);
        let clerk = clerk(&server, PK_LIVE, "deadbeef", NOW_S)
            .proxy_url(proxy)
            .build()
            .unwrap();
        let out = run(clerk, req).await;
        out.assert("handshake", Some("client-uat-but-no-session-token"));
        let location = out.header("location");
        assert!(!location.contains("//v1/client/handshake"), "{location}");
        let mut location = out.location();
        location.set_query(None);
        assert_eq!(location.as_str(), expected, "{proxy}");
    }
}

#[actix_web::test]
async fn dev_browser_token_only_for_development_and_only_when_present() {
    let server = jwks_server();
    let cases = [
        // (pk, cookies, reason, expected __clerk_db_jwt)
        (
            PK_TEST,
            vec![("__client_uat", "12345"), ("__clerk_db_jwt", "dev-token")],
            "client-uat-but-no-session-token",
            Some("dev-token"),
        ),
        (
            PK_TEST,
            vec![("__client_uat", "12345")],
            "dev-browser-missing",
            None,
        ),
        (
            PK_LIVE,
            vec![("__client_uat", "12345"), ("__clerk_db_jwt", "dev-token")],
            "client-uat-but-no-session-token",
            None,
        ),
    ];
    for (pk, cookies, reason, expected) in cases {
        let clerk = clerk(&server, pk, "deadbeef", NOW_S).build().unwrap();
        let out = run(clerk, with_cookies(request(), &cookies)).await;
        out.assert("handshake", Some(reason));
        assert_eq!(out.query("__clerk_db_jwt").as_deref(), expected, "{pk}");
        assert_eq!(out.query("__session"), None, "no session token, none sent");
    }
}

#[actix_web::test]
async fn suffixed_cookies_are_announced_to_the_frontend_api() {
    let server = jwks_server();
    let req = with_cookies(request(), &[("__client_uat_MqCvchyS", "12345")]);
    let out = run(live(&server), req).await;
    out.assert("handshake", Some("client-uat-but-no-session-token"));
    assert_eq!(out.query("suffixed_cookies").as_deref(), Some("true"));
}

#[actix_web::test]
async fn without_a_usable_request_url_there_is_no_handshake() {
    // Clerk throws "Missing clerkUrl in authenticateContext"; here the request is signed out
    // with the reason it would have had, and no redirect to nowhere.
    let server = jwks_server();
    let req = with_cookies(
        test::TestRequest::get()
            .uri("/path")
            .insert_header(("host", "bad host"))
            .insert_header(("sec-fetch-dest", "document")),
        &[("__client_uat", "12345")],
    );
    let out = run(live(&server), req).await;
    out.assert("signed-out", Some("client-uat-but-no-session-token"));
    assert!(!out.redirected);
    assert!(out.set_cookies().is_empty());
}

// ---- checkAndTrackRedirectLoop ----

#[actix_web::test]
async fn redirect_loop_counter_increments_and_stops_at_three() {
    let server = jwks_server();
    // (cookie value, next value or None once the loop guard stops)
    let cases = [
        (None, Some("1")),
        (Some("abc"), Some("1")),
        (Some("2"), Some("3")),
        (Some("3"), None),
    ];
    for (count, next) in cases {
        let mut cookies = vec![("__client_uat", "12345")];
        if let Some(count) = count {
            cookies.push(("__clerk_redirect_count", count));
        }
        let out = run(live(&server), with_cookies(request(), &cookies)).await;
        match next {
            Some(next) => {
                out.assert("handshake", Some("client-uat-but-no-session-token"));
                assert_eq!(
                    out.set_cookies(),
                    [format!(
                        "__clerk_redirect_count={next}; SameSite=Lax; HttpOnly; Max-Age=2"
                    )],
                    "{count:?}"
                );
            }
            None => {
                out.assert("signed-out", Some("client-uat-but-no-session-token"));
                assert!(out.set_cookies().is_empty(), "no counter cookie at 3");
                assert!(!out.redirected);
            }
        }
    }
}

// ---- resolveHandshake ----

/// Clerk with `key` for tokens and `server` as the Backend API (handshake payloads).
fn resolving(key: &SigningKey, server: &MockServer, pk: &str, now: u64) -> Clerk {
    Clerk::builder()
        .publishable_key(pk)
        .secret_key("sk_test_resolve")
        .jwt_key(key.public_key_pem())
        .api_url(&server.url)
        .clock(move || at(now))
        .build()
        .expect("valid configuration")
}

/// A Backend API answering `GET /v1/clients/handshake_payload` with `directives`.
fn payload_server(directives: Value) -> MockServer {
    MockServer::start(move |req| {
        if req.path.starts_with("/v1/clients/handshake_payload") {
            Reply::json(200, &json!({ "directives": directives }))
        } else {
            Reply::json(404, &json!({"errors": []}))
        }
    })
}

fn session_directive(key: &SigningKey, user: &str) -> String {
    let session = SessionToken::new(user).issued_at(at(NOW_S)).sign(key);
    format!("__session={session}; HttpOnly; Secure; SameSite=Lax")
}

#[actix_web::test]
async fn development_nonce_resolution_cleans_the_url() {
    let key = signing_key();
    let directive = session_directive(key, "user_nonce");
    let server = payload_server(json!([directive]));
    let page = "https://example.com/page";
    let cases = [
        (
            "?__clerk_handshake_nonce=abc123&foo=bar",
            "https://example.com/page?foo=bar",
        ),
        ("?__clerk_handshake_nonce=abc123&__clerk_help=1", page),
        (
            "?__clerk_handshake_nonce=abc123&__clerk_db_jwt=dev_token",
            page,
        ),
        (
            "?__clerk_handshake_nonce=abc123&__clerk_handshake=token&__clerk_help=1&__clerk_db_jwt=dev&foo=bar&baz=qux",
            "https://example.com/page?foo=bar&baz=qux",
        ),
        (
            "?__clerk_handshake_nonce=abc123&q=hello%20world&redirect=%2Fsome%2Fpath%3Ffoo%3Dbar",
            "https://example.com/page?q=hello+world&redirect=%2Fsome%2Fpath%3Ffoo%3Dbar",
        ),
    ];
    for (query, expected) in cases {
        let req = test::TestRequest::get()
            .uri(&format!("https://example.com/page{query}"))
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"));
        let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
        assert_eq!(out.status(), "signed-in", "{query}: {}", out.state);
        assert_eq!(out.header("location"), expected, "{query}");
        assert_eq!(out.header("cache-control"), "no-store");
        assert_eq!(out.set_cookies(), [directive.as_str()]);
    }
    // Encoded values keep their meaning.
    let out = run(
        resolving(key, &server, PK_TEST, NOW_S),
        test::TestRequest::get()
            .uri("https://example.com/page?__clerk_handshake_nonce=abc123&q=hello%20world&redirect=%2Fsome%2Fpath%3Ffoo%3Dbar")
            .insert_header(("host", "example.com")),
    )
    .await;
    assert_eq!(out.query("q").as_deref(), Some("hello world"));
    assert_eq!(out.query("redirect").as_deref(), Some("/some/path?foo=bar"));
    // A nonce in a cookie: the URL has nothing to clean.
    let req = with_cookies(
        test::TestRequest::get()
            .uri("https://example.com/page")
            .insert_header(("host", "example.com")),
        &[("__clerk_handshake_nonce", "abc123")],
    );
    let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
    assert_eq!(out.header("location"), page);
    for call in server.requests() {
        assert_eq!(call.path, "/v1/clients/handshake_payload?nonce=abc123");
        assert_eq!(call.headers["authorization"], "Bearer sk_test_resolve");
    }
    assert_eq!(server.hits(), 7);
}

#[actix_web::test]
async fn development_handshake_token_sets_cookies_and_redirects_to_the_clean_url() {
    let key = signing_key();
    let server = MockServer::jwks(json!({}));
    let session = SessionToken::new("user_hs").issued_at(at(NOW_S)).sign(key);
    let directives = json!([
        format!("__session={session}; Path=/; SameSite=Lax"),
        "__client_uat=1666648250; Path=/; SameSite=Lax",
        "__clerk_db_jwt=db_new; Path=/",
    ]);
    let handshake = key.sign(&json!({ "handshake": directives }));
    let req = request().uri(&format!(
        "/path?a=1&__clerk_handshake={handshake}&__clerk_help=1"
    ));
    let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.header("location"), "http://example.com/path?a=1");
    assert_eq!(out.header("cache-control"), "no-store");
    let cookies = out.set_cookies();
    assert_eq!(cookies.len(), 3, "every directive is set verbatim");
    assert_eq!(
        cookies[0],
        format!("__session={session}; Path=/; SameSite=Lax")
    );
    assert_eq!(cookies[2], "__clerk_db_jwt=db_new; Path=/");
    assert_eq!(out.header("access-control-allow-origin"), "null");
    assert_eq!(out.header("access-control-allow-credentials"), "true");
    assert_eq!(server.hits(), 0, "the PEM key verifies the handshake token");
}

#[actix_web::test]
async fn production_resolution_continues_without_a_redirect() {
    let key = signing_key();
    let directive = session_directive(key, "user_nonce");
    let server = payload_server(json!([directive, "__client_uat=1666648250; Path=/"]));
    let req = request().uri("/page?__clerk_handshake_nonce=abc123&foo=bar");
    let out = run(resolving(key, &server, PK_LIVE, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_nonce");
    assert!(!out.redirected, "the request reaches the handler");
    assert!(out.headers.get("location").is_none());
    assert!(out.headers.get("cache-control").is_none());
    assert_eq!(
        out.set_cookies(),
        [directive.as_str(), "__client_uat=1666648250; Path=/"]
    );
    assert_eq!(out.header("access-control-allow-origin"), "null");
    assert_eq!(out.header("access-control-allow-credentials"), "true");
    assert_eq!(
        server.requests()[0].path,
        "/v1/clients/handshake_payload?nonce=abc123"
    );
}

#[actix_web::test]
async fn last_session_directive_wins() {
    let key = signing_key();
    let first = session_directive(key, "user_first");
    let suffixed = SessionToken::new("user_last")
        .issued_at(at(NOW_S))
        .sign(key);
    let server = payload_server(json!([
        first,
        format!("__session_MqCvchyS={suffixed}; Path=/"),
        "__client_uat=1; Path=/",
    ]));
    let req = request().uri("/page?__clerk_handshake_nonce=n");
    let out = run(resolving(key, &server, PK_LIVE, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_last");
}

#[actix_web::test]
async fn backend_api_errors_and_empty_payloads_sign_out_and_still_clean_the_url() {
    let key = signing_key();
    for (name, reply) in [
        (
            "BAPI error",
            Reply::json(
                500,
                &json!({"errors": [{"code": "unexpected_error", "message": "boom"}]}),
            ),
        ),
        (
            "empty payload",
            Reply::json(200, &json!({"directives": []})),
        ),
    ] {
        let server = MockServer::start(move |_| reply.clone());
        let logs = logs::capture();
        let req = test::TestRequest::get()
            .uri("https://example.com/page?__clerk_handshake_nonce=abc123&foo=bar")
            .insert_header(("host", "example.com"))
            .insert_header(("sec-fetch-dest", "document"));
        let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
        out.assert("signed-out", Some("session-token-missing"));
        assert_eq!(
            out.header("location"),
            "https://example.com/page?foo=bar",
            "{name}"
        );
        assert_eq!(out.header("cache-control"), "no-store");
        assert!(out.set_cookies().is_empty(), "{name}: no cookies to set");
        let errors = logs.matching(Level::ERROR, "handshake payload");
        assert_eq!(errors.len(), usize::from(name == "BAPI error"), "{name}");
    }
}

#[actix_web::test]
async fn production_ignores_a_bad_handshake_token_and_continues() {
    let key = signing_key();
    let server = MockServer::jwks(json!({}));
    let logs = logs::capture();
    let req = request().uri("/path?__clerk_handshake=not-a-jwt");
    let out = run(resolving(key, &server, PK_LIVE, NOW_S), req).await;
    // The cookie flow's own answer: no cookies at all.
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(out.set_cookies().is_empty());
    assert_eq!(
        logs.matching(Level::ERROR, "unable to resolve handshake")
            .len(),
        1,
        "{:?}",
        logs.events()
    );
}

#[actix_web::test]
async fn development_handshake_token_errors_are_reported() {
    let key = signing_key();
    let other = other_signing_key();
    let server = MockServer::jwks(json!({}));
    let payload = json!({"handshake": ["__session=x; Path=/"]});
    let cases = [
        (
            other.sign(&payload),
            "token-invalid-signature",
            "Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.",
        ),
        (
            key.sign_with_header(
                &json!({"alg": "HS256", "kid": "ins_own", "typ": "JWT"}),
                &payload,
            ),
            "token-invalid-algorithm",
            "Clerk: Handshake token verification failed: Invalid JWT algorithm \"HS256\".",
        ),
        (
            key.sign_with_header(
                &json!({"alg": "RS256", "kid": "ins_own", "typ": "at+jwt"}),
                &payload,
            ),
            "token-invalid",
            "Clerk: Handshake token verification failed: Invalid JWT type \"at+jwt\".",
        ),
    ];
    for (token, reason, message) in cases {
        let req = request().uri(&format!("/path?__clerk_handshake={token}"));
        let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
        out.assert("signed-out", Some(reason));
        assert!(
            out.message().unwrap().starts_with(message),
            "{reason}: {}",
            out.state
        );
        assert!(out.set_cookies().is_empty(), "{reason}: no cookies");
    }
}

#[actix_web::test]
async fn handshake_tokens_are_not_checked_for_time() {
    // Only type, algorithm, category and signature: a handshake token older than its exp works.
    let key = signing_key();
    let server = MockServer::jwks(json!({}));
    let directive = session_directive(key, "user_late");
    let handshake = key.sign(&json!({
        "handshake": [directive],
        "iat": NOW_S - 7200,
        "exp": NOW_S - 3600,
        "nbf": NOW_S + 3600,
    }));
    let req = request().uri(&format!("/path?__clerk_handshake={handshake}"));
    let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
    out.assert("signed-in", None);
    // No `handshake` array: nothing to set, no session.
    let handshake = key.sign(&json!({"handshake": "__session=x"}));
    let req = request().uri(&format!("/path?__clerk_handshake={handshake}"));
    let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
    out.assert("signed-out", Some("session-token-missing"));
    assert!(out.set_cookies().is_empty());
}

#[actix_web::test]
async fn development_tolerates_clock_skew_in_the_resolved_session() {
    let key = signing_key();
    // Issued an hour "in the future" by a server whose clock is ahead of ours.
    let session = SessionToken::new("user_skewed")
        .issued_at(at(NOW_S + 3600))
        .sign(key);
    let directive = format!("__session={session}; Path=/");
    let server = payload_server(json!([directive]));
    let logs = logs::capture();
    let req = request().uri("/path?__clerk_handshake_nonce=n");
    let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
    out.assert("signed-in", None);
    assert_eq!(out.set_cookies(), [directive.as_str()]);
    assert_eq!(logs.matching(Level::WARN, "Clock skew detected").len(), 1);
    // Production does not retry: the handshake is dropped and the cookie flow decides.
    let logs = logs::capture();
    let req = request().uri("/path?__clerk_handshake_nonce=n");
    let out = run(resolving(key, &server, PK_LIVE, NOW_S), req).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(out.set_cookies().is_empty());
    assert!(logs.matching(Level::WARN, "Clock skew detected").is_empty());
    assert_eq!(
        logs.matching(Level::ERROR, "unable to resolve handshake")
            .len(),
        1
    );
}

// ---- handshakeToken.test.ts (§6.4) ----

#[actix_web::test]
async fn handshake_token_categories() {
    let key = signing_key();
    let server = MockServer::jwks(json!({}));
    let payload = json!({"handshake": [session_directive(key, "user_cat")]});
    let cases = [
        (Some("cl_B7d4PD111AAA"), true),
        (Some("cl_I7d4PD111III"), true),
        (None, true),
        (Some("cl_B7d4PD222AAA"), false),
        (Some("cl_B7d4PD333AAA"), false),
        (Some("cl_some_future_unknown_cat"), false),
    ];
    for (cat, accepted) in cases {
        let mut header = json!({"alg": "RS256", "kid": "ins_own", "typ": "JWT"});
        if let Some(cat) = cat {
            header["cat"] = json!(cat);
        }
        let token = key.sign_with_header(&header, &payload);
        let req = request().uri(&format!("/path?__clerk_handshake={token}"));
        let out = run(resolving(key, &server, PK_TEST, NOW_S), req).await;
        if accepted {
            out.assert("signed-in", None);
            assert_eq!(out.set_cookies().len(), 1, "{cat:?}");
        } else {
            out.assert("signed-out", Some("token-invalid"));
            assert!(
                out.message()
                    .unwrap()
                    .contains("Invalid handshake token category."),
                "{cat:?}: {}",
                out.state
            );
            assert!(out.set_cookies().is_empty(), "{cat:?}");
        }
    }
}
