//! Property tests (proptest): cookie parsing against a reference model, publishable keys built
//! from any Frontend API host, route matching against a reference matcher, token decoding that
//! never panics and round-trips, the algorithm allow-list, and `has()` invariants.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use clerk_actix::__fuzz;
use clerk_actix::{Has, InstanceType, PublishableKey, RouteMatcher, SessionClaims};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// 256 cases (proptest's default; `PROPTEST_CASES` raises it), no persistence files in the tree.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Cookies: the first occurrence of a name wins; whitespace around names and values, one pair of
// quotes and percent-escapes are removed; segments without `=` are skipped.

fn cookie_name() -> impl Strategy<Value = String> {
    "[a-c_]{1,3}"
}

fn cookie_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{0,12}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cookie_lookup_matches_the_first_pair_of_that_name(
        pairs in vec((cookie_name(), cookie_value(), "[ \t]{0,2}", "[ \t]{0,2}", any::<bool>()), 0..12),
        junk in vec("[a-z]{1,4}", 0..3),
        wanted in cookie_name(),
    ) {
        let mut header = String::new();
        for (i, (name, value, before, after, quoted)) in pairs.iter().enumerate() {
            if i > 0 || !junk.is_empty() {
                header.push(';');
            }
            let value = if *quoted { format!("\"{value}\"") } else { value.clone() };
            header.push_str(&format!("{before}{name}{after}={before}{value}{after}"));
        }
        // Segments without `=` anywhere are ignored.
        header = junk.join(";") + &header;
        let expected = pairs.iter().find(|(name, ..)| *name == wanted).map(|(_, v, ..)| v.clone());
        prop_assert_eq!(__fuzz::cookie(&header, &wanted), expected, "{}", header);
    }

    #[test]
    fn percent_encoded_cookie_values_decode_to_the_original(value in "\\PC{0,16}") {
        let encoded: String = value
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let header = format!("__session={encoded}; other=1");
        prop_assert_eq!(__fuzz::cookie(&header, "__session"), Some(value));
    }

    #[test]
    fn suffixed_cookies_never_fall_back_to_unsuffixed(value in cookie_value(), suffix in "[A-Za-z0-9]{8}") {
        let header = format!("__session={value}");
        prop_assert_eq!(__fuzz::suffixed_cookie(&header, "__session", &suffix), None);
        let header = format!("__session={value}; __session_{suffix}=s");
        prop_assert_eq!(__fuzz::suffixed_cookie(&header, "__session", &suffix), Some("s".to_owned()));
    }

    #[test]
    fn cookie_parsing_never_panics(header in "\\PC{0,64}", name in "\\PC{0,8}") {
        let _ = __fuzz::cookie(&header, &name);
        let _ = __fuzz::suffixed_cookie(&header, &name, "vWCgMp3A");
    }
}

// ---------------------------------------------------------------------------------------------
// Publishable keys: `pk_test_`/`pk_live_` + base64(`<frontend api host>$`).

fn host() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,12}(\\.[a-z0-9-]{1,12}){1,3}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn publishable_keys_carry_their_frontend_api(host in host(), live in any::<bool>(), padded in any::<bool>()) {
        let encoded = STANDARD.encode(format!("{host}$"));
        let encoded = if padded { encoded } else { encoded.trim_end_matches('=').to_owned() };
        // An `_` inside the base64 text would change the key's shape; STANDARD never makes one.
        let key = format!("{}{encoded}", if live { "pk_live_" } else { "pk_test_" });
        let parsed = PublishableKey::parse(&key).expect("a well-formed key");
        prop_assert_eq!(parsed.frontend_api(), host.as_str());
        prop_assert_eq!(
            parsed.instance_type(),
            if live { InstanceType::Production } else { InstanceType::Development }
        );
        prop_assert_eq!(parsed.cookie_suffix().len(), 8);
        let again = PublishableKey::parse(&key).expect("again");
        prop_assert_eq!(again.cookie_suffix(), parsed.cookie_suffix());
    }

    #[test]
    fn publishable_key_parsing_never_panics(key in "(pk_(test|live)_)?\\PC{0,40}") {
        if let Ok(parsed) = PublishableKey::parse(&key) {
            prop_assert!(parsed.as_str().starts_with("pk_test_") || parsed.as_str().starts_with("pk_live_"));
            prop_assert!(parsed.frontend_api().contains('.'));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Route matching against a reference: patterns of literal segments and `:params`; paths are
// compared case-insensitively after collapsing `//` and dropping one trailing `/`.

#[derive(Clone, Debug)]
enum Segment {
    Literal(String),
    Param,
}

fn pattern() -> impl Strategy<Value = Vec<Segment>> {
    vec(
        prop_oneof![
            3 => "[a-z0-9]{1,5}".prop_map(Segment::Literal),
            1 => Just(Segment::Param),
        ],
        1..5,
    )
}

fn render(pattern: &[Segment]) -> String {
    pattern
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Segment::Literal(text) => format!("/{text}"),
            Segment::Param => format!("/:p{i}"),
        })
        .collect()
}

