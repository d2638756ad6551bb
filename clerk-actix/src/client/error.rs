//! Errors of the Backend API client.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::models::Metadata;

/// One entry of Clerk's error envelope (`{"errors": [{code, message, long_message, meta}]}`).
///
/// ```
/// let item: clerk_actix::client::ClerkErrorItem = serde_json::from_str(
///     r#"{"code":"form_identifier_exists","message":"taken","meta":{"param_name":"email_address"}}"#,
/// ).unwrap();
/// assert_eq!(item.param_name(), Some("email_address"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClerkErrorItem {
    /// Machine-readable code, e.g. `resource_not_found`, `form_identifier_exists`.
    #[serde(default)]
    pub code: String,
    /// Short message.
    #[serde(default)]
    pub message: String,
    /// Longer explanation.
    pub long_message: Option<String>,
    /// Extra details (`param_name`...).
    #[serde(default, deserialize_with = "null_map")]
    pub meta: Metadata,
}

impl ClerkErrorItem {
    /// The request parameter the error is about (`meta.param_name`), if any.
    ///
    /// ```
    /// let item = clerk_actix::client::ClerkErrorItem::default();
    /// assert_eq!(item.param_name(), None);
    /// ```
    pub fn param_name(&self) -> Option<&str> {
        self.meta.get("param_name").and_then(|name| name.as_str())
    }
}

fn null_map<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Metadata, D::Error> {
    Ok(Option::<Metadata>::deserialize(deserializer)?.unwrap_or_default())
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (DNS, refused, TLS handshake...).
    Connect,
    /// The connection failed while sending the request or reading the response head.
    Connection,
    /// Anything else (an invalid request the HTTP client refused to send...).
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Connection => "connection",
            Self::Other => "other",
        })
    }
}

/// Why a Backend API call failed.
///
/// `Display` never includes the secret key, request bodies or response bodies (they may carry
/// tokens); Clerk's own error codes and messages are included.
///
/// ```
/// use clerk_actix::client::ApiError;
///
/// fn describe(error: &ApiError) -> &'static str {
///     match error {
///         e if e.is_not_found() => "no such object",
///         ApiError::Api { status: 429, .. } => "rate limited",
///         ApiError::Timeout => "Clerk is slow",
///         _ => "other failure",
///     }
/// }
/// assert_eq!(describe(&ApiError::Timeout), "Clerk is slow");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// Clerk answered with an error status.
    #[error("{}", ApiErrorDisplay { status: *status, errors, trace_id: trace_id.as_deref() })]
    Api {
        /// HTTP status.
        status: u16,
        /// Clerk's error entries (empty when the body was not Clerk's envelope).
        errors: Vec<ClerkErrorItem>,
        /// Trace id for Clerk support: body `clerk_trace_id`, else the `Clerk-Trace-Id`
        /// header, else `cf-ray`.
        trace_id: Option<String>,
        /// How long Clerk asks to wait (numeric `Retry-After`, on 429s).
        retry_after: Option<Duration>,
    },
    /// No complete response within the configured timeout.
    #[error("Clerk Backend API request timed out")]
    Timeout,
    /// The request could not be sent or the connection broke.
    #[error("Clerk Backend API transport error ({kind}): {message}")]
    Transport {
        /// What failed.
        kind: TransportErrorKind,
        /// Description from the HTTP client.
        message: String,
    },
    /// Clerk answered with a success status but the body was not the expected JSON
    /// (truncated, not JSON, or of another shape).
    #[error("could not decode the Clerk Backend API response (status {status}): {reason}")]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// What was wrong, without any of the body's content.
        reason: String,
    },
    /// The request was refused before anything was sent (invalid id, out-of-range `limit`...).
    #[error("invalid Clerk Backend API request: {reason}")]
    InvalidRequest {
        /// What was wrong.
        reason: String,
    },
}

