//! Signed webhook deliveries, for testing your webhook handlers.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::webhooks::{self, WebhookSecret};

/// The `svix-id`, `svix-timestamp` and `svix-signature` headers Clerk would send with `body`,
/// signed with `secret` at `timestamp`.
///
/// ```
/// use std::time::SystemTime;
///
/// use actix_web::test::TestRequest;
/// use clerk_actix::dev::sign_webhook;
/// use clerk_actix::webhooks::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// let body = r#"{"type":"user.deleted","data":{"id":"user_1","deleted":true}}"#;
/// let mut request = TestRequest::post().uri("/webhooks/clerk").set_payload(body);
/// for header in sign_webhook(&secret, "msg_1", SystemTime::now(), body.as_bytes()) {
///     request = request.insert_header(header);
/// }
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
pub fn sign_webhook(
    secret: &WebhookSecret,
    message_id: &str,
    timestamp: SystemTime,
    body: &[u8],
) -> [(&'static str, String); 3] {
    let seconds = timestamp
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    [
        ("svix-id", message_id.to_owned()),
        ("svix-timestamp", seconds.to_string()),
        (
            "svix-signature",
            webhooks::sign(secret, message_id, seconds, body),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn headers_match_the_independent_vector() {
        // tests/fixtures/webhooks/make_vectors.py (USER_CREATED).
        let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0").unwrap();
        let body = br#"{"object":"event","type":"user.created","timestamp":1716883200000,"instance_id":"ins_1","data":{"object":"user","id":"user_1","first_name":"Ada"}}"#;
        let headers = sign_webhook(
            &secret,
            "msg_2user",
            UNIX_EPOCH + Duration::from_secs(1_716_883_200),
            body,
        );
        assert_eq!(
            headers,
            [
                ("svix-id", "msg_2user".to_owned()),
                ("svix-timestamp", "1716883200".to_owned()),
                (
                    "svix-signature",
                    "v1,pd6yDG0MpAbUjiVFkDO1ywOEx7c8qAS1QneVxaYqo5c=".to_owned()
                ),
            ]
        );
    }
}
