//! The ClerkWebhook extractor through a real actix service: every event type of Clerk's webhooks
//! spec, each rejection as 400/413/500 JSON with its code, and a live HTTP server on 127.0.0.1
//! (Content-Length and chunked bodies).
// Helpers outside #[test] fns unwrap too: a panic there is a test failure with a location.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, HttpServer, test, web};
use clerk_actix::dev::sign_webhook;
use clerk_actix::webhooks::{ClerkWebhook, WebhookConfig, WebhookEventData, WebhookSecret};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0";
const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const PATH: &str = "/webhooks/clerk";
const LIMIT: usize = 64 * 1024;

fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

fn config() -> WebhookConfig {
    WebhookConfig::new(secret()).max_body_size(LIMIT)
}

fn spec_examples() -> serde_json::Map<String, Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/webhooks/spec_examples.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn variant_name(data: &WebhookEventData) -> &'static str {
    use WebhookEventData as D;
    match data {
        D::UserCreated(_) => "UserCreated",
        D::UserUpdated(_) => "UserUpdated",
        D::UserDeleted(_) => "UserDeleted",
        D::SessionCreated(_) => "SessionCreated",
        D::SessionPending(_) => "SessionPending",
        D::SessionEnded(_) => "SessionEnded",
        D::SessionRemoved(_) => "SessionRemoved",
        D::SessionRevoked(_) => "SessionRevoked",
        D::OrganizationCreated(_) => "OrganizationCreated",
        D::OrganizationUpdated(_) => "OrganizationUpdated",
        D::OrganizationDeleted(_) => "OrganizationDeleted",
        D::OrganizationMembershipCreated(_) => "OrganizationMembershipCreated",
        D::OrganizationMembershipUpdated(_) => "OrganizationMembershipUpdated",
        D::OrganizationMembershipDeleted(_) => "OrganizationMembershipDeleted",
        D::OrganizationInvitationCreated(_) => "OrganizationInvitationCreated",
        D::OrganizationInvitationAccepted(_) => "OrganizationInvitationAccepted",
        D::OrganizationInvitationRevoked(_) => "OrganizationInvitationRevoked",
        D::Unknown { .. } => "Unknown",
        _ => "new variant",
    }
}

async fn handler(event: ClerkWebhook) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "type": event.event_type,
        "variant": variant_name(&event.data),
        "messageId": event.message_id,
        "instanceId": event.instance_id,
    }))
}

async fn app(
    config: Option<WebhookConfig>,
) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error> {
    let mut app = App::new().route(PATH, web::post().to(handler));
    if let Some(config) = config {
        app = app.app_data(config);
    }
    test::init_service(app).await
}

/// A delivery of `body` signed with `secret` at `at`, with `extra` headers added (or replacing).
fn delivery(secret: &WebhookSecret, at: SystemTime, body: &str) -> test::TestRequest {
    let mut request = test::TestRequest::post()
        .uri(PATH)
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_owned());
    for header in sign_webhook(secret, "msg_test", at, body.as_bytes()) {
        request = request.insert_header(header);
    }
    request
}

async fn rejection<S>(app: &S, request: test::TestRequest) -> (StatusCode, String, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    let body: Value = test::read_body_json(response).await;
    let error = &body["errors"][0];
    (
        status,
        error["code"].as_str().unwrap().to_owned(),
        error["message"].as_str().unwrap().to_owned(),
    )
}

const USER_CREATED: &str = r#"{"object":"event","type":"user.created","instance_id":"ins_1","timestamp":1,"data":{"object":"user","id":"user_1"}}"#;

