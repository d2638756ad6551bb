//! Errors in the shape of Clerk's Backend API: `{"errors":[{code,message,long_message,meta}],"clerk_trace_id"}`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::store::random_chars;

/// One Clerk API error, rendered as the `errors` envelope with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    message: &'static str,
    pub(crate) long_message: String,
    param: Option<String>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        message: &'static str,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message,
            long_message: long_message.into(),
            param: None,
        }
    }

    fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// 401: a missing or wrong secret key.
    pub(crate) fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authentication_invalid",
            "Unauthorized request",
            "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.",
        )
    }

    /// 404 for an id (or path) that does not exist.
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("{what} not found"),
        )
    }

    /// 400 for a body that is not a JSON object.
    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "malformed request",
            detail,
        )
    }

    /// 422 for a parameter of the wrong type or value.
    pub(crate) fn invalid(param: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_format_invalid",
            "is invalid",
            detail,
        )
        .with_param(param)
    }

    /// 422 for a required parameter that is absent.
    pub(crate) fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_missing",
            "missing required parameter",
            format!("{param} must be included."),
        )
        .with_param(param)
    }

    /// 422 for an identifier (email address, username, slug) that is already taken.
    pub(crate) fn taken(param: &str, what: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_identifier_exists",
            "That identifier is taken.",
            format!("That {what} is taken. Please try another."),
        )
        .with_param(param)
    }

    /// 422 for a request that conflicts with the current state (already a member, ...).
    pub(crate) fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "the request cannot be completed",
            detail,
        )
    }

    /// Any other status and code.
    pub(crate) fn status(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(status, code, "the request cannot be completed", detail)
    }

    /// 401 for a session refresh that fails validation (the SDK then falls back to a handshake).
    pub(crate) fn refresh_rejected(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            code,
            "the session cannot be refreshed",
            detail,
        )
    }

    /// 403 for a user who may not sign in (banned, locked).
    pub(crate) fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, "forbidden", detail)
    }

    /// The JSON body Clerk sends.
    pub(crate) fn body(&self) -> Value {
        let meta = match &self.param {
            Some(param) => json!({ "param_name": param }),
            None => json!({}),
        };
        json!({
            "errors": [{
                "code": self.code,
                "message": self.message,
                "long_message": self.long_message,
                "meta": meta,
            }],
            "meta": {},
            "clerk_trace_id": random_chars(16).to_ascii_lowercase(),
        })
    }

    pub(crate) fn response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_clerks_fields() {
        let body = ApiError::taken("email_address", "email address").body();
        assert_eq!(body["errors"][0]["code"], "form_identifier_exists");
        assert_eq!(body["errors"][0]["meta"]["param_name"], "email_address");
        assert!(body["errors"][0]["long_message"].is_string());
        assert!(
            body["clerk_trace_id"]
                .as_str()
                .is_some_and(|t| t.len() == 16)
        );
        assert_eq!(ApiError::unauthenticated().status, StatusCode::UNAUTHORIZED);
    }
}
