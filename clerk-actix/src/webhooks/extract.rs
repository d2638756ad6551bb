//! The `ClerkWebhook` extractor and its configuration.

use std::ops::Deref;
use std::time::SystemTime;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt as _;
use futures_util::future::LocalBoxFuture;

use super::signature::SignedHeaders;
use super::{WebhookError, WebhookEvent, WebhookSecret};

/// What [`ClerkWebhook`] verifies with: the endpoint's secret and a body size limit.
///
/// Register it with `App::app_data` (or as `web::Data<WebhookConfig>`); the extractor answers
/// 500 where none is registered.
///
/// ```
/// use actix_web::{App, web};
/// use clerk_actix::webhooks::{ClerkWebhook, WebhookConfig, WebhookSecret};
///
/// async fn handler(event: ClerkWebhook) -> String {
///     event.event_type.clone()
/// }
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// let config = WebhookConfig::new(secret).max_body_size(256 * 1024);
/// let app = App::new()
///     .app_data(config)
///     .route("/webhooks/clerk", web::post().to(handler));
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    secret: WebhookSecret,
    max_body_size: usize,
}

impl WebhookConfig {
    /// The default body limit, 1 MiB: far above Clerk's event sizes, small enough that
    /// unauthenticated senders cannot make the server buffer much.
    pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

    /// Verifies with `secret`, accepting bodies up to [`DEFAULT_MAX_BODY_SIZE`](Self::DEFAULT_MAX_BODY_SIZE).
    ///
    /// ```
    /// use clerk_actix::webhooks::{WebhookConfig, WebhookSecret};
    ///
    /// let config = WebhookConfig::new(WebhookSecret::new("whsec_a2V5")?);
    /// assert!(format!("{config:?}").contains("[redacted]"));
    /// # Ok::<(), clerk_actix::ConfigError>(())
    /// ```
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secret,
            max_body_size: Self::DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// Sets the largest body accepted, in bytes; larger ones get 413 without being buffered.
    ///
    /// ```
    /// use clerk_actix::webhooks::{WebhookConfig, WebhookSecret};
    ///
    /// let config = WebhookConfig::new(WebhookSecret::new("whsec_a2V5")?).max_body_size(64 * 1024);
    /// # Ok::<(), clerk_actix::ConfigError>(())
    /// ```
    #[must_use]
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    fn from_request(req: &HttpRequest) -> Option<&Self> {
        req.app_data::<Self>()
            .or_else(|| req.app_data::<web::Data<Self>>().map(|data| data.get_ref()))
    }
}

/// Extracts a verified [`WebhookEvent`] from a Clerk webhook delivery.
///
/// Checks the `svix-*` headers and the timestamp before reading the body, reads at most
/// [`WebhookConfig::max_body_size`] bytes, verifies the signature over the raw body, then parses
/// the event. Any failure rejects the request with a [`WebhookError`] (400 JSON with the reason;
/// 413 for an oversized body; 500 when no [`WebhookConfig`] is registered).
///
/// ```
/// use actix_web::HttpResponse;
/// use clerk_actix::webhooks::{ClerkWebhook, WebhookEventData};
///
/// async fn clerk_webhook(ClerkWebhook(event): ClerkWebhook) -> HttpResponse {
///     if let WebhookEventData::OrganizationCreated(org) = &event.data {
///         println!("new organization {}", org.slug);
///     }
///     HttpResponse::Ok().finish()
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClerkWebhook(pub WebhookEvent);

impl ClerkWebhook {
    /// The event.
    ///
    /// ```
    /// use clerk_actix::webhooks::{ClerkWebhook, WebhookEvent};
    ///
    /// fn store(webhook: ClerkWebhook) -> WebhookEvent {
    ///     webhook.into_inner()
    /// }
    /// ```
    pub fn into_inner(self) -> WebhookEvent {
        self.0
    }
}

impl Deref for ClerkWebhook {
    type Target = WebhookEvent;

    fn deref(&self) -> &WebhookEvent {
        &self.0
    }
}

impl FromRequest for ClerkWebhook {
    type Error = WebhookError;
    type Future = LocalBoxFuture<'static, Result<Self, WebhookError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Everything that needs no body is checked first, so junk is refused unread.
        let checked = check_before_body(req);
        let payload = payload.take();
        Box::pin(async move {
            let result = async {
                let (config, signed) = checked?;
                let body = read_body(payload, config.max_body_size).await?;
                signed.verify_signature(&config.secret, &body)?;
                WebhookEvent::from_verified(signed.message_id, &body)
            }
            .await;
            match &result {
                Err(WebhookError::NotConfigured) => {
                    tracing::error!("{}", WebhookError::NotConfigured)
                }
                Err(error) => tracing::debug!(code = error.code(), "webhook rejected: {error}"),
                Ok(event) => tracing::debug!(
                    message_id = %event.message_id,
                    event_type = %event.event_type,
                    "webhook verified"
                ),
            }
            result.map(ClerkWebhook)
        })
    }
}