#[actix_web::test]
async fn every_spec_event_type_reaches_the_handler_typed() {
    let app = app(Some(config())).await;
    let expected_typed = [
        ("user.created", "UserCreated"),
        ("user.updated", "UserUpdated"),
        ("user.deleted", "UserDeleted"),
        ("session.created", "SessionCreated"),
        ("session.pending", "SessionPending"),
        ("session.ended", "SessionEnded"),
        ("session.removed", "SessionRemoved"),
        ("session.revoked", "SessionRevoked"),
        ("organization.created", "OrganizationCreated"),
        ("organization.updated", "OrganizationUpdated"),
        ("organization.deleted", "OrganizationDeleted"),
        (
            "organizationMembership.created",
            "OrganizationMembershipCreated",
        ),
        (
            "organizationMembership.updated",
            "OrganizationMembershipUpdated",
        ),
        (
            "organizationMembership.deleted",
            "OrganizationMembershipDeleted",
        ),
        (
            "organizationInvitation.created",
            "OrganizationInvitationCreated",
        ),
        (
            "organizationInvitation.accepted",
            "OrganizationInvitationAccepted",
        ),
        (
            "organizationInvitation.revoked",
            "OrganizationInvitationRevoked",
        ),
    ];
    let examples = spec_examples();
    assert_eq!(examples.len(), 45);
    for (event_type, example) in examples {
        let body = example.to_string();
        let response = test::call_service(
            &app,
            delivery(&secret(), SystemTime::now(), &body).to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{event_type}");
        let answer: Value = test::read_body_json(response).await;
        assert_eq!(answer["type"], event_type.as_str());
        assert_eq!(answer["messageId"], "msg_test");
        assert_eq!(answer["instanceId"], example["instance_id"]);
        let variant = expected_typed
            .iter()
            .find(|(typed, _)| *typed == event_type)
            .map_or("Unknown", |(_, variant)| variant);
        assert_eq!(answer["variant"], variant, "{event_type}");
    }
}

#[actix_web::test]
async fn an_unknown_event_type_is_accepted_raw() {
    let app = app(Some(config())).await;
    let body = r#"{"object":"event","type":"spaceship.launched","data":{"id":"ship_1"}}"#;
    let answer: Value = test::call_and_read_body_json(
        &app,
        delivery(&secret(), SystemTime::now(), body).to_request(),
    )
    .await;
    assert_eq!(answer["variant"], "Unknown");
    assert_eq!(answer["type"], "spaceship.launched");
}

#[actix_web::test]
async fn config_as_web_data_works_too() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(config()))
            .route(PATH, web::post().to(handler)),
    )
    .await;
    let response = test::call_service(
        &app,
        delivery(&secret(), SystemTime::now(), USER_CREATED).to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn each_failure_is_a_json_error_with_its_code() {
    let app = app(Some(config())).await;
    let now = SystemTime::now();
    let valid = || delivery(&secret(), now, USER_CREATED);
    let minutes = |n: u64| Duration::from_secs(60 * n);
    let signed_not_json = "this is not json";

    let cases: Vec<(&str, test::TestRequest, StatusCode, &str)> = vec![
        (
            "no headers",
            test::TestRequest::post()
                .uri(PATH)
                .set_payload(USER_CREATED),
            StatusCode::BAD_REQUEST,
            "webhook_missing_header",
        ),
        (
            "forged signature",
            valid().insert_header((
                "svix-signature",
                "v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiBleGFjdGx5IDMyIGI=",
            )),
            StatusCode::BAD_REQUEST,
            "webhook_invalid_signature",
        ),
        (
            "another endpoint's secret",
            delivery(
                &WebhookSecret::new(OTHER_SECRET).unwrap(),
                now,
                USER_CREATED,
            ),
            StatusCode::BAD_REQUEST,
            "webhook_invalid_signature",
        ),
        (
            "tampered body",
            valid().set_payload(USER_CREATED.replace("user_1", "user_2")),
            StatusCode::BAD_REQUEST,
            "webhook_invalid_signature",
        ),
        (
            "tampered id",
            valid().insert_header(("svix-id", "msg_other")),
            StatusCode::BAD_REQUEST,
            "webhook_invalid_signature",
        ),
        (
            "stale by six minutes",
            delivery(&secret(), now - minutes(6), USER_CREATED),
            StatusCode::BAD_REQUEST,
            "webhook_timestamp_too_old",
        ),
        (
            "six minutes in the future",
            delivery(&secret(), now + minutes(6), USER_CREATED),
            StatusCode::BAD_REQUEST,
            "webhook_timestamp_too_new",
        ),
        (
            "timestamp in milliseconds",
            valid().insert_header((
                "svix-timestamp",
                (now.duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_millis())
                .to_string(),
            )),
            StatusCode::BAD_REQUEST,
            "webhook_timestamp_too_new",
        ),
        (
            "timestamp not a number",
            valid().insert_header(("svix-timestamp", "yesterday")),
            StatusCode::BAD_REQUEST,
            "webhook_invalid_timestamp",
        ),
        (
            "signed but not JSON",
            delivery(&secret(), now, signed_not_json),
            StatusCode::BAD_REQUEST,
            "webhook_malformed_payload",
        ),
        (
            "body over the limit",
            delivery(
                &secret(),
                now,
                &format!("{USER_CREATED}{}", " ".repeat(LIMIT)),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "webhook_payload_too_large",
        ),
    ];
    for (name, request, status, code) in cases {
        let (actual_status, actual_code, message) = rejection(&app, request).await;
        assert_eq!(
            (actual_status, actual_code.as_str()),
            (status, code),
            "{name}: {message}"
        );
        assert!(!message.contains("Zm9yZ2Vk"), "{name}: {message}");
        assert!(!message.contains("Y2xlcmst"), "{name}: {message}");
    }
}

#[actix_web::test]
async fn missing_headers_are_named_in_the_message() {
    let app = app(Some(config())).await;
    for header in ["svix-id", "svix-timestamp", "svix-signature"] {
        let mut request = test::TestRequest::post()
            .uri(PATH)
            .set_payload(USER_CREATED);
        for (name, value) in sign_webhook(
            &secret(),
            "msg_test",
            SystemTime::now(),
            USER_CREATED.as_bytes(),
        ) {
            if name != header {
                request = request.insert_header((name, value));
            }
        }
        let (status, code, message) = rejection(&app, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code, "webhook_missing_header");
        assert!(message.contains(&format!("`{header}`")), "{message}");
    }
}

#[actix_web::test]
async fn a_rotated_secret_with_several_signatures_passes() {
    let app = app(Some(config())).await;
    let now = SystemTime::now();
    let [id, timestamp, (_, valid)] =
        sign_webhook(&secret(), "msg_test", now, USER_CREATED.as_bytes());
    let [_, _, (_, old)] = sign_webhook(
        &WebhookSecret::new(OTHER_SECRET).unwrap(),
        "msg_test",
        now,
        USER_CREATED.as_bytes(),
    );
    let request = test::TestRequest::post()
        .uri(PATH)
        .insert_header(id)
        .insert_header(timestamp)
        .insert_header(("svix-signature", format!("{old} v2,ignored {valid}")))
        .set_payload(USER_CREATED);
    let response = test::call_service(&app, request.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn without_config_the_extractor_answers_500() {
    let app = app(None).await;
    let (status, code, message) =
        rejection(&app, delivery(&secret(), SystemTime::now(), USER_CREATED)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(code, "webhook_not_configured");
    assert!(message.contains("WebhookConfig"), "{message}");
}

/// Sends raw HTTP/1.1 to `port` and returns the status code and the body.
async fn raw_http(port: u16, request: Vec<u8>) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    // The server may close before reading all of an oversized body; what it sent still counts.
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn head(headers: &[(&'static str, String)], extra: &str) -> String {
    let mut head = format!("POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(extra);
    head.push_str("\r\n");
    head
}

#[actix_web::test]
async fn over_a_real_socket_with_content_length_and_chunked_bodies() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| {
        App::new()
            .app_data(WebhookConfig::new(secret()).max_body_size(1024))
            .route(PATH, web::post().to(handler))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    // A valid delivery with Content-Length.
    let signed = sign_webhook(
        &secret(),
        "msg_live",
        SystemTime::now(),
        USER_CREATED.as_bytes(),
    );
    let mut request = head(
        &signed,
        &format!("content-length: {}\r\n", USER_CREATED.len()),
    );
    request.push_str(USER_CREATED);
    let (status, body) = raw_http(port, request.into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["messageId"], "msg_live");
    assert_eq!(answer["variant"], "UserCreated");

    // The same delivery chunked: the signature covers the reassembled body.
    let (first, second) = USER_CREATED.split_at(20);
    let mut request = head(&signed, "transfer-encoding: chunked\r\n");
    for chunk in [first, second] {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    let (status, body) = raw_http(port, request.into_bytes()).await;
    assert_eq!(status, 200, "{body}");

    // A chunked body past the limit is cut off without a declared length.
    let big = "x".repeat(600);
    let signed = sign_webhook(&secret(), "msg_big", SystemTime::now(), b"irrelevant");
    let mut request = head(&signed, "transfer-encoding: chunked\r\n");
    for _ in 0..3 {
        request.push_str(&format!("{:x}\r\n{big}\r\n", big.len()));
    }
    request.push_str("0\r\n\r\n");
    let (status, body) = raw_http(port, request.into_bytes()).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("webhook_payload_too_large"), "{body}");

    // A declared length past the limit is refused before the body is read.
    let mut request = head(&signed, "content-length: 5000\r\n");
    request.push_str("{}");
    let (status, body) = raw_http(port, request.into_bytes()).await;
    assert_eq!(status, 413, "{body}");

    handle.stop(true).await;
}