impl ApiError {
    /// HTTP status of an [`ApiError::Api`] or [`ApiError::Decode`] error.
    ///
    /// ```
    /// assert_eq!(clerk_actix::client::ApiError::Timeout.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether Clerk answered 404 (the object does not exist).
    ///
    /// ```
    /// assert!(!clerk_actix::client::ApiError::Timeout.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Clerk's error entries (empty for errors that are not Clerk answers).
    ///
    /// ```
    /// assert!(clerk_actix::client::ApiError::Timeout.clerk_errors().is_empty());
    /// ```
    pub fn clerk_errors(&self) -> &[ClerkErrorItem] {
        match self {
            Self::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    pub(crate) fn invalid_request(reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            reason: reason.into(),
        }
    }

    /// A decode error that names the JSON problem and position but quotes nothing from the
    /// body: serde's messages can embed the offending value, which may be a token.
    pub(crate) fn decode(status: u16, error: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let what = match error.classify() {
            Category::Io => "I/O error",
            Category::Syntax => "invalid JSON",
            Category::Data => "JSON of an unexpected shape",
            Category::Eof => "truncated JSON",
        };
        Self::Decode {
            status,
            reason: format!("{what} at line {} column {}", error.line(), error.column()),
        }
    }
}

struct ApiErrorDisplay<'a> {
    status: u16,
    errors: &'a [ClerkErrorItem],
    trace_id: Option<&'a str>,
}

impl fmt::Display for ApiErrorDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clerk Backend API answered {}", self.status)?;
        if let Some(first) = self.errors.first() {
            write!(f, ": {}: {}", first.code, first.message)?;
            if self.errors.len() > 1 {
                write!(f, " (and {} more)", self.errors.len() - 1)?;
            }
        }
        if let Some(trace_id) = self.trace_id {
            write!(f, " [trace id {trace_id}]")?;
        }
        Ok(())
    }
}

/// Why [`ClerkClientBuilder::build`](super::ClerkClientBuilder::build) failed.
///
/// ```
/// use clerk_actix::client::{BuildError, ClerkClient};
///
/// let error = ClerkClient::builder("sk_test_x").api_url("ftp://example.com").build().unwrap_err();
/// assert!(matches!(error, BuildError::InvalidApiUrl { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The secret key is empty or cannot be sent in an HTTP header.
    #[error("the Clerk secret key is empty or contains characters not allowed in an HTTP header")]
    InvalidSecretKey,
    /// The machine secret key is empty or cannot be sent in an HTTP header.
    #[error(
        "the Clerk machine secret key is empty or contains characters not allowed in an HTTP header"
    )]
    InvalidMachineSecretKey,
    /// The API URL is not an absolute `http(s)` URL without query or fragment.
    #[error("invalid Clerk API URL: {reason}")]
    InvalidApiUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The API version is empty or cannot be sent in an HTTP header.
    #[error("invalid Clerk API version {version:?}")]
    InvalidApiVersion {
        /// The rejected value.
        version: String,
    },
    /// The timeout is zero.
    #[error("the Clerk API timeout must be greater than zero")]
    InvalidTimeout,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display_names_code_and_trace_but_not_meta() {
        let error = ApiError::Api {
            status: 422,
            errors: vec![ClerkErrorItem {
                code: "form_param_format_invalid".into(),
                message: "is invalid".into(),
                long_message: Some("long".into()),
                meta: serde_json::from_str(r#"{"param_name":"password","value":"hunter2"}"#)
                    .unwrap(),
            }],
            trace_id: Some("trace-1".into()),
            retry_after: None,
        };
        let shown = error.to_string();
        assert_eq!(
            shown,
            "Clerk Backend API answered 422: form_param_format_invalid: is invalid [trace id trace-1]"
        );
        assert_eq!(error.clerk_errors()[0].param_name(), Some("password"));
    }

    #[test]
    fn decode_error_does_not_quote_the_body() {
        let serde_error =
            serde_json::from_str::<u64>("\"eyJhbGciOiJSUzI1NiJ9.secret\"").unwrap_err();
        assert!(
            serde_error.to_string().contains("eyJ"),
            "premise: serde quotes values"
        );
        let error = ApiError::decode(200, &serde_error);
        let shown = error.to_string();
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.contains("unexpected shape"), "{shown}");
        assert_eq!(error.status(), Some(200));
    }
}
