//! The verified-token cache never changes an answer: for every case of the hostile-input corpus,
//! an app with the cache and one without give the same state, reason, message and claims, on
//! first and repeated use, after an options update, after the tokens expire, and across a key
//! rotation; with each change met by a thread's own copy of a hot token as well as by the shared
//! entries.

mod corpus;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use actix_web::test;
use clerk_actix::__fuzz::token_cache_stats;
use clerk_actix::{Clerk, ClerkBuilder};
use corpus::{Case, Keys};
use serde_json::Value;
use support::fixtures::PK_LIVE;
use support::harness::state_app;
use support::{MockServer, Reply};

/// Both apps answer `case` the same; returns the (common) answer.
macro_rules! agree {
    ($cached:expr, $uncached:expr, $case:expr, $phase:expr, $mismatches:expr) => {{
        let cached: Value =
            test::call_and_read_body_json(&$cached, $case.request("/").to_request()).await;
        let uncached: Value =
            test::call_and_read_body_json(&$uncached, $case.request("/").to_request()).await;
        if cached != uncached {
            $mismatches.push(format!(
                "{} [{}]\n  cached:   {cached}\n  uncached: {uncached}",
                $case.name, $phase
            ));
        }
        cached
    }};
}

/// Reads the valid token until this thread's own copy of it answers (from its third cached read
/// on), so that the change that follows meets a copy as well as the shared entry.
macro_rules! hot {
    ($cached:expr, $uncached:expr, $clerk:expr, $valid:expr, $phase:expr, $mismatches:expr) => {{
        for _ in 0..4 {
            let answer = agree!($cached, $uncached, $valid, $phase, $mismatches);
            assert_eq!(answer["status"], "signed-in", "{answer}");
        }
        let stats = token_cache_stats(&$clerk);
        assert!(stats.front_hits >= 1, "a thread's copy answered: {stats:?}");
    }};
}

struct Env {
    server: MockServer,
    rotated: Arc<AtomicBool>,
    clock_s: Arc<AtomicU64>,
}

fn builder(env: &Env, parties: &[&str]) -> ClerkBuilder {
    let clock = Arc::clone(&env.clock_s);
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .secret_key("sk_test_cache_equivalence")
        .api_url(&env.server.url)
        .authorized_parties(parties.iter().copied())
        .jwks_min_refetch_interval(Duration::from_millis(200))
        .clock(move || UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst)))
}

fn find<'c>(cases: &'c [Case], name: &str) -> &'c Case {
    cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no corpus case {name:?}"))
}

#[actix_web::test]
async fn cached_and_uncached_verification_agree_on_the_whole_corpus() {
    let keys = Keys::generate();
    let (main_jwks, rotated_jwks) = (keys.main.jwks(), keys.rotated.jwks());
    let rotated = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&rotated);
    let env = Env {
        server: MockServer::start(move |_| {
            Reply::json(
                200,
                if flag.load(Ordering::SeqCst) {
                    &rotated_jwks
                } else {
                    &main_jwks
                },
            )
        }),
        rotated,
        clock_s: Arc::new(AtomicU64::new(corpus::NOW_S)),
    };
    let cached_clerk = builder(&env, &[corpus::AZP]).build().expect("config");
    let uncached_clerk = builder(&env, &[corpus::AZP])
        .verified_token_cache(0, 0)
        .build()
        .expect("config");
    let cached = state_app(cached_clerk.clone()).await;
    let uncached = state_app(uncached_clerk.clone()).await;
    let cases = corpus::cases(&keys);
    let valid = find(&cases, "valid RS256 session token");
    let cookie = find(&cases, "session cookie");
    let mut mismatches = Vec::new();

    // First and repeated use.
    for phase in ["first use", "repeated use", "third use"] {
        for case in &cases {
            let answer = agree!(cached, uncached, case, phase, mismatches);
            assert_eq!(
                answer["status"], case.expect.status,
                "{} [{phase}]",
                case.name
            );
        }
    }
    let warm = token_cache_stats(&cached_clerk);
    // Seven distinct valid tokens: cached on their second use, hit on the third (and the cookie
    // cases reuse the first one).
    assert!(
        warm.entries >= 5 && warm.hits >= 14,
        "the cache was exercised: {warm:?}"
    );
    assert_eq!(
        token_cache_stats(&uncached_clerk).entries,
        0,
        "the uncached app really is uncached"
    );

    hot!(cached, uncached, cached_clerk, valid, "hot", mismatches);

    // An options update: the old party is no longer authorized. Cached verifications made under
    // the old options must not leak into the new ones.
    for clerk in [&cached_clerk, &uncached_clerk] {
        clerk
            .update(|settings| settings.authorized_parties(["https://new.example"]))
            .expect("config");
    }
    for case in &cases {
        agree!(cached, uncached, case, "after options update", mismatches);
    }
    let answer = agree!(cached, uncached, valid, "after options update", mismatches);
    assert_eq!(answer["reason"], "token-invalid-authorized-parties");

    // And back: the tokens verify again (first and repeated use under the new snapshot).
    for clerk in [&cached_clerk, &uncached_clerk] {
        clerk
            .update(|settings| settings.authorized_parties([corpus::AZP]))
            .expect("config");
    }
    // (A token is cached on its second verification and read from the cache from its third.)
    for phase in [
        "options restored",
        "options restored, repeated",
        "options restored, third use",
    ] {
        for case in &cases {
            agree!(cached, uncached, case, phase, mismatches);
        }
    }
    assert_eq!(
        agree!(cached, uncached, valid, "options restored", mismatches)["status"],
        "signed-in"
    );

    hot!(cached, uncached, cached_clerk, valid, "hot 2", mismatches);

    // Time passes: no cached entry outlives its token.
    env.clock_s.store(corpus::NOW_S + 120, Ordering::SeqCst);
    for case in &cases {
        agree!(cached, uncached, case, "two minutes later", mismatches);
    }
    for case in [valid, cookie] {
        let answer = agree!(cached, uncached, case, "two minutes later", mismatches);
        assert_eq!(answer["status"], "signed-out", "{}", case.name);
    }
    env.clock_s.store(corpus::NOW_S, Ordering::SeqCst);
    for case in &cases {
        agree!(cached, uncached, case, "clock back", mismatches);
    }

    hot!(cached, uncached, cached_clerk, valid, "hot 3", mismatches);

    // Key rotation: the JWKS now lists only the rotated key. A token of the new key makes the
    // cache fetch it (past the refetch interval); entries verified by the old key must go.
    env.rotated.store(true, Ordering::SeqCst);
    actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    let new_token = keys.rotated.sign(&corpus::claims("user_rotated"));
    let rotated_case = Case {
        name: "token of the rotated key",
        headers: vec![(
            "authorization",
            format!("Bearer {new_token}").parse().expect("header"),
        )],
        expect: corpus::Expect {
            status: "signed-in",
            reason: None,
        },
        token: Some(new_token.clone()),
    };
    let answer = agree!(cached, uncached, rotated_case, "after rotation", mismatches);
    assert_eq!(answer["status"], "signed-in", "{answer}");
    for phase in [
        "after rotation",
        "after rotation, repeated",
        "after rotation, third use",
    ] {
        for case in cases.iter().chain([&rotated_case]) {
            agree!(cached, uncached, case, phase, mismatches);
        }
    }
    let answer = agree!(cached, uncached, valid, "after rotation", mismatches);
    assert_eq!(
        answer["reason"], "jwk-kid-mismatch",
        "a cached token of a removed key is rejected"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
