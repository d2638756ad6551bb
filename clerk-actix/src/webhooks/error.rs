//! Why a webhook delivery was rejected, and the HTTP answer for it.

use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// Why a delivery failed verification (or, for the extractor, could not be verified).
///
/// As an actix error it answers `{"errors":[{"code": ..., "message": ...}]}`: 400 for anything
/// wrong with the delivery, 413 for [`PayloadTooLarge`](Self::PayloadTooLarge) and 500 for
/// [`NotConfigured`](Self::NotConfigured). Messages never contain the secret, the signatures or
/// the payload.
///
/// ```
/// use actix_web::ResponseError;
/// use actix_web::http::header::HeaderMap;
/// use clerk_actix::webhooks::{WebhookError, WebhookSecret, verify_webhook};
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// let err = verify_webhook(&secret, &HeaderMap::new(), b"{}").unwrap_err();
/// assert!(matches!(err, WebhookError::MissingHeader { header: "svix-id" }));
/// assert_eq!(err.code(), "webhook_missing_header");
/// assert_eq!(err.status_code(), 400);
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A signature header is absent or empty.
    #[error(
        "the `{header}` header is missing: Clerk sends every webhook with svix-id, svix-timestamp and svix-signature"
    )]
    MissingHeader {
        /// The header's `svix-` name.
        header: &'static str,
    },
    /// A signature header holds bytes that are not visible ASCII.
    #[error("the `{header}` header is not visible ASCII")]
    InvalidHeader {
        /// The header's `svix-` name.
        header: &'static str,
    },
    /// `svix-timestamp` is not a Unix time in whole seconds.
    #[error("the `svix-timestamp` header is not a Unix time in seconds")]
    InvalidTimestamp,
    /// Signed more than five minutes ago: a replay, or this server's clock is ahead.
    #[error(
        "the webhook was signed at {signed_at} (Unix seconds), more than 5 minutes before this server's time {now}: it is a replay, or this server's clock is wrong"
    )]
    TimestampTooOld {
        /// `svix-timestamp`.
        signed_at: u64,
        /// This server's time when it checked (Unix seconds).
        now: u64,
    },
    /// Signed more than five minutes in the future: this server's clock is behind.
    #[error(
        "the webhook was signed at {signed_at} (Unix seconds), more than 5 minutes after this server's time {now}: this server's clock is wrong"
    )]
    TimestampTooNew {
        /// `svix-timestamp`.
        signed_at: u64,
        /// This server's time when it checked (Unix seconds).
        now: u64,
    },
    /// No `v1` signature in `svix-signature` matches: a forgery, a modified body, or a different
    /// endpoint's secret.
    #[error(
        "no signature in `svix-signature` matches this payload: check that CLERK_WEBHOOK_SIGNING_SECRET is this endpoint's secret and that the body reaches the handler unmodified"
    )]
    InvalidSignature,
    /// Correctly signed, but not a Clerk event this crate can read (not JSON, no `type` or
    /// `data`, or `data` not shaped like the event type's resource).
    #[error("the signed payload is not a readable Clerk event: {reason}")]
    MalformedPayload {
        /// What is wrong, without the payload's content.
        reason: String,
        /// The JSON error, for your logs (it may quote part of the payload).
        #[source]
        source: serde_json::Error,
    },
    /// The body exceeds [`WebhookConfig::max_body_size`](super::WebhookConfig::max_body_size).
    #[error("the payload is larger than this endpoint's limit of {limit} bytes")]
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body could not be read from the connection.
    #[error("the request body could not be read")]
    PayloadUnreadable(#[source] PayloadError),
    /// No [`WebhookConfig`](super::WebhookConfig) is registered for the route: a server
    /// misconfiguration (500).
    #[error(
        "no WebhookConfig is registered for this route; add `.app_data(WebhookConfig::new(WebhookSecret::from_env()?))` to the App"
    )]
    NotConfigured,
}

impl WebhookError {
    /// A stable machine-readable code, the `code` of the JSON error body.
    ///
    /// ```
    /// use clerk_actix::webhooks::WebhookError;
    ///
    /// assert_eq!(WebhookError::InvalidSignature.code(), "webhook_invalid_signature");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader { .. } => "webhook_missing_header",
            Self::InvalidHeader { .. } => "webhook_invalid_header",
            Self::InvalidTimestamp => "webhook_invalid_timestamp",
            Self::TimestampTooOld { .. } => "webhook_timestamp_too_old",
            Self::TimestampTooNew { .. } => "webhook_timestamp_too_new",
            Self::InvalidSignature => "webhook_invalid_signature",
            Self::MalformedPayload { .. } => "webhook_malformed_payload",
            Self::PayloadTooLarge { .. } => "webhook_payload_too_large",
            Self::PayloadUnreadable(_) => "webhook_payload_unreadable",
            Self::NotConfigured => "webhook_not_configured",
        }
    }
}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "errors": [{ "code": self.code(), "message": self.to_string() }]
        }))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    fn body_of(error: &WebhookError) -> serde_json::Value {
        let bytes = error.error_response().into_body().try_into_bytes().unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn responses_are_json_with_code_and_message() {
        let error = WebhookError::TimestampTooOld {
            signed_at: 1_000,
            now: 2_000,
        };
        assert_eq!(error.status_code(), StatusCode::BAD_REQUEST);
        let body = body_of(&error);
        assert_eq!(body["errors"][0]["code"], "webhook_timestamp_too_old");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("signed at 1000") && message.contains("time 2000"),
            "{message}"
        );
    }

    #[test]
    fn statuses_separate_client_errors_from_misconfiguration() {
        assert_eq!(
            WebhookError::NotConfigured.status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            WebhookError::PayloadTooLarge { limit: 10 }.status_code(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            body_of(&WebhookError::PayloadTooLarge { limit: 10 })["errors"][0]["code"],
            "webhook_payload_too_large"
        );
        for error in [
            WebhookError::MissingHeader { header: "svix-id" },
            WebhookError::InvalidHeader {
                header: "svix-signature",
            },
            WebhookError::InvalidTimestamp,
            WebhookError::InvalidSignature,
            WebhookError::PayloadUnreadable(PayloadError::Incomplete(None)),
        ] {
            assert_eq!(error.status_code(), StatusCode::BAD_REQUEST, "{error}");
        }
    }
}
