//! Conformance with Clerk's `request_azp.test.ts` (behaviour spec §6.1): a cookie session token
//! without `azp` is accepted with a warning logged once per process; header tokens never warn.
//!
//! The warning is once per process, so this file is its own test binary with a single test:
//! no other test can have used up the warning before it runs.

mod support;

use clerk_actix::dev::SessionToken;
use support::fixtures::{PK_LIVE, at};
use support::harness::{
    api_request, bearer, own_key_clerk, request, run, signing_key, with_cookies,
};
use support::logs;
use tracing::Level;

const WARNING: &str = "missing the azp claim";

#[actix_web::test]
async fn missing_azp_in_a_cookie_token_warns_once_and_still_signs_in() {
    // Upstream's inputs: client_uat 1234567890, token iat 1234567891, production keys.
    let iat = 1_234_567_891;
    let clerk = || own_key_clerk(signing_key(), PK_LIVE, iat).build().unwrap();
    let without_azp = SessionToken::new("user_no_azp")
        .issued_at(at(iat))
        .sign(signing_key());
    let with_azp = SessionToken::new("user_azp")
        .authorized_party("http://localhost:3000")
        .issued_at(at(iat))
        .sign(signing_key());
    let cookies = |token: &str| {
        with_cookies(
            request(),
            &[("__session", token), ("__client_uat", "1234567890")],
        )
    };
    let logs = logs::capture();

    // A header token without azp: signed in, no warning.
    let out = run(clerk(), bearer(api_request(), &without_azp)).await;
    out.assert("signed-in", None);
    assert!(logs.matching(Level::WARN, WARNING).is_empty());

    // A cookie token with azp: signed in, no warning.
    let out = run(clerk(), cookies(&with_azp)).await;
    out.assert("signed-in", None);
    assert_eq!(out.state["userId"], "user_azp");
    assert!(logs.matching(Level::WARN, WARNING).is_empty());

    // Cookie tokens without azp, twice: both signed in, one warning.
    for _ in 0..2 {
        let out = run(clerk(), cookies(&without_azp)).await;
        out.assert("signed-in", None);
        assert_eq!(out.state["userId"], "user_no_azp");
    }
    let warnings = logs.matching(Level::WARN, WARNING);
    assert_eq!(warnings.len(), 1, "{:?}", logs.events());
    assert!(
        warnings[0].text.contains("session token from cookie"),
        "{}",
        warnings[0].text
    );
    let signature = without_azp.rsplit('.').next().unwrap();
    assert!(
        !warnings[0].text.contains(signature),
        "the token is never logged"
    );
}
