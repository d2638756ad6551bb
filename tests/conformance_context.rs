//! Conformance with Clerk's `authenticateContext.test.ts` (behaviour spec §6.5): which cookies a
//! request is read from (suffixed `__session_<suffix>` or un-suffixed), and the Frontend API
//! behind a relative proxy URL.
//!
//! Upstream asserts the context's fields. Here they are observed on the response: a handshake
//! URL carries `suffixed_cookies` (the choice), `__session` (the session token read) and, in
//! development, `__clerk_db_jwt` (the dev browser token read); the reason tells whether
//! `__client_uat` was read as signed in (`session-token-iat-before-client-uat`: the token is older
//! than the client) or signed out (`session-token-but-no-client-uat`).

mod support;

use clerk_actix::dev::SessionToken;
use serde_json::json;
use support::fixtures::{NOW_S, PK_LIVE, PK_TEST, at};
use support::harness::{
    clerk, jwks_server, own_key_clerk, request, run, signing_key, with_cookies,
};

const ISS: &str = "https://clerk.inspired.puma-74.lcl.dev";
const UAT: &str = "1717490192";
const SUFFIXED_UAT: &str = "1717490193";

fn token(user: &str, iss: serde_json::Value, iat: u64) -> String {
    SessionToken::new(user)
        .claim("iss", iss)
        .issued_at(at(iat))
        .sign(signing_key())
}

/// What a case should read: the suffixed-cookie choice, the session token, the reason (which
/// says how `__client_uat` was read) and the dev browser token.
struct Expected<'a> {
    suffixed: bool,
    session: Option<&'a str>,
    reason: &'a str,
    dev_browser: Option<&'a str>,
}