fn reference_matches(pattern: &[Segment], path: &str) -> bool {
    let mut normalized = String::new();
    for c in path.chars() {
        if !(c == '/' && normalized.ends_with('/')) {
            normalized.push(c);
        }
    }
    if normalized.len() > 1 && normalized.ends_with('/') {
        normalized.pop();
    }
    let segments: Vec<&str> = normalized.split('/').skip(1).collect();
    segments.len() == pattern.len()
        && pattern.iter().zip(&segments).all(|(p, s)| match p {
            Segment::Literal(text) => text.eq_ignore_ascii_case(s),
            Segment::Param => !s.is_empty(),
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn instantiated_patterns_match(
        pattern in pattern(),
        values in vec("[A-Za-z0-9]{1,6}", 5),
        upper in vec(any::<bool>(), 5),
        escape in vec(any::<bool>(), 5),
        doubled in vec(any::<bool>(), 5),
        trailing in any::<bool>(),
    ) {
        let matcher = RouteMatcher::new([render(&pattern)]).expect("pattern compiles");
        let mut path = String::new();
        for (i, segment) in pattern.iter().enumerate() {
            path.push_str(if doubled[i] { "//" } else { "/" });
            let text = match segment {
                Segment::Literal(text) if upper[i] => text.to_uppercase(),
                Segment::Literal(text) => text.clone(),
                Segment::Param => values[i].clone(),
            };
            // Percent-escape the first character when it is a letter: `decodeURI` restores it.
            if escape[i] && text.starts_with(|c: char| c.is_ascii_alphabetic()) {
                path.push_str(&format!("%{:02X}", text.as_bytes()[0]));
                path.push_str(&text[1..]);
            } else {
                path.push_str(&text);
            }
        }
        if trailing {
            path.push('/');
        }
        prop_assert!(matcher.matches(&path).expect("valid path"), "{} vs {}", render(&pattern), path);
    }

    #[test]
    fn route_matching_agrees_with_the_reference(
        pattern in pattern(),
        // Per path segment: take the pattern's literal (2 in 4), another word, or nothing (`//`).
        parts in vec((0u8..4, "[a-zA-Z0-9]{1,5}", any::<bool>()), 0..6),
        trailing in any::<bool>(),
    ) {
        let matcher = RouteMatcher::new([render(&pattern)]).expect("pattern compiles");
        let words: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, (kind, other, upper))| match (kind, pattern.get(i)) {
                (0 | 1, Some(Segment::Literal(text))) if *upper => text.to_uppercase(),
                (0 | 1, Some(Segment::Literal(text))) => text.clone(),
                (3, _) => String::new(),
                _ => other.clone(),
            })
            .collect();
        let mut path = format!("/{}", words.join("/"));
        if trailing {
            path.push('/');
        }
        prop_assert_eq!(
            matcher.matches(&path).expect("valid path"),
            reference_matches(&pattern, &path),
            "{} vs {}", render(&pattern), path
        );
    }

    #[test]
    fn route_matching_never_panics(patterns in vec("\\PC{0,12}", 0..4), path in "\\PC{0,24}") {
        if let Ok(matcher) = RouteMatcher::new(patterns) {
            let _ = matcher.matches(&path);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens: decoding never panics, round-trips JSON objects, and only RS256/384/512 pass the
// algorithm check.

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    let value = json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    proptest::collection::btree_map("[a-z_]{1,6}", value, 0..6)
        .prop_map(|m| m.into_iter().collect())
}

fn segment(object: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(object.clone()).to_string())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_decoding_never_panics(token in "[A-Za-z0-9_=+/. -]{0,80}") {
        let decoded = __fuzz::decode_token(&token);
        let prechecked = __fuzz::precheck(&token);
        prop_assert!(decoded.is_some() || prechecked.is_err());
    }

    #[test]
    fn arbitrary_segment_bytes_never_panic(a in vec(any::<u8>(), 0..64), b in vec(any::<u8>(), 0..64), c in vec(any::<u8>(), 0..64)) {
        let token = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(a), URL_SAFE_NO_PAD.encode(b), URL_SAFE_NO_PAD.encode(c));
        let _ = __fuzz::decode_token(&token);
        let _ = __fuzz::precheck(&token);
    }

    #[test]
    fn json_objects_round_trip_through_a_token(header in json_object(), payload in json_object(), signature in vec(any::<u8>(), 0..300)) {
        let token = format!("{}.{}.{}", segment(&header), segment(&payload), URL_SAFE_NO_PAD.encode(signature));
        let (h, p) = __fuzz::decode_token(&token).expect("three base64url JSON objects decode");
        prop_assert_eq!(h, header);
        prop_assert_eq!(p, payload);
    }

    #[test]
    fn only_rsa_pkcs1_algorithms_pass_the_precheck(alg in prop_oneof![
        Just("RS256".to_owned()), Just("RS384".to_owned()), Just("RS512".to_owned()),
        Just("none".to_owned()), Just("HS256".to_owned()), Just("PS256".to_owned()), Just("ES256".to_owned()),
        "[A-Za-z0-9]{0,6}",
    ]) {
        let header: Map<String, Value> = json!({"alg": alg, "kid": "k", "typ": "JWT"}).as_object().cloned().unwrap_or_default();
        let payload: Map<String, Value> = json!({"sub": "user_1"}).as_object().cloned().unwrap_or_default();
        let token = format!("{}.{}.c2ln", segment(&header), segment(&payload));
        let allowed = matches!(alg.as_str(), "RS256" | "RS384" | "RS512");
        let result = __fuzz::precheck(&token);
        prop_assert_eq!(result.is_ok(), allowed, "{}: {:?}", alg, result.err().map(|e| e.reason()));
    }
}

