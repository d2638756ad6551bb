//! Helper of the load benchmark (`bench/load.sh`): mints tokens, measures raw verification, and
//! serves a JWKS that counts its requests. Not an example of how to use clerk-actix.
//!
//! ```text
//! load-helper setup DIR SIGNED_TOKENS   keys, tokens and JWKS documents into DIR
//! load-helper raw-verify DIR SECONDS    RSA verifications, full uncached and cached verifications
//!                                       per second on every core; cache lock contention
//! load-helper jwks-server DIR PORT      GET /v1/jwks (counted, JWKS_DELAY_MS late), /__rotate,
//!                                       /__count
//! load-helper raw-server DIR PORT       GET /raw: the bearer token's RS256 signature checked as
//!                                       raw-verify checks it, in an actix-web server (no cache)
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use clerk_actix::__fuzz::RawVerifier;
use clerk_actix::Clerk;
use clerk_actix::dev::{SessionToken, SigningKey};
use futures_util::FutureExt as _;
use serde_json::json;

/// The origin the minted tokens name in `azp` (the server is configured to accept it).
const AZP: &str = "http://localhost:3000";
const PUBLISHABLE_KEY: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["setup", dir, count] => setup(Path::new(dir), count.parse()?),
        ["raw-verify", dir, seconds] => raw_verify(Path::new(dir), seconds.parse()?),
        ["jwks-server", dir, port] => jwks_server(Path::new(dir), port.parse()?),
        ["raw-server", dir, port] => raw_server(Path::new(dir), port.parse()?),
        _ => {
            eprintln!(
                "usage: load-helper setup DIR SIGNED_TOKENS | raw-verify DIR SECONDS | jwks-server DIR PORT | raw-server DIR PORT"
            );
            std::process::exit(2);
        }
    }
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, contents)?;
    Ok(path)
}

/// A realistic v2 session token: session, organization with permissions, `azp`, two hours valid.
fn session_token(n: usize) -> SessionToken {
    SessionToken::new(format!("user_bench{n:08}"))
        .session_id(format!("sess_bench{n:08}"))
        .issuer("https://clerk.inspired.puma-74.lcl.dev")
        .authorized_party(AZP)
        .issued_at(SystemTime::now() - Duration::from_secs(1))
        .lifetime(Duration::from_secs(2 * 3600))
        .organization(
            "org_bench",
            "bench",
            "admin",
            &["org:invoices:read", "org:invoices:write"],
        )
}

