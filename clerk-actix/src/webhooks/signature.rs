//! The Svix signature scheme as Clerk uses it: header parsing, the timestamp window and the
//! HMAC check.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::header::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac as _;

use super::secret::HmacSha256;
use super::{WebhookError, WebhookEvent, WebhookSecret};

/// How far `svix-timestamp` may be from this server's clock, either way.
const TOLERANCE_SECS: u64 = 5 * 60;

/// Each header by its Svix name (what Clerk sends) and its Standard Webhooks name.
const ID_HEADER: (&str, &str) = ("svix-id", "webhook-id");
const TIMESTAMP_HEADER: (&str, &str) = ("svix-timestamp", "webhook-timestamp");
const SIGNATURE_HEADER: (&str, &str) = ("svix-signature", "webhook-signature");

const SIGNATURE_VERSION: &str = "v1";

/// Verifies a delivery and parses its event, at the current time.
///
/// `headers` are the request's headers and `body` its raw bytes, exactly as received: the
/// signature covers them byte for byte, so parse nothing before verifying.
///
/// ```
/// use actix_web::http::header::HeaderMap;
/// use clerk_actix::webhooks::{WebhookError, WebhookSecret, verify_webhook};
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// let mut headers = HeaderMap::new();
/// for (name, value) in [
///     ("svix-id", "msg_2user"),
///     ("svix-timestamp", "1716883200"), // long ago
///     ("svix-signature", "v1,pd6yDG0MpAbUjiVFkDO1ywOEx7c8qAS1QneVxaYqo5c="),
/// ] {
///     headers.insert(name.parse().unwrap(), value.parse().unwrap());
/// }
/// let err = verify_webhook(&secret, &headers, b"{}").unwrap_err();
/// assert!(matches!(err, WebhookError::TimestampTooOld { signed_at: 1716883200, .. }));
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
pub fn verify_webhook(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<WebhookEvent, WebhookError> {
    verify_webhook_at(secret, headers, body, SystemTime::now())
}

/// [`verify_webhook`] with an explicit current time (for tests and replaying stored deliveries).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// use actix_web::http::header::HeaderMap;
/// use clerk_actix::webhooks::{WebhookEventData, WebhookSecret, verify_webhook_at};
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// let body = br#"{"object":"event","type":"user.created","timestamp":1716883200000,"instance_id":"ins_1","data":{"object":"user","id":"user_1","first_name":"Ada"}}"#;
/// let mut headers = HeaderMap::new();
/// for (name, value) in [
///     ("svix-id", "msg_2user"),
///     ("svix-timestamp", "1716883200"),
///     ("svix-signature", "v1,pd6yDG0MpAbUjiVFkDO1ywOEx7c8qAS1QneVxaYqo5c="),
/// ] {
///     headers.insert(name.parse().unwrap(), value.parse().unwrap());
/// }
///
/// let one_minute_later = UNIX_EPOCH + Duration::from_secs(1716883260);
/// let event = verify_webhook_at(&secret, &headers, body, one_minute_later).unwrap();
/// assert_eq!(event.event_type, "user.created");
/// assert!(matches!(&event.data, WebhookEventData::UserCreated(user) if user.id == "user_1"));
///
/// let tampered = body.to_vec().into_iter().map(|b| if b == b'A' { b'E' } else { b }).collect::<Vec<_>>();
/// assert!(verify_webhook_at(&secret, &headers, &tampered, one_minute_later).is_err());
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
pub fn verify_webhook_at(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<WebhookEvent, WebhookError> {
    let signed = SignedHeaders::from_headers(headers)?;
    signed.check_timestamp(now)?;
    signed.verify_signature(secret, body)?;
    WebhookEvent::from_verified(signed.message_id, body)
}

/// The signature headers of a delivery, checked for shape but not yet verified.
#[derive(Debug)]
pub(crate) struct SignedHeaders {
    pub(crate) message_id: String,
    timestamp: u64,
    signatures: String,
}

impl SignedHeaders {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Self, WebhookError> {
        let message_id = header(headers, ID_HEADER)?.to_owned();
        let timestamp = parse_timestamp(header(headers, TIMESTAMP_HEADER)?)?;
        let signatures = header(headers, SIGNATURE_HEADER)?.to_owned();
        Ok(Self {
            message_id,
            timestamp,
            signatures,
        })
    }

    pub(crate) fn check_timestamp(&self, now: SystemTime) -> Result<(), WebhookError> {
        // A clock before 1970 reads as 0: every real timestamp is then "too new", failing closed.
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let signed_at = self.timestamp;
        if signed_at.saturating_add(TOLERANCE_SECS) < now {
            Err(WebhookError::TimestampTooOld { signed_at, now })
        } else if signed_at > now.saturating_add(TOLERANCE_SECS) {
            Err(WebhookError::TimestampTooNew { signed_at, now })
        } else {
            Ok(())
        }
    }

    pub(crate) fn verify_signature(
        &self,
        secret: &WebhookSecret,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let mac = signing_mac(secret, &self.message_id, self.timestamp, body);
        let matches = self
            .signatures
            .split_ascii_whitespace()
            .filter_map(|entry| entry.split_once(','))
            .filter(|(version, _)| *version == SIGNATURE_VERSION)
            .filter_map(|(_, signature)| STANDARD.decode(signature).ok())
            // `verify_slice` compares in constant time; a wrong length fails without comparing.
            .any(|signature| mac.clone().verify_slice(&signature).is_ok());
        if matches {
            Ok(())
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }
}

/// The header's trimmed value (Clerk's SDK trims too); empty counts as missing.
fn header<'a>(
    headers: &'a HeaderMap,
    (svix_name, standard_name): (&'static str, &'static str),
) -> Result<&'a str, WebhookError> {
    let value = headers
        .get(svix_name)
        .or_else(|| headers.get(standard_name))
        .ok_or(WebhookError::MissingHeader { header: svix_name })?
        .to_str()
        .map_err(|_| WebhookError::InvalidHeader { header: svix_name })?
        .trim();
    if value.is_empty() {
        return Err(WebhookError::MissingHeader { header: svix_name });
    }
    Ok(value)
}

/// Whole seconds as ASCII digits only: `str::parse` alone would also take a sign.
fn parse_timestamp(value: &str) -> Result<u64, WebhookError> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::InvalidTimestamp);
    }
    value.parse().map_err(|_| WebhookError::InvalidTimestamp)
}