fn check_before_body(req: &HttpRequest) -> Result<(WebhookConfig, SignedHeaders), WebhookError> {
    let config = WebhookConfig::from_request(req).ok_or(WebhookError::NotConfigured)?;
    let signed = SignedHeaders::from_headers(req.headers())?;
    signed.check_timestamp(SystemTime::now())?;
    let declared_length = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > config.max_body_size as u64) {
        return Err(WebhookError::PayloadTooLarge {
            limit: config.max_body_size,
        });
    }
    Ok((config.clone(), signed))
}

/// Buffers the body, stopping as soon as it would exceed `limit` (chunked bodies declare no
/// length up front).
async fn read_body(mut payload: Payload, limit: usize) -> Result<Vec<u8>, WebhookError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(WebhookError::PayloadUnreadable)?;
        if chunk.len() > limit - body.len() {
            return Err(WebhookError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use actix_web::error::PayloadError;
    use actix_web::test::TestRequest;
    use actix_web::web::Bytes;

    use super::*;
    use crate::webhooks::signature::sign;

    const BODY: &str = r#"{"type":"user.created","data":{"id":"user_1"}}"#;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0").unwrap()
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn signed_request(body: &str) -> TestRequest {
        let timestamp = now();
        TestRequest::post()
            .insert_header(("svix-id", "msg_1"))
            .insert_header(("svix-timestamp", timestamp.to_string()))
            .insert_header((
                "svix-signature",
                sign(&secret(), "msg_1", timestamp, body.as_bytes()),
            ))
            .set_payload(body.to_owned())
    }

    async fn extract(request: TestRequest) -> Result<ClerkWebhook, WebhookError> {
        let (req, mut payload) = request.to_http_parts();
        ClerkWebhook::from_request(&req, &mut payload).await
    }

    #[actix_web::test]
    async fn extracts_with_plain_or_data_wrapped_config() {
        let config = WebhookConfig::new(secret());
        let plain = extract(signed_request(BODY).app_data(config.clone()))
            .await
            .unwrap();
        assert_eq!(plain.event_type, "user.created");
        let wrapped = extract(signed_request(BODY).app_data(web::Data::new(config)))
            .await
            .unwrap();
        assert_eq!(wrapped.into_inner().message_id, "msg_1");
    }

    #[actix_web::test]
    async fn no_config_is_a_server_error() {
        let err = extract(signed_request(BODY)).await.unwrap_err();
        assert!(matches!(err, WebhookError::NotConfigured));
    }

    #[actix_web::test]
    async fn bodies_over_the_limit_are_refused() {
        let config = WebhookConfig::new(secret()).max_body_size(BODY.len() - 1);
        let err = extract(signed_request(BODY).app_data(config))
            .await
            .unwrap_err();
        assert!(matches!(err, WebhookError::PayloadTooLarge { limit } if limit == BODY.len() - 1));

        // Exactly at the limit passes.
        let config = WebhookConfig::new(secret()).max_body_size(BODY.len());
        extract(signed_request(BODY).app_data(config))
            .await
            .unwrap();
    }

    fn stream_of(items: Vec<Result<Bytes, PayloadError>>) -> Payload {
        Payload::Stream {
            payload: Box::pin(futures_util::stream::iter(items)),
        }
    }

    fn streamed(chunks: &[&'static str]) -> Payload {
        stream_of(
            chunks
                .iter()
                .map(|chunk| Ok(Bytes::from_static(chunk.as_bytes())))
                .collect(),
        )
    }

    #[actix_web::test]
    async fn undeclared_lengths_are_cut_off_at_the_limit() {
        // No Content-Length (a chunked body): only the streaming check can stop it.
        let body = read_body(streamed(&["12345", "678"]), 8).await.unwrap();
        assert_eq!(body, b"12345678");
        let err = read_body(streamed(&["12345", "6789"]), 8)
            .await
            .unwrap_err();
        assert!(matches!(err, WebhookError::PayloadTooLarge { limit: 8 }));
    }

    #[actix_web::test]
    async fn a_broken_body_stream_is_unreadable() {
        let payload = stream_of(vec![Err(PayloadError::Incomplete(None))]);
        let err = read_body(payload, 8).await.unwrap_err();
        assert!(matches!(err, WebhookError::PayloadUnreadable(_)));
        assert_eq!(err.code(), "webhook_payload_unreadable");
    }

    #[actix_web::test]
    async fn header_problems_are_reported_before_reading_the_body() {
        let config = WebhookConfig::new(secret()).max_body_size(1);
        let request = TestRequest::post()
            .insert_header(("svix-id", "msg_1"))
            .insert_header(("svix-timestamp", "1000"))
            .insert_header(("svix-signature", "v1,AAAA"))
            .app_data(config)
            .set_payload("x".repeat(100));
        let err = extract(request).await.unwrap_err();
        assert!(matches!(
            err,
            WebhookError::TimestampTooOld {
                signed_at: 1000,
                ..
            }
        ));
    }
}
