//! Extractors: [`Auth`] (always), [`SignedIn`] (or 401), and [`ClerkRequestExt`].

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError};

use crate::auth::ClerkAuth;
use crate::claims::SessionClaims;

/// The request's [`ClerkAuth`], signed in or not. Fails (500) only when [`ClerkMiddleware`](crate::ClerkMiddleware)
/// does not wrap the route.
///
/// ```
/// use clerk_actix::Auth;
///
/// async fn greeting(auth: Auth) -> String {
///     match auth.user_id() {
///         Some(user) => format!("hello {user}"),
///         None => format!("hello stranger ({})", auth.status()),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Auth(pub ClerkAuth);

impl Deref for Auth {
    type Target = ClerkAuth;
    fn deref(&self) -> &ClerkAuth {
        &self.0
    }
}

impl FromRequest for Auth {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.auth().map(Auth).ok_or_else(middleware_missing))
    }
}

fn middleware_missing() -> AuthRejection {
    tracing::error!(
        "clerk-actix: an extractor needs ClerkMiddleware, but it does not wrap this route; wrap the App or Scope with ClerkMiddleware::new(clerk)"
    );
    AuthRejection::MiddlewareMissing
}

/// A signed-in user. Rejects with `401` (JSON body, `WWW-Authenticate: Bearer`) otherwise.
/// Use `Option<SignedIn>` where signing in is optional.
///
/// ```
/// use actix_web::HttpResponse;
/// use clerk_actix::SignedIn;
///
/// async fn me(user: SignedIn) -> HttpResponse {
///     HttpResponse::Ok().json(serde_json::json!({
///         "userId": user.user_id(),
///         "orgId": user.org_id(),
///     }))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct SignedIn {
    auth: ClerkAuth,
    claims: SessionClaims,
}

impl SignedIn {
    /// The signed-in user's id.
    pub fn user_id(&self) -> &str {
        self.claims().user_id()
    }

    /// The session claims.
    pub fn claims(&self) -> &SessionClaims {
        &self.claims
    }

    /// The whole auth object.
    pub fn auth(&self) -> &ClerkAuth {
        &self.auth
    }

    /// Unwraps the auth object.
    pub fn into_inner(self) -> ClerkAuth {
        self.auth
    }
}

impl Deref for SignedIn {
    type Target = ClerkAuth;
    fn deref(&self) -> &ClerkAuth {
        &self.auth
    }
}

impl FromRequest for SignedIn {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.auth() {
            None => Err(middleware_missing()),
            Some(auth) => match auth.claims().cloned() {
                Some(claims) => Ok(SignedIn { auth, claims }),
                None => Err(AuthRejection::Unauthenticated),
            },
        })
    }
}

/// Why an auth extractor rejected a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRejection {
    /// `ClerkMiddleware` did not run for this route: a server misconfiguration (500).
    #[error(
        "ClerkMiddleware does not wrap this route; wrap the App or Scope with ClerkMiddleware::new(clerk)"
    )]
    MiddlewareMissing,
    /// Nobody is signed in (401).
    #[error("You must be signed in to access this resource.")]
    Unauthenticated,
}

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MiddlewareMissing => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if *self == Self::Unauthenticated {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response
            .content_type(header::ContentType::json())
            .body(self.json_body())
    }
}

impl AuthRejection {
    /// The JSON body, `{"errors":[{"code":…,"message":…}]}`, written out: every signed-out API
    /// request gets one, and building it from a JSON value cost nine allocations each time.
    /// (A test checks it against the `Display` text.)
    fn json_body(self) -> &'static str {
        match self {
            Self::MiddlewareMissing => {
                r#"{"errors":[{"code":"clerk_middleware_missing","message":"ClerkMiddleware does not wrap this route; wrap the App or Scope with ClerkMiddleware::new(clerk)"}]}"#
            }
            Self::Unauthenticated => {
                r#"{"errors":[{"code":"unauthenticated","message":"You must be signed in to access this resource."}]}"#
            }
        }
    }
}

/// `req.auth()` on [`HttpRequest`] and [`ServiceRequest`].
///
/// ```
/// use actix_web::HttpRequest;
/// use clerk_actix::ClerkRequestExt;
///
/// async fn handler(req: HttpRequest) -> String {
///     let signed_in = req.auth().is_some_and(|auth| auth.is_signed_in());
///     format!("signed in: {signed_in}")
/// }
/// ```
pub trait ClerkRequestExt {
    /// The request's auth object; `None` when `ClerkMiddleware` did not run.
    fn auth(&self) -> Option<ClerkAuth>;
}

impl ClerkRequestExt for HttpRequest {
    fn auth(&self) -> Option<ClerkAuth> {
        self.extensions().get::<ClerkAuth>().cloned()
    }
}

impl ClerkRequestExt for ServiceRequest {
    fn auth(&self) -> Option<ClerkAuth> {
        self.extensions().get::<ClerkAuth>().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_say_what_display_says() {
        for (rejection, code) in [
            (AuthRejection::MiddlewareMissing, "clerk_middleware_missing"),
            (AuthRejection::Unauthenticated, "unauthenticated"),
        ] {
            let body: serde_json::Value = serde_json::from_str(rejection.json_body()).unwrap();
            assert_eq!(
                body,
                serde_json::json!({
                    "errors": [{ "code": code, "message": rejection.to_string() }]
                })
            );
        }
    }
}
