//! Shared helpers of the integration tests: Clerk's fixtures and a scriptable local HTTP server.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub mod harness;
pub mod logs;

/// Clerk's published test vectors (`tests/fixtures/clerk-js`, MIT).
pub mod fixtures {
    use super::*;

    pub const PK_TEST: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
    pub const PK_LIVE: &str = "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";
    /// The fixtures' fixed clock: `mockJwt`'s `iat`.
    pub const NOW_S: u64 = 1_666_648_250;

    pub fn json(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/clerk-js/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
    }

    pub fn text(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/clerk-js/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).expect(&path)
    }

    /// One of the sample tokens of `jwts.json` (`mockJwt`, `mockExpiredJwt`, ...).
    pub fn jwt(name: &str) -> String {
        json("jwts.json")[name]["token"]
            .as_str()
            .expect(name)
            .to_owned()
    }

    pub fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }
}

/// A request the mock server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// What the mock server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Close the connection after writing this many bytes of the response (truncation / reset).
    pub cut_after: Option<usize>,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
            cut_after: None,
        }
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn cut_after(mut self, bytes: usize) -> Self {
        self.cut_after = Some(bytes);
        self
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// A tiny HTTP/1.1 server on 127.0.0.1 (one thread per connection, `Connection: close`), with a
/// replaceable handler and a log of every request. Plain std networking, so a test can produce
/// any wire behaviour: slow answers, truncated bodies, dropped connections.
pub struct MockServer {
    pub url: String,
    handler: Arc<Mutex<Arc<Handler>>>,
    log: Arc<Mutex<Vec<Received>>>,
    hits: Arc<AtomicUsize>,
}

impl MockServer {
    pub fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handler: Arc<Mutex<Arc<Handler>>> = Arc::new(Mutex::new(Arc::new(handler)));
        let log = Arc::new(Mutex::new(Vec::new()));
        let hits = Arc::new(AtomicUsize::new(0));
        let (h, l, c) = (handler.clone(), log.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, l, c) = (h.clone(), l.clone(), c.clone());
                std::thread::spawn(move || serve(stream, &h, &l, &c));
            }
        });
        Self {
            url,
            handler,
            log,
            hits,
        }
    }

    /// Serves `jwks` at `GET /v1/jwks`, 404 elsewhere.
    pub fn jwks(jwks: Value) -> Self {
        Self::start(move |req| {
            if req.path == "/v1/jwks" {
                Reply::json(200, &jwks)
            } else {
                Reply::json(
                    404,
                    &serde_json::json!({"errors": [{"code": "resource_not_found", "message": "not found"}]}),
                )
            }
        })
    }

    pub fn set(&self, handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) {
        *self.handler.lock().expect("mock server lock") = Arc::new(handler);
    }

    /// Number of requests received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.log.lock().expect("mock server lock").clone()
    }
}

fn serve(
    stream: TcpStream,
    handler: &Mutex<Arc<Handler>>,
    log: &Mutex<Vec<Received>>,
    hits: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let received = Received {
        method,
        path,
        headers,
        body,
    };
    hits.fetch_add(1, Ordering::SeqCst);
    log.lock().expect("mock server lock").push(received.clone());
    let current = handler.lock().expect("mock server lock").clone();
    let reply = current(&received);
    std::thread::sleep(reply.delay);
    let mut response = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    let mut bytes = response.into_bytes();
    bytes.extend_from_slice(&reply.body);
    let mut stream = stream;
    match reply.cut_after {
        Some(n) => {
            let _ = stream.write_all(&bytes[..n.min(bytes.len())]);
            let _ = stream.flush();
            let _ = stream.shutdown(Shutdown::Both);
        }
        None => {
            let _ = stream.write_all(&bytes);
        }
    }
}