fn setup(dir: &Path, count: usize) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let key = SigningKey::generate("ins_bench_a")?;
    let rotated = SigningKey::generate("ins_bench_b")?;
    write(dir, "public.pem", key.public_key_pem())?;
    write(dir, "jwks.json", key.jwks().to_string())?;
    write(
        dir,
        "jwks-rotated.json",
        json!({"keys": [key.jwk(), rotated.jwk()]}).to_string(),
    )?;
    write(dir, "one.txt", session_token(0).sign(&key))?;
    write(dir, "newkid.txt", session_token(0).sign(&rotated))?;
    // Tokens naming kids nobody has: only the header matters (the kid is looked up first).
    let claims = session_token(0).claims();
    let forged: Vec<String> = (0..10_000)
        .map(|i| {
            key.sign_with_header(
                &json!({"alg": "RS256", "kid": format!("ins_random_{i}"), "typ": "JWT"}),
                &claims,
            )
        })
        .collect();
    write(dir, "random-kids.txt", forged.join("\n") + "\n")?;
    // RSA signing is the slow part: split it over the cores.
    let der = Arc::new(key.pkcs8_der());
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let started = Instant::now();
    let chunks: Vec<_> = (0..threads)
        .map(|t| {
            let der = Arc::clone(&der);
            std::thread::spawn(move || -> Vec<String> {
                let Ok(key) = SigningKey::from_pkcs8_der("ins_bench_a", &der) else {
                    return Vec::new();
                };
                (t..count)
                    .step_by(threads)
                    .map(|n| session_token(n + 1).sign(&key))
                    .collect()
            })
        })
        .collect();
    let mut tokens = Vec::with_capacity(count);
    for chunk in chunks {
        tokens.extend(chunk.join().map_err(|_| "signing thread panicked")?);
    }
    if tokens.len() != count {
        return Err("could not load the signing key".into());
    }
    write(dir, "tokens.txt", tokens.join("\n") + "\n")?;
    println!(
        "setup: {count} tokens of {} bytes signed in {:.1}s into {}",
        tokens.first().map_or(0, String::len),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

fn raw_verify(dir: &Path, seconds: f64) -> Result<()> {
    let pem = std::fs::read_to_string(dir.join("public.pem"))?;
    let tokens: Arc<Vec<String>> = Arc::new(
        std::fs::read_to_string(dir.join("tokens.txt"))?
            .lines()
            .map(str::to_owned)
            .collect(),
    );
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let budget = Duration::from_secs_f64(seconds);
    // 1. RSA alone (with the signature's base64url decoding, no JSON); 2. the library's full
    // verification with the verified-token cache off: what a token never seen before costs.
    let raw = run_threads(threads, budget, {
        let (pem, tokens) = (pem.clone(), Arc::clone(&tokens));
        move || {
            let verifier = RawVerifier::from_pem(&pem).expect("public.pem is a valid key");
            let tokens = Arc::clone(&tokens);
            move |i: usize| verifier.signature_ok(&tokens[i % tokens.len()])
        }
    });
    let full = run_threads(threads, budget, {
        let tokens = Arc::clone(&tokens);
        move || {
            let clerk = Clerk::builder()
                .publishable_key(PUBLISHABLE_KEY)
                .jwt_key(pem.clone())
                .authorized_parties([AZP])
                .verified_token_cache(0, 0)
                .build()
                .expect("valid configuration");
            let tokens = Arc::clone(&tokens);
            move |i: usize| {
                clerk_actix::__fuzz::verify_session_token(&clerk, &tokens[i % tokens.len()])
                    .now_or_never()
                    .is_some_and(|r| r.is_ok())
            }
        }
    });
    // 3. Cache hits from every core on one shared cache, and how often a lookup found its shard
    // locked by another thread.
    let shared = Arc::new(
        Clerk::builder()
            .publishable_key(PUBLISHABLE_KEY)
            .jwt_key(std::fs::read_to_string(dir.join("public.pem"))?)
            .authorized_parties([AZP])
            .build()?,
    );
    let warm = tokens.len().min(1000);
    for token in &tokens[..warm] {
        let _ = clerk_actix::__fuzz::verify_session_token(&shared, token).now_or_never();
    }
    let before = clerk_actix::__fuzz::token_cache_stats(&shared);
    let hits = run_threads(threads, budget, {
        let (shared, tokens) = (Arc::clone(&shared), Arc::clone(&tokens));
        move || {
            let (shared, tokens) = (Arc::clone(&shared), Arc::clone(&tokens));
            move |i: usize| {
                clerk_actix::__fuzz::verify_session_token(&shared, &tokens[i % warm])
                    .now_or_never()
                    .is_some_and(|r| r.is_ok())
            }
        }
    });
    let after = clerk_actix::__fuzz::token_cache_stats(&shared);
    let lookups = (after.hits + after.misses) - (before.hits + before.misses);
    println!(
        "raw_verify_per_s={raw:.0} full_verify_uncached_per_s={full:.0} cached_verify_per_s={hits:.0} threads={threads} rsa_us={:.2} full_us={:.2} cached_us={:.2} lock_contended={} of {lookups} lookups",
        threads as f64 * 1e6 / raw,
        threads as f64 * 1e6 / full,
        threads as f64 * 1e6 / hits,
        after.contended - before.contended,
    );
    Ok(())
}

/// An actix-web server whose one route, `GET /raw`, checks the bearer token's RS256 signature as
/// `raw-verify` does (no middleware, no JSON, no cache): 200 when it verifies, else 401. Set up like
/// the API server (one worker per core), so it costs a request what HTTP and raw verification cost
/// together on this machine.
fn raw_server(dir: &Path, port: u16) -> Result<()> {
    use actix_web::{App, Either, HttpRequest, HttpResponse, HttpServer, web};
    let pem = std::fs::read_to_string(dir.join("public.pem"))?;
    let verifier = Arc::new(RawVerifier::from_pem(&pem).ok_or("public.pem is not a valid key")?);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            let verifier = Arc::clone(&verifier);
            App::new().route(
                "/raw",
                web::get().to(move |request: HttpRequest| {
                    // `from_utf8` rather than `HeaderValue::to_str`: the least a check of the
                    // text needs, where `to_str` tests each byte on its own.
                    let token = request
                        .headers()
                        .get("authorization")
                        .and_then(|value| std::str::from_utf8(value.as_bytes()).ok())
                        .and_then(|value| value.strip_prefix("Bearer "));
                    // Checked here rather than in the future, which would need its own clone of
                    // the `Arc`: a count both workers write on every request.
                    let verified = token.is_some_and(|token| verifier.signature_ok(token));
                    // Answered as the API server's `/api/ping` answers (`"ok"` as a handler's
                    // `&'static str`, so with its `content-type`): the two routes then differ by
                    // the authentication alone.
                    async move {
                        if verified {
                            Either::Left("ok")
                        } else {
                            Either::Right(HttpResponse::Unauthorized().finish())
                        }
                    }
                }),
            )
        })
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}

