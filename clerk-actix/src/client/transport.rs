//! Sending requests with `awc`: one HTTP client per thread, headers, timeouts, retries and
//! response decoding.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER, USER_AGENT,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ClerkClient;
use super::error::{ApiError, ClerkErrorItem, TransportErrorKind};
use super::request::{Call, Credential};

/// Largest response body read: a page of 500 users with all identifications stays well below.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Time allowed to open a TCP (and TLS) connection; the request timeout bounds it too.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

thread_local! {
    /// `awc::Client` is `!Send`, so each worker thread keeps its own, tagged with the actix
    /// `System` it was made in: a client (and its pooled connections) must not outlive the
    /// runtime whose reactor owns its sockets, which happens when tests run one `System` after
    /// another on the same thread.
    static HTTP_CLIENT: RefCell<Option<(Option<usize>, awc::Client)>> = const { RefCell::new(None) };
}

fn http_client() -> awc::Client {
    let system = actix_rt::System::try_current().map(|system| system.id());
    HTTP_CLIENT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some((owner, client)) = slot.as_ref()
            && *owner == system
        {
            return client.clone();
        }
        let client = build_http_client();
        *slot = Some((system, client.clone()));
        client
    })
}

fn build_http_client() -> awc::Client {
    crate::http::install_tls_provider();
    awc::Client::builder()
        .connector(awc::Connector::new().timeout(CONNECT_TIMEOUT))
        // A redirect would replay the Authorization header to wherever it points.
        .disable_redirects()
        .finish()
}

/// A successful (2xx) response.
struct RawResponse {
    status: u16,
    body: actix_web::web::Bytes,
}

impl ClerkClient {
    /// Sends `call` (retrying reads per the retry policy) and decodes the JSON answer.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        // awc and Tokio timers panic outside a Tokio runtime; report the misuse instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ApiError::Transport {
                kind: TransportErrorKind::Other,
                message: "no actix/Tokio runtime: run Clerk API calls on an actix runtime".into(),
            });
        }
        let response = self.send_with_retries(&call).await?;
        serde_json::from_slice(&response.body)
            .map_err(|error| ApiError::decode(response.status, &error))
    }

    async fn send_with_retries(&self, call: &Call) -> Result<RawResponse, ApiError> {
        let config = self.config();
        let policy = config.retry.filter(|_| call.is_read());
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let timeout = match policy {
                Some(policy) => config
                    .timeout
                    .min(policy.budget().saturating_sub(started.elapsed())),
                None => config.timeout,
            };
            let result = self.send_once(call, timeout).await;
            let (Some(policy), Err(error)) = (policy, &result) else {
                return result;
            };
            let Some(wait) = policy.delay_after(error, attempt) else {
                return result;
            };
            if attempt >= policy.attempts() || started.elapsed() + wait >= policy.budget() {
                return result;
            }
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                error = %error,
                path = call.url.path(),
                "retrying Clerk Backend API read"
            );
            actix_rt::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once(&self, call: &Call, timeout: Duration) -> Result<RawResponse, ApiError> {
        if timeout.is_zero() {
            return Err(ApiError::Timeout);
        }
        // awc's own timeout stops at the response head; the outer one also bounds a body that
        // trickles in.
        match actix_rt::time::timeout(timeout, self.exchange(call, timeout)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(ApiError::Timeout),
        }
    }

    async fn exchange(&self, call: &Call, timeout: Duration) -> Result<RawResponse, ApiError> {
        let config = self.config();
        let key = match call.credential {
            Credential::Secret => Some(&config.secret_key),
            Credential::MachineOrSecret => Some(
                config
                    .machine_secret_key
                    .as_ref()
                    .unwrap_or(&config.secret_key),
            ),
            Credential::Machine => config.machine_secret_key.as_ref(),
        };
        let Some(key) = key else {
            return Err(ApiError::invalid_request(
                "this endpoint needs a machine secret key; set one with `machine_secret_key`",
            ));
        };
        let request = http_client()
            .request(call.method.clone(), call.url.as_str())
            .timeout(timeout)
            .insert_header((AUTHORIZATION, format!("Bearer {}", key.expose())))
            .insert_header(("Clerk-API-Version", config.api_version.as_str()))
            .insert_header((USER_AGENT, super::USER_AGENT))
            .insert_header((ACCEPT, "application/json"))
            // Clerk's own SDK labels every request JSON, bodiless ones included.
            .insert_header((CONTENT_TYPE, "application/json"));
        let sent = match &call.body {
            Some(body) => request.send_body(body.clone()).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(transport_error)?;
        let status = response.status();
        let body = response.body().limit(MAX_RESPONSE_BYTES).await;
        if status.is_success() {
            let body = body.map_err(|error| ApiError::Decode {
                status: status.as_u16(),
                reason: format!("response body could not be read: {error}"),
            })?;
            return Ok(RawResponse {
                status: status.as_u16(),
                body,
            });
        }
        // An error body that cannot be read still leaves the status to report.
        let body = body.unwrap_or_default();
        Err(api_error(status, response.headers(), &body))
    }
}