// ---------------------------------------------------------------------------------------------
// has(): an empty check is never granted; role and permission names are compared without their
// `org:` prefixes; nothing about an organization is granted without an active one; requirements
// combine as a conjunction.

fn claims(
    org: Option<&str>,
    role: &str,
    permissions: &[String],
    features: &str,
    plans: &str,
) -> SessionClaims {
    let mut payload = json!({
        "sub": "user_1",
        "org_role": role,
        "org_permissions": permissions,
        "fea": features,
        "pla": plans,
    });
    if let Some(org) = org {
        payload["org_id"] = json!(org);
    }
    let Value::Object(payload) = payload else {
        unreachable!()
    };
    SessionClaims::from_payload(payload).expect("v1 claims")
}

fn name() -> impl Strategy<Value = String> {
    "[a-z]{1,6}(:[a-z]{1,6})?"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn has_invariants(
        org in proptest::option::of("org_[a-z0-9]{1,6}"),
        role in name(),
        permissions in vec(name(), 0..4),
        asked_role in name(),
        asked_permission in name(),
        feature in "[a-z]{1,5}",
        plan in "[a-z]{1,5}",
    ) {
        let held: Vec<String> = permissions.iter().map(|p| format!("org:{p}")).collect();
        let granted = claims(org.as_deref(), &format!("org:{role}"), &held, &format!("u:{feature}"), &format!("u:{plan}"));
        prop_assert!(!granted.has(&Has::default()));
        let has_org = org.is_some();
        // Roles: held role granted (with or without its prefix) exactly when there is an org.
        prop_assert_eq!(granted.has(&Has::role(role.clone())), has_org);
        prop_assert_eq!(granted.has(&Has::role(format!("org:{role}"))), has_org);
        prop_assert_eq!(granted.has(&Has::role(asked_role.clone())), has_org && asked_role == role);
        // Permissions: exactly the held ones.
        for p in &permissions {
            prop_assert_eq!(granted.has(&Has::permission(p.clone())), has_org);
        }
        let asked_held = permissions.contains(&asked_permission);
        prop_assert_eq!(granted.has(&Has::permission(asked_permission.clone())), has_org && asked_held);
        // Billing does not need an organization for user-scoped entitlements.
        prop_assert!(granted.has(&Has::feature(feature.clone())));
        let user_plan = format!("user:{plan}");
        prop_assert!(granted.has(&Has::plan(user_plan)));
        // Conjunction.
        let both = Has::role(asked_role.clone()).and_permission(asked_permission.clone());
        prop_assert_eq!(
            granted.has(&both),
            granted.has(&Has::role(asked_role.clone())) && granted.has(&Has::permission(asked_permission.clone()))
        );
        let mixed = Has::role(asked_role.clone()).and_feature(feature.clone());
        prop_assert_eq!(
            granted.has(&mixed),
            granted.has(&Has::role(asked_role)) && granted.has(&Has::feature(feature))
        );
    }
}