/// The HMAC over `{id}.{timestamp}.{body}`, fed in pieces to avoid copying the body. The
/// timestamp is the parsed integer re-printed, as Svix's libraries sign it.
fn signing_mac(
    secret: &WebhookSecret,
    message_id: &str,
    timestamp: u64,
    body: &[u8],
) -> HmacSha256 {
    let mut mac = secret.mac();
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `svix-signature` value (`v1,<base64>`) for a delivery, for the `dev` test helpers.
#[cfg(any(test, feature = "dev"))]
pub(crate) fn sign(
    secret: &WebhookSecret,
    message_id: &str,
    timestamp: u64,
    body: &[u8],
) -> String {
    let tag = signing_mac(secret, message_id, timestamp, body)
        .finalize()
        .into_bytes();
    format!("{SIGNATURE_VERSION},{}", STANDARD.encode(tag))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    // Computed with Python's hmac module: tests/fixtures/webhooks/make_vectors.py.
    const SECRET: &str = "whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0";
    const USER_CREATED_ID: &str = "msg_2user";
    const USER_CREATED_TIMESTAMP: u64 = 1_716_883_200;
    const USER_CREATED_BODY: &str = r#"{"object":"event","type":"user.created","timestamp":1716883200000,"instance_id":"ins_1","data":{"object":"user","id":"user_1","first_name":"Ada"}}"#;
    const USER_CREATED_SIGNATURE: &str = "v1,pd6yDG0MpAbUjiVFkDO1ywOEx7c8qAS1QneVxaYqo5c=";
    const UNKNOWN_TYPE_BODY: &str =
        r#"{"object":"event","type":"invoice.paid","data":{"id":"in_1","amount":42}}"#;
    const UNKNOWN_TYPE_SIGNATURE: &str = "v1,p/EwN2I7SVipI9A3h+8Pl7+4fOa0sm++BwHzbfb3gKs=";
    // Svix's published example, as a cross-check that this is Svix's scheme.
    const SVIX_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const SVIX_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const SVIX_TIMESTAMP: u64 = 1_649_367_553;
    const SVIX_BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
    const SVIX_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn secret() -> WebhookSecret {
        WebhookSecret::new(SECRET).unwrap()
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn user_created_headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
        headers(&[
            ("svix-id", id),
            ("svix-timestamp", timestamp),
            ("svix-signature", signature),
        ])
    }

    fn verify_user_created(headers: &HeaderMap, body: &str) -> Result<WebhookEvent, WebhookError> {
        verify_webhook_at(
            &secret(),
            headers,
            body.as_bytes(),
            at(USER_CREATED_TIMESTAMP + 30),
        )
    }

    fn valid_headers() -> HeaderMap {
        user_created_headers(
            USER_CREATED_ID,
            &USER_CREATED_TIMESTAMP.to_string(),
            USER_CREATED_SIGNATURE,
        )
    }

    #[test]
    fn signing_matches_independent_vectors() {
        let body = USER_CREATED_BODY.as_bytes();
        assert_eq!(
            sign(&secret(), USER_CREATED_ID, USER_CREATED_TIMESTAMP, body),
            USER_CREATED_SIGNATURE
        );
        let svix = WebhookSecret::new(SVIX_SECRET).unwrap();
        assert_eq!(
            sign(&svix, SVIX_ID, SVIX_TIMESTAMP, SVIX_BODY.as_bytes()),
            SVIX_SIGNATURE
        );
    }

    #[test]
    fn a_valid_delivery_verifies_and_parses() {
        let event = verify_user_created(&valid_headers(), USER_CREATED_BODY).unwrap();
        assert_eq!(event.message_id, USER_CREATED_ID);
        assert_eq!(event.event_type, "user.created");
        assert_eq!(event.instance_id, "ins_1");
        assert_eq!(event.timestamp, 1_716_883_200_000);
        match event.data {
            super::super::WebhookEventData::UserCreated(user) => {
                assert_eq!(user.first_name.as_deref(), Some("Ada"));
            }
            other => panic!("wrong variant: {other:?}"),
        }
    }

    #[test]
    fn an_unknown_type_is_kept_raw() {
        let headers = user_created_headers(
            "msg_2future",
            &USER_CREATED_TIMESTAMP.to_string(),
            UNKNOWN_TYPE_SIGNATURE,
        );
        let event = verify_user_created(&headers, UNKNOWN_TYPE_BODY).unwrap();
        assert_eq!(
            event.data,
            super::super::WebhookEventData::Unknown {
                event_type: "invoice.paid".to_owned(),
                data: serde_json::json!({"id": "in_1", "amount": 42}),
            }
        );
    }

    #[test]
    fn svix_example_signature_verifies_but_is_not_a_clerk_event() {
        let headers = user_created_headers(SVIX_ID, &SVIX_TIMESTAMP.to_string(), SVIX_SIGNATURE);
        let svix = WebhookSecret::new(SVIX_SECRET).unwrap();
        let err = verify_webhook_at(&svix, &headers, SVIX_BODY.as_bytes(), at(SVIX_TIMESTAMP))
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::MalformedPayload { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn tampering_with_body_id_or_timestamp_fails() {
        let tampered_body = USER_CREATED_BODY.replace("Ada", "Eve");
        let ts = USER_CREATED_TIMESTAMP.to_string();
        let cases = [
            (valid_headers(), tampered_body.as_str()),
            (
                user_created_headers("msg_other", &ts, USER_CREATED_SIGNATURE),
                USER_CREATED_BODY,
            ),
            (
                user_created_headers(
                    USER_CREATED_ID,
                    &(USER_CREATED_TIMESTAMP + 1).to_string(),
                    USER_CREATED_SIGNATURE,
                ),
                USER_CREATED_BODY,
            ),
            // A trailing newline is a different body.
            (valid_headers(), &format!("{USER_CREATED_BODY}\n")),
        ];
        for (headers, body) in cases {
            let err = verify_user_created(&headers, body).unwrap_err();
            assert!(matches!(err, WebhookError::InvalidSignature), "{err:?}");
        }
    }

    #[test]
    fn another_secret_does_not_verify() {
        let other = WebhookSecret::new(SVIX_SECRET).unwrap();
        let err = verify_webhook_at(
            &other,
            &valid_headers(),
            USER_CREATED_BODY.as_bytes(),
            at(USER_CREATED_TIMESTAMP),
        )
        .unwrap_err();
        assert!(matches!(err, WebhookError::InvalidSignature));
    }

    #[test]
    fn the_window_is_five_minutes_either_way_inclusive() {
        let verify = |now: u64| {
            verify_webhook_at(
                &secret(),
                &valid_headers(),
                USER_CREATED_BODY.as_bytes(),
                at(now),
            )
        };
        verify(USER_CREATED_TIMESTAMP + 300).unwrap();
        verify(USER_CREATED_TIMESTAMP - 300).unwrap();
        assert!(matches!(
            verify(USER_CREATED_TIMESTAMP + 301),
            Err(WebhookError::TimestampTooOld { signed_at: USER_CREATED_TIMESTAMP, now })
                if now == USER_CREATED_TIMESTAMP + 301
        ));
        assert!(matches!(
            verify(USER_CREATED_TIMESTAMP - 301),
            Err(WebhookError::TimestampTooNew { .. })
        ));
        // A clock before 1970 fails closed.
        let signed = SignedHeaders::from_headers(&valid_headers()).unwrap();
        assert!(matches!(
            signed.check_timestamp(UNIX_EPOCH - Duration::from_secs(1)),
            Err(WebhookError::TimestampTooNew { now: 0, .. })
        ));
    }

    #[test]
    fn stale_deliveries_fail_even_with_a_valid_signature() {
        let stale = sign(
            &secret(),
            USER_CREATED_ID,
            1_000,
            USER_CREATED_BODY.as_bytes(),
        );
        let headers = user_created_headers(USER_CREATED_ID, "1000", &stale);
        assert!(matches!(
            verify_user_created(&headers, USER_CREATED_BODY),
            Err(WebhookError::TimestampTooOld {
                signed_at: 1000,
                ..
            })
        ));
    }

    #[test]
    fn one_matching_signature_among_several_is_enough() {
        let rotated = format!(
            "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,whatever v1,not-base64!  {USER_CREATED_SIGNATURE} v1,{}",
            "B".repeat(44)
        );
        let headers = user_created_headers(
            USER_CREATED_ID,
            &USER_CREATED_TIMESTAMP.to_string(),
            &rotated,
        );
        verify_user_created(&headers, USER_CREATED_BODY).unwrap();
    }

    #[test]
    fn only_v1_entries_count() {
        let ts = USER_CREATED_TIMESTAMP.to_string();
        let sig = USER_CREATED_SIGNATURE.trim_start_matches("v1,");
        for signatures in [
            format!("v2,{sig}"),
            format!("V1,{sig}"),
            sig.to_owned(),
            format!("v1,{}", &sig[..20]),
            "v1,".to_owned(),
            "v1".to_owned(),
            ",".to_owned(),
        ] {
            let headers = user_created_headers(USER_CREATED_ID, &ts, &signatures);
            assert!(
                matches!(
                    verify_user_created(&headers, USER_CREATED_BODY),
                    Err(WebhookError::InvalidSignature)
                ),
                "{signatures}"
            );
        }
    }

    #[test]
    fn missing_or_empty_headers_are_named() {
        let ts = USER_CREATED_TIMESTAMP.to_string();
        let full = [
            ("svix-id", USER_CREATED_ID),
            ("svix-timestamp", ts.as_str()),
            ("svix-signature", USER_CREATED_SIGNATURE),
        ];
        for (index, (name, _)) in full.iter().enumerate() {
            let mut without: Vec<_> = full.to_vec();
            without.remove(index);
            let err = verify_user_created(&headers(&without), USER_CREATED_BODY).unwrap_err();
            assert!(
                matches!(err, WebhookError::MissingHeader { header } if header == *name),
                "{err:?}"
            );
            let mut blank: Vec<_> = full.to_vec();
            blank[index].1 = "  ";
            let err = verify_user_created(&headers(&blank), USER_CREATED_BODY).unwrap_err();
            assert!(
                matches!(err, WebhookError::MissingHeader { header } if header == *name),
                "{err:?}"
            );
        }
    }

    #[test]
    fn standard_webhooks_header_names_are_accepted() {
        let ts = USER_CREATED_TIMESTAMP.to_string();
        let headers = headers(&[
            ("webhook-id", USER_CREATED_ID),
            ("webhook-timestamp", &ts),
            ("webhook-signature", USER_CREATED_SIGNATURE),
        ]);
        verify_user_created(&headers, USER_CREATED_BODY).unwrap();
    }

    #[test]
    fn surrounding_whitespace_in_headers_is_ignored() {
        let headers = user_created_headers(
            &format!(" {USER_CREATED_ID} "),
            &format!("{USER_CREATED_TIMESTAMP} "),
            &format!(" {USER_CREATED_SIGNATURE}"),
        );
        verify_user_created(&headers, USER_CREATED_BODY).unwrap();
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for timestamp in [
            "+1716883200",
            "-1",
            "1716883200.5",
            "1716883200000000000000",
            "abc",
            "1716883200abc",
            "17 16883200",
            "١٢٣",
        ] {
            let mut map = valid_headers();
            map.insert(
                HeaderName::from_static("svix-timestamp"),
                HeaderValue::from_bytes(timestamp.as_bytes()).unwrap(),
            );
            let err = verify_user_created(&map, USER_CREATED_BODY).unwrap_err();
            assert!(
                matches!(
                    err,
                    WebhookError::InvalidTimestamp | WebhookError::InvalidHeader { .. }
                ),
                "{timestamp}: {err:?}"
            );
        }
    }

    #[test]
    fn leading_zeros_sign_the_canonical_integer_like_svix() {
        let headers = user_created_headers(
            USER_CREATED_ID,
            &format!("000{USER_CREATED_TIMESTAMP}"),
            USER_CREATED_SIGNATURE,
        );
        verify_user_created(&headers, USER_CREATED_BODY).unwrap();
    }

    #[test]
    fn non_ascii_header_bytes_are_invalid_not_a_panic() {
        let mut map = valid_headers();
        map.insert(
            HeaderName::from_static("svix-signature"),
            HeaderValue::from_bytes(b"v1,\xff\xfe").unwrap(),
        );
        assert!(matches!(
            verify_user_created(&map, USER_CREATED_BODY),
            Err(WebhookError::InvalidHeader {
                header: "svix-signature"
            })
        ));
        let mut map = valid_headers();
        map.insert(
            HeaderName::from_static("svix-id"),
            HeaderValue::from_bytes("msg_é".as_bytes()).unwrap(),
        );
        assert!(matches!(
            verify_user_created(&map, USER_CREATED_BODY),
            Err(WebhookError::InvalidHeader { header: "svix-id" })
        ));
    }

    #[test]
    fn hostile_signature_headers_never_panic() {
        let ts = USER_CREATED_TIMESTAMP.to_string();
        let long = "v1,".repeat(2_000);
        let many = format!("{} ", USER_CREATED_SIGNATURE.replace('p', "q")).repeat(300);
        for signatures in [
            ",,,,",
            "v1,,v1,,",
            "v1,====",
            "v1,A",
            "v1,AA==,AA==",
            long.as_str(),
            many.as_str(),
            "\t v1 , x \t",
        ] {
            let headers = user_created_headers(USER_CREATED_ID, &ts, signatures);
            assert!(matches!(
                verify_user_created(&headers, USER_CREATED_BODY),
                Err(WebhookError::InvalidSignature)
            ));
        }
    }

    #[test]
    fn signed_but_malformed_payloads_are_typed_errors() {
        for body in [
            "",
            "not json",
            "[]",
            r#"{"type":"user.created"}"#,
            r#"{"data":{}}"#,
            r#"{"type":7,"data":{}}"#,
            r#"{"type":"user.created","data":{"object":"user"}}"#,
            r#"{"type":"user.created","data":null}"#,
            r#"{"type":"session.created","data":{"id":"sess_1"}}"#,
        ] {
            let signature = sign(
                &secret(),
                USER_CREATED_ID,
                USER_CREATED_TIMESTAMP,
                body.as_bytes(),
            );
            let headers = user_created_headers(
                USER_CREATED_ID,
                &USER_CREATED_TIMESTAMP.to_string(),
                &signature,
            );
            let err = verify_user_created(&headers, body).unwrap_err();
            assert!(
                matches!(err, WebhookError::MalformedPayload { .. }),
                "{body}: {err:?}"
            );
        }
    }

    #[test]
    fn errors_never_echo_the_signatures() {
        let forged = "v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiBleGFjdGx5IDMyIGI=";
        let headers =
            user_created_headers(USER_CREATED_ID, &USER_CREATED_TIMESTAMP.to_string(), forged);
        let err = verify_user_created(&headers, USER_CREATED_BODY).unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("Zm9yZ2Vk"), "{text}");
            assert!(!text.contains("Y2xlcmst"), "{text}");
        }
    }
}