#[actix_web::test]
async fn suffixed_or_unsuffixed_cookies() {
    let session = token("user_plain", json!(ISS), NOW_S);
    let suffixed = token("user_suffixed", json!(ISS), NOW_S);
    let newer = token("user_newer", json!(ISS), NOW_S + 60);
    let foreign_issuer = token("user_other_app", json!("http:whatever"), NOW_S);
    let numeric_issuer = token("user_numeric_iss", json!(123), NOW_S);
    let blah = token("user_blah", json!("http://blah"), NOW_S);
    let foo = token("user_foo", json!("http://foo"), NOW_S);
    let expired_suffixed = SessionToken::new("user_expired")
        .claim("iss", json!(ISS))
        .issued_at(at(NOW_S - 120))
        .sign(signing_key());
    const IAT_BEFORE_UAT: &str = "session-token-iat-before-client-uat";
    const NO_UAT: &str = "session-token-but-no-client-uat";
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, Expected<'a>);
    let cases: Vec<Case> = vec![
        (
            "request with un-suffixed cookies",
            PK_LIVE,
            vec![("__client_uat", UAT), ("__session", &session)],
            Expected {
                suffixed: false,
                session: Some(&session),
                reason: IAT_BEFORE_UAT,
                dev_browser: None,
            },
        ),
        (
            "suffixed and valid newer un-suffixed cookies (ClerkJS downgrade)",
            PK_LIVE,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_MqCvchyS", SUFFIXED_UAT),
                ("__session", &newer),
                ("__session_MqCvchyS", &suffixed),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
                ("__clerk_db_jwt_MqCvchyS", "__clerk_db_jwt-suffixed"),
            ],
            Expected {
                suffixed: false,
                session: Some(&newer),
                reason: IAT_BEFORE_UAT,
                dev_browser: None,
            },
        ),
        (
            "the same downgrade on a development instance (shows the dev browser token read)",
            PK_TEST,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_vWCgMp3A", SUFFIXED_UAT),
                ("__session", &newer),
                ("__session_vWCgMp3A", &suffixed),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
                ("__clerk_db_jwt_vWCgMp3A", "__clerk_db_jwt-suffixed"),
            ],
            Expected {
                suffixed: false,
                session: Some(&newer),
                reason: IAT_BEFORE_UAT,
                dev_browser: Some("__clerk_db_jwt"),
            },
        ),
        (
            "suffixed client_uat signed out, un-suffixed signed in (ClerkJS downgrade)",
            PK_TEST,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_vWCgMp3A", "0"),
                ("__session", &session),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
            ],
            Expected {
                suffixed: false,
                session: Some(&session),
                reason: IAT_BEFORE_UAT,
                dev_browser: Some("__clerk_db_jwt"),
            },
        ),
        (
            "prod: suffixed session and signed-out suffixed client_uat",
            PK_LIVE,
            vec![
                ("__client_uat", "0"),
                ("__client_uat_MqCvchyS", "0"),
                ("__session", &session),
                ("__session_MqCvchyS", &suffixed),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: NO_UAT,
                dev_browser: None,
            },
        ),
        (
            "prod: valid suffixed and un-suffixed cookies",
            PK_LIVE,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_MqCvchyS", SUFFIXED_UAT),
                ("__session", &session),
                ("__session_MqCvchyS", &suffixed),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: IAT_BEFORE_UAT,
                dev_browser: None,
            },
        ),
        (
            "prod: un-suffixed session of another app (issuer http:whatever)",
            PK_LIVE,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_MqCvchyS", SUFFIXED_UAT),
                ("__session", &foreign_issuer),
                ("__session_MqCvchyS", &suffixed),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: IAT_BEFORE_UAT,
                dev_browser: None,
            },
        ),
        (
            "dev: several apps on localhost, each with its suffixed cookies",
            PK_TEST,
            vec![
                ("__client_uat", "0"),
                ("__client_uat_vWCgMp3A", "0"),
                ("__client_uat_8HKF1r6W", "1717490193"),
                ("__client_uat_Rmi8c5i8", "1717490194"),
                ("__session", &session),
                ("__session_vWCgMp3A", &suffixed),
                ("__session_8HKF1r6W", &blah),
                ("__session_Rmi8c5i8", &foo),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
                ("__clerk_db_jwt_vWCgMp3A", "__clerk_db_jwt-suffixed"),
                ("__clerk_db_jwt_8HKF1r6W", "__clerk_db_jwt-suffixed-blah"),
                ("__clerk_db_jwt_Rmi8c5i8", "__clerk_db_jwt-suffixed-foo"),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: NO_UAT,
                dev_browser: Some("__clerk_db_jwt-suffixed"),
            },
        ),
        (
            "dev: suffixed session and signed-out suffixed client_uat",
            PK_TEST,
            vec![
                ("__client_uat", "0"),
                ("__client_uat_vWCgMp3A", "0"),
                ("__session", &session),
                ("__session_vWCgMp3A", &suffixed),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
                ("__clerk_db_jwt_vWCgMp3A", "__clerk_db_jwt-suffixed"),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: NO_UAT,
                dev_browser: Some("__clerk_db_jwt-suffixed"),
            },
        ),
        (
            "non-string issuer falls back to suffixed cookies",
            PK_LIVE,
            vec![
                ("__client_uat", UAT),
                ("__client_uat_MqCvchyS", SUFFIXED_UAT),
                ("__session", &numeric_issuer),
                ("__session_MqCvchyS", &suffixed),
            ],
            Expected {
                suffixed: true,
                session: Some(&suffixed),
                reason: IAT_BEFORE_UAT,
                dev_browser: None,
            },
        ),
        (
            "dev: expired suffixed session with signed-out un-suffixed client_uat (spec §1.4 step 6)",
            PK_TEST,
            vec![
                ("__client_uat", "0"),
                ("__client_uat_vWCgMp3A", SUFFIXED_UAT),
                ("__session", &session),
                ("__session_vWCgMp3A", &expired_suffixed),
                ("__clerk_db_jwt", "__clerk_db_jwt"),
            ],
            Expected {
                suffixed: false,
                session: Some(&session),
                reason: NO_UAT,
                dev_browser: Some("__clerk_db_jwt"),
            },
        ),
    ];
    for (name, pk, cookies, expected) in cases {
        let clerk = own_key_clerk(signing_key(), pk, NOW_S).build().unwrap();
        let out = run(clerk, with_cookies(request(), &cookies)).await;
        assert_eq!(out.status(), "handshake", "{name}: {}", out.state);
        assert_eq!(out.reason(), Some(expected.reason), "{name}");
        let flag = if expected.suffixed { "true" } else { "false" };
        assert_eq!(
            out.query("suffixed_cookies").as_deref(),
            Some(flag),
            "{name}"
        );
        assert_eq!(
            out.query("__session").as_deref(),
            expected.session,
            "{name}"
        );
        assert_eq!(
            out.query("__clerk_db_jwt").as_deref(),
            expected.dev_browser,
            "{name}"
        );
    }
}

