//! A local stand-in for Clerk's Backend API: records every request and replays canned
//! Clerk-shaped answers chosen by a closure.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use clerk_actix::ClerkClient;
use clerk_actix::client::ClerkClientBuilder;
use serde_json::Value;

pub(crate) const SECRET_KEY: &str = "sk_test_mock_secret_key_123";

/// One request as the mock saw it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) path: String,
    /// The raw query string, as sent.
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Decoded query pairs, in order.
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// Decoded query pairs, sorted (serde field order is not part of the contract).
    pub(crate) fn sorted_query(&self) -> Vec<(String, String)> {
        let mut pairs = self.query_pairs();
        pairs.sort();
        pairs
    }

    pub(crate) fn query_value(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// The answer the mock gives.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&body).expect("serialisable"),
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn raw(status: u16, content_type: &str, body: &[u8]) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_vec(),
            delay: Duration::ZERO,
        }
    }

    /// Clerk's error envelope.
    pub(crate) fn error(status: u16, code: &str, message: &str, meta: Value) -> Self {
        Self::json(
            status,
            serde_json::json!({
                "errors": [{"code": code, "message": message, "long_message": format!("{message} (long)"), "meta": meta}],
                "clerk_trace_id": format!("trace_{code}"),
            }),
        )
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct State {
    log: Arc<Mutex<Vec<Recorded>>>,
    responder: Arc<Responder>,
}

/// A running mock Backend API on 127.0.0.1 (random port).
pub(crate) struct MockBapi {
    base_url: String,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl MockBapi {
    /// Starts the mock inside the current actix System.
    pub(crate) fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let responder: Arc<Responder> = Arc::new(responder);
        let server_log = log.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(State {
                    log: server_log.clone(),
                    responder: responder.clone(),
                }))
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind 127.0.0.1:0");
        let address = server.addrs()[0];
        actix_rt::spawn(server.run());
        Self {
            base_url: format!("http://{address}"),
            log,
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn builder(&self) -> ClerkClientBuilder {
        ClerkClient::builder(SECRET_KEY)
            .api_url(self.url())
            .timeout(Duration::from_secs(5))
    }

    pub(crate) fn client(&self) -> ClerkClient {
        self.builder().build().expect("valid client config")
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log lock").clone()
    }

    /// The one request made so far (fails the test if there were more or fewer).
    pub(crate) fn only_request(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }
}

async fn handle(request: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let recorded = Recorded {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        query: request.query_string().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or("<binary>").to_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let reply = (state.responder)(&recorded);
    state.log.lock().expect("log lock").push(recorded);
    if !reply.delay.is_zero() {
        actix_rt::time::sleep(reply.delay).await;
    }
    let mut response = HttpResponse::build(StatusCode::from_u16(reply.status).expect("status"));
    for (name, value) in &reply.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    response.body(reply.body)
}

/// A bare TCP server that reads each request head and answers with `raw` bytes (possibly
/// none) before closing the connection: for broken responses actix-web would not produce.
pub(crate) fn raw_tcp_server(raw: &'static [u8]) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let accepted = Arc::new(Mutex::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            *counter.lock().expect("counter") += 1;
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let _ = stream.write_all(raw);
            let _ = stream.flush();
            // Dropping the stream closes the connection mid-exchange.
        }
    });
    (format!("http://{address}"), accepted)
}