fn transport_error(error: awc::error::SendRequestError) -> ApiError {
    use awc::error::{ConnectError, SendRequestError};
    let kind = match &error {
        SendRequestError::Timeout => return ApiError::Timeout,
        // awc reports a peer that closes the connection before answering as a connector
        // disconnect; the connection itself was made.
        SendRequestError::Connect(ConnectError::Disconnected) => TransportErrorKind::Connection,
        SendRequestError::Connect(_) => TransportErrorKind::Connect,
        SendRequestError::Send(_) | SendRequestError::Response(_) | SendRequestError::H2(_) => {
            TransportErrorKind::Connection
        }
        _ => TransportErrorKind::Other,
    };
    ApiError::Transport {
        kind,
        message: error.to_string(),
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    errors: Vec<ClerkErrorItem>,
    clerk_trace_id: Option<String>,
}

fn api_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body).ok();
    let (errors, body_trace_id) = match envelope {
        Some(envelope) => (envelope.errors, envelope.clerk_trace_id),
        None => (Vec::new(), None),
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let trace_id = body_trace_id
        .filter(|id| !id.is_empty())
        .or_else(|| header("clerk-trace-id"))
        .or_else(|| header("cf-ray"));
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    ApiError::Api {
        status: status.as_u16(),
        errors,
        trace_id,
        retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn error_envelope_and_trace_id_precedence() {
        let body = br#"{"errors":[{"code":"resource_not_found","message":"not found","long_message":"No user"}],"clerk_trace_id":"body-trace"}"#;
        let both = headers(&[("clerk-trace-id", "header-trace"), ("cf-ray", "ray")]);
        let ApiError::Api {
            status,
            errors,
            trace_id,
            retry_after,
        } = api_error(StatusCode::NOT_FOUND, &both, body)
        else {
            panic!("expected an Api error");
        };
        assert_eq!(status, 404);
        assert_eq!(errors[0].code, "resource_not_found");
        assert_eq!(errors[0].long_message.as_deref(), Some("No user"));
        assert_eq!(trace_id.as_deref(), Some("body-trace"));
        assert_eq!(retry_after, None);

        let error = api_error(StatusCode::NOT_FOUND, &both, b"{}");
        assert!(
            matches!(error, ApiError::Api { trace_id: Some(ref t), .. } if t == "header-trace")
        );
        let error = api_error(StatusCode::NOT_FOUND, &headers(&[("cf-ray", "ray")]), b"");
        assert!(matches!(error, ApiError::Api { trace_id: Some(ref t), .. } if t == "ray"));
    }

    #[test]
    fn retry_after_only_numeric() {
        let numeric = api_error(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "3")]),
            b"",
        );
        assert!(
            matches!(numeric, ApiError::Api { retry_after: Some(d), .. } if d == Duration::from_secs(3))
        );
        let date = api_error(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
            b"",
        );
        assert!(matches!(
            date,
            ApiError::Api {
                retry_after: None,
                ..
            }
        ));
    }

    #[test]
    fn non_json_error_body_keeps_status() {
        let error = api_error(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html>bad gateway</html>",
        );
        assert_eq!(error.status(), Some(502));
        assert!(error.clerk_errors().is_empty());
    }

    #[actix_rt::test]
    async fn https_connector_is_configured() {
        // A plain TCP listener stands in for Clerk: if rustls is wired in, the first bytes the
        // client sends are a TLS handshake record (0x16) rather than an HTTP request line.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_byte = std::thread::spawn(move || {
            use std::io::Read;
            let (mut stream, _) = listener.accept().unwrap();
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).unwrap();
            byte[0]
        });
        let client = http_client();
        let result = client
            .get(format!("https://127.0.0.1:{port}/v1/jwks"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        assert!(result.is_err(), "no TLS server, so the request must fail");
        assert_eq!(first_byte.join().unwrap(), 0x16);
    }

    #[test]
    fn outside_a_runtime_the_call_fails_instead_of_panicking() {
        let client = ClerkClient::builder("sk_test_x")
            .api_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let mut future = std::pin::pin!(client.users().get("user_1"));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(Err(ApiError::Transport { kind, .. })) => {
                assert_eq!(kind, TransportErrorKind::Other);
            }
            other => panic!("expected a transport error, got {other:?}"),
        }
    }

    #[actix_rt::test]
    async fn http_client_is_cached_per_system() {
        let _ = http_client();
        let current = actix_rt::System::try_current().map(|system| system.id());
        HTTP_CLIENT.with(|slot| {
            let owner = slot.borrow().as_ref().map(|(owner, _)| *owner);
            assert_eq!(owner, Some(current));
        });
    }
}
