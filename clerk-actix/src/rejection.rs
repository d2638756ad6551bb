//! [`Rejection`]: why a guard turned a request away, and the response it gets.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::authorization::{Reverification, reverification_error_body};
use crate::extract::AuthRejection;
use crate::redirect::redirect_response;

/// Why a guard ([`Protect`](crate::Protect), the `#[require_*]` attributes, the scope
/// middlewares) turned a request away. As an [`actix_web::ResponseError`] it renders Clerk's
/// answers:
///
/// | variant | response |
/// |---|---|
/// | `Unauthenticated` | `401`, `WWW-Authenticate: Bearer`, `{"errors":[{"code":"unauthenticated",…}]}` |
/// | `RedirectToSignIn` | `307` to the sign-in page, `x-clerk-redirect-to: true` |
/// | `Forbidden` | `403`, `{"errors":[{"code":"forbidden",…}]}` |
/// | `NotFound` | `404`, `{"errors":[{"code":"not_found",…}]}` |
/// | `ReverificationRequired` | `403`, `{"clerk_error":{"type":"forbidden","reason":"reverification-error",…}}` |
/// | `MiddlewareMissing` | `500`: [`ClerkMiddleware`](crate::ClerkMiddleware) does not wrap the route |
///
/// ```
/// use actix_web::ResponseError;
/// use clerk_actix::Rejection;
///
/// let response = Rejection::Forbidden.error_response();
/// assert_eq!(response.status(), 403);
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// `ClerkMiddleware` did not run for this route: a server misconfiguration.
    #[error(
        "ClerkMiddleware does not wrap this route; wrap the App or Scope with ClerkMiddleware::new(clerk)"
    )]
    MiddlewareMissing,
    /// Nobody is signed in (or the session is `pending`) and the request is not a page request,
    /// or redirects are off.
    #[error("You must be signed in to access this resource.")]
    Unauthenticated,
    /// Nobody is signed in and a browser asked for a page: send it to sign in.
    #[error("You must be signed in to access this resource; redirecting to sign in.")]
    RedirectToSignIn {
        /// The sign-in URL, with `redirect_url` back to the requested page.
        location: String,
    },
    /// The signed-in user lacks the role, permission, feature or plan required.
    #[error("You are not allowed to access this resource.")]
    Forbidden,
    /// As [`Forbidden`](Self::Forbidden), answered as if the resource did not exist.
    #[error("Not found.")]
    NotFound,
    /// The user must verify their identity again, this recently, before retrying.
    #[error("You must verify your identity again to access this resource.")]
    ReverificationRequired(Reverification),
}

impl Rejection {
    fn code(&self) -> &'static str {
        match self {
            Self::MiddlewareMissing => "clerk_middleware_missing",
            Self::Unauthenticated | Self::RedirectToSignIn { .. } => "unauthenticated",
            Self::Forbidden | Self::ReverificationRequired(_) => "forbidden",
            Self::NotFound => "not_found",
        }
    }
}

impl ResponseError for Rejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MiddlewareMissing => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::RedirectToSignIn { .. } => StatusCode::TEMPORARY_REDIRECT,
            Self::Forbidden | Self::ReverificationRequired(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The same answers the extractors give.
            Self::MiddlewareMissing => AuthRejection::MiddlewareMissing.error_response(),
            Self::Unauthenticated => AuthRejection::Unauthenticated.error_response(),
            Self::RedirectToSignIn { location } => redirect_response(location),
            Self::ReverificationRequired(reverification) => {
                HttpResponse::Forbidden().json(reverification_error_body(reverification))
            }
            Self::Forbidden | Self::NotFound => {
                HttpResponse::build(self.status_code()).json(serde_json::json!({
                    "errors": [{ "code": self.code(), "message": self.to_string() }]
                }))
            }
        }
    }
}

impl fmt::Debug for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The query may hold a development browser token: show where, not what.
            Self::RedirectToSignIn { location } => f
                .debug_struct("RedirectToSignIn")
                .field("location", &location.split('?').next().unwrap_or_default())
                .finish_non_exhaustive(),
            Self::ReverificationRequired(reverification) => f
                .debug_tuple("ReverificationRequired")
                .field(reverification)
                .finish(),
            Self::MiddlewareMissing => f.write_str("MiddlewareMissing"),
            Self::Unauthenticated => f.write_str("Unauthenticated"),
            Self::Forbidden => f.write_str("Forbidden"),
            Self::NotFound => f.write_str("NotFound"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;
    use actix_web::http::header;
    use serde_json::{Value, json};

    async fn body(rejection: &Rejection) -> Value {
        let bytes = to_bytes(rejection.error_response().into_body())
            .await
            .unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    #[actix_rt::test]
    async fn responses_match_clerks_shapes() {
        let unauthenticated = Rejection::Unauthenticated.error_response();
        assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            unauthenticated
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
        assert_eq!(
            body(&Rejection::Unauthenticated).await["errors"][0]["code"],
            "unauthenticated"
        );
        assert_eq!(
            body(&Rejection::Forbidden).await,
            json!({"errors":[{"code":"forbidden","message":"You are not allowed to access this resource."}]})
        );
        assert_eq!(
            Rejection::NotFound.error_response().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            body(&Rejection::NotFound).await["errors"][0]["code"],
            "not_found"
        );
        let reverify = Rejection::ReverificationRequired(Reverification::StrictMfa);
        assert_eq!(reverify.error_response().status(), StatusCode::FORBIDDEN);
        assert_eq!(
            body(&reverify).await,
            json!({"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":"strict_mfa"}}})
        );
        assert_eq!(
            Rejection::MiddlewareMissing.error_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn redirects_carry_the_location_and_debug_hides_its_query() {
        let rejection = Rejection::RedirectToSignIn {
            location: "https://accounts.example.com/sign-in?__clerk_db_jwt=dvb_secret".into(),
        };
        let response = rejection.error_response();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some("https://accounts.example.com/sign-in?__clerk_db_jwt=dvb_secret")
        );
        let shown = format!("{rejection:?} {rejection}");
        assert!(!shown.contains("dvb_secret"), "{shown}");
        assert!(
            shown.contains("https://accounts.example.com/sign-in"),
            "{shown}"
        );
        assert_eq!(format!("{:?}", Rejection::Forbidden), "Forbidden");
    }
}