/// Runs `make()`'s closure on `threads` threads for `budget`; returns successful calls per second.
fn run_threads<M, F>(threads: usize, budget: Duration, make: M) -> f64
where
    M: Fn() -> F + Send + Sync + 'static,
    F: FnMut(usize) -> bool,
{
    let make = Arc::new(make);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let make = Arc::clone(&make);
            std::thread::spawn(move || {
                let mut call = make();
                let (mut ok, mut i) = (0u64, t * 7919);
                let until = Instant::now() + budget;
                while Instant::now() < until {
                    for _ in 0..64 {
                        ok += u64::from(call(i));
                        i += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    total as f64 / started.elapsed().as_secs_f64()
}

fn jwks_server(dir: &Path, port: u16) -> Result<()> {
    let jwks = std::fs::read(dir.join("jwks.json"))?;
    let rotated_jwks = std::fs::read(dir.join("jwks-rotated.json"))?;
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let fetches = Arc::new(AtomicU64::new(0));
    let rotated = Arc::new(AtomicBool::new(false));
    let delay = Duration::from_millis(
        std::env::var("JWKS_DELAY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0),
    );
    println!("jwks-server on http://127.0.0.1:{port}");
    for stream in listener.incoming().flatten() {
        let (fetches, rotated) = (Arc::clone(&fetches), Arc::clone(&rotated));
        let (jwks, rotated_jwks) = (jwks.clone(), rotated_jwks.clone());
        std::thread::spawn(move || {
            let _ = serve(stream, |path| match path {
                "/v1/jwks" => {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    // A slow Backend API keeps a fetch in flight while concurrent requests arrive.
                    std::thread::sleep(delay);
                    if rotated.load(Ordering::SeqCst) {
                        rotated_jwks.clone()
                    } else {
                        jwks.clone()
                    }
                }
                "/__rotate" => {
                    rotated.store(true, Ordering::SeqCst);
                    b"rotated".to_vec()
                }
                "/__count" => fetches.load(Ordering::SeqCst).to_string().into_bytes(),
                _ => b"not found".to_vec(),
            });
        });
    }
    Ok(())
}

/// Answers HTTP/1.1 requests on one connection (keep-alive) with `respond(path)`.
fn serve(stream: TcpStream, respond: impl Fn(&str) -> Vec<u8>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" {
                break;
            }
        }
        let body = respond(&path);
        write!(
            writer,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )?;
        writer.write_all(&body)?;
        writer.flush()?;
    }
}
