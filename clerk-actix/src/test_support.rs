//! Auth objects for unit tests, built without tokens.

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::auth::{AuthState, AuthStatus, ClerkAuth, RequestInfo, TokenType};
use crate::claims::{SessionClaims, SessionStatus};
use crate::config::Clerk;

/// A development instance whose Frontend API is `clerk.inspired.puma-74.lcl.dev`.
pub(crate) const PUBLISHABLE_KEY: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";

const PEM: &str = include_str!("../../tests/fixtures/clerk-js/pem_public_signing_key.pem");

/// A [`Clerk`] for `PUBLISHABLE_KEY`, verifying with a fixture PEM key.
pub(crate) fn clerk() -> Clerk {
    clerk_with(Clerk::builder())
}

/// `builder` completed with `PUBLISHABLE_KEY` and the fixture PEM key.
pub(crate) fn clerk_with(builder: crate::ClerkBuilder) -> Clerk {
    match builder
        .publishable_key(PUBLISHABLE_KEY)
        .jwt_key(PEM)
        .build()
    {
        Ok(clerk) => clerk,
        Err(err) => panic!("test configuration: {err}"),
    }
}

/// The auth object for `req`: signed in with `claims` (merged over `sub`/`sid`), or signed out
/// when `claims` is `None`. A `pending` session (`sts`) counts as signed out, as by default.
pub(crate) fn auth_for(clerk: &Clerk, req: &HttpRequest, claims: Option<Value>) -> ClerkAuth {
    let claims = claims.map(|extra| {
        let mut payload = serde_json::Map::new();
        payload.insert("sub".into(), json!("user_1"));
        payload.insert("sid".into(), json!("sess_1"));
        if let Value::Object(extra) = extra {
            payload.extend(extra);
        }
        match SessionClaims::from_payload(payload) {
            Ok(claims) => claims,
            Err(err) => panic!("test claims: {err}"),
        }
    });
    let pending = claims
        .as_ref()
        .and_then(SessionClaims::session_status)
        .is_some_and(|status| *status == SessionStatus::Pending);
    let signed_in = claims.is_some();
    ClerkAuth(Arc::new(AuthState {
        status: if signed_in {
            AuthStatus::SignedIn
        } else {
            AuthStatus::SignedOut
        },
        reason: None,
        message: None,
        token: signed_in.then(|| crate::auth::TokenText::Copied("token".to_owned())),
        token_type: Some(TokenType::SessionToken),
        claims,
        authenticated: signed_in && !pending,
        machine: None,
        headers: Vec::new(),
        clerk: Arc::new(clerk.clone()),
        request: RequestInfo::from_request(req),
    }))
}

/// A signed-in auth object for a plain `GET /` request.
pub(crate) fn signed_in(claims: Value) -> ClerkAuth {
    auth_for(
        &clerk(),
        &TestRequest::default().to_http_request(),
        Some(claims),
    )
}