#[actix_web::test]
async fn prod_without_suffixed_session_and_signed_out_suffixed_client_uat() {
    // Suffixed cookies are used, and there is no suffixed session: the un-suffixed one is
    // never read (no fallback from one set to the other).
    let session = token("user_plain", json!(ISS), NOW_S);
    let req = with_cookies(
        request(),
        &[
            ("__client_uat", "0"),
            ("__client_uat_MqCvchyS", "0"),
            ("__session", &session),
        ],
    );
    let clerk = own_key_clerk(signing_key(), PK_LIVE, NOW_S)
        .build()
        .unwrap();
    let out = run(clerk, req).await;
    out.assert("signed-out", Some("session-token-and-uat-missing"));
    assert!(!out.redirected);
}

#[actix_web::test]
async fn the_chosen_cookies_sign_the_request_in() {
    // The same choices, all the way to a verified session (client_uat older than the tokens).
    let own = token("user_1", json!(ISS), NOW_S);
    let suffixed = token("user_suffixed", json!(ISS), NOW_S);
    let other_app = token("user_other_app", json!("http:whatever"), NOW_S);
    let newer = token("user_newer", json!(ISS), NOW_S + 5);
    // (case, cookies, clock, user signed in)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u64, &'a str);
    let cases: Vec<Case> = vec![
        (
            "valid suffixed and un-suffixed",
            vec![
                ("__client_uat", "1666648000"),
                ("__client_uat_MqCvchyS", "1666648000"),
                ("__session", &own),
                ("__session_MqCvchyS", &suffixed),
            ],
            NOW_S,
            "user_suffixed",
        ),
        (
            "un-suffixed session of another app",
            vec![
                ("__client_uat", "1666648000"),
                ("__client_uat_MqCvchyS", "1666648000"),
                ("__session", &other_app),
                ("__session_MqCvchyS", &suffixed),
            ],
            NOW_S,
            "user_suffixed",
        ),
        (
            "un-suffixed cookies only",
            vec![("__client_uat", "1666648000"), ("__session", &own)],
            NOW_S,
            "user_1",
        ),
        (
            "newer un-suffixed session (ClerkJS downgrade)",
            vec![
                ("__client_uat", "1666648000"),
                ("__client_uat_MqCvchyS", "1666648001"),
                ("__session", &newer),
                ("__session_MqCvchyS", &suffixed),
            ],
            NOW_S + 5,
            "user_newer",
        ),
    ];
    for (name, cookies, now, user) in cases {
        let clerk = own_key_clerk(signing_key(), PK_LIVE, now).build().unwrap();
        let out = run(clerk, with_cookies(request(), &cookies)).await;
        out.assert("signed-in", None);
        assert_eq!(out.state["userId"], user, "{name}");
    }
}

#[actix_web::test]
async fn relative_proxy_url_follows_the_forwarded_origin() {
    let server = jwks_server();
    let cases = [
        (
            "/__clerk",
            true,
            "https://myapp.example.com/__clerk/v1/client/handshake",
            "https://myapp.example.com/path",
        ),
        (
            "https://custom.proxy.com/__clerk",
            true,
            "https://custom.proxy.com/__clerk/v1/client/handshake",
            "https://myapp.example.com/path",
        ),
        (
            "/__clerk",
            false,
            "http://localhost:3000/__clerk/v1/client/handshake",
            "http://localhost:3000/path",
        ),
    ];
    for (proxy, forwarded, frontend_api, redirect) in cases {
        let mut req = with_cookies(
            request().insert_header(("host", "localhost:3000")),
            &[("__client_uat", "12345")],
        );
        if forwarded {
            req = req
                .insert_header(("x-forwarded-proto", "https"))
                .insert_header(("x-forwarded-host", "myapp.example.com"));
        }
        let clerk = clerk(&server, PK_LIVE, "deadbeef", NOW_S)
            .proxy_url(proxy)
            .build()
            .unwrap();
        let out = run(clerk, req).await;
        out.assert("handshake", Some("client-uat-but-no-session-token"));
        let mut location = out.location();
        location.set_query(None);
        assert_eq!(location.as_str(), frontend_api, "{proxy} {forwarded}");
        assert_eq!(out.query("redirect_url").as_deref(), Some(redirect));
    }
}
