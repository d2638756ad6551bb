//! [`DevInstance`]: the server, its configuration and the token minting shared by its endpoints.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::{Value, json};
use url::Url;

use super::api_error::ApiError;
use super::store::{Store, now_ms, random_chars};
use super::{DevError, SessionToken, SigningKey, bapi, handshake, pages};
use crate::config::ClerkBuilder;
use crate::publishable_key::PublishableKey;
use crate::secret::Secret;

/// Settings of a [`DevInstance`].
///
/// ```
/// use std::time::Duration;
/// use clerk_actix::dev::DevInstanceConfig;
///
/// let config = DevInstanceConfig::default()
///     .port(4010)
///     .data_file("target/clerk-dev.json")
///     .token_lifetime(Duration::from_secs(5));
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct DevInstanceConfig {
    port: u16,
    data_file: Option<PathBuf>,
    token_lifetime: Duration,
    seed: bool,
    require_organization: bool,
    redirect_origins: Vec<String>,
}

impl Default for DevInstanceConfig {
    /// Port 0 (a free port), data in `.clerk-dev/instance.json` under the current directory,
    /// 60 s tokens, seeded with the demo users.
    fn default() -> Self {
        Self {
            port: 0,
            data_file: Some(PathBuf::from(".clerk-dev/instance.json")),
            token_lifetime: Duration::from_secs(60),
            seed: true,
            require_organization: false,
            redirect_origins: Vec::new(),
        }
    }
}

impl DevInstanceConfig {
    /// Keeps everything in memory: nothing is read or written (for tests).
    pub fn in_memory() -> Self {
        Self {
            data_file: None,
            ..Self::default()
        }
    }

    /// The port on 127.0.0.1 (0 = any free port). A fixed port keeps the publishable key, and
    /// so the cookie names, the same across restarts.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Where users, organizations, sessions and keys are kept (created on first start).
    pub fn data_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.data_file = Some(path.into());
        self
    }

    /// Lifetime of issued session tokens (default 60 s, as Clerk's).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Whether a new store starts with `demo@example.com`, `admin@example.com` and the
    /// organization "Acme" (default `true`).
    pub fn seed(mut self, seed: bool) -> Self {
        self.seed = seed;
        self
    }

    /// Whether users must pick an organization: sessions without one are `pending` with the
    /// task `choose-organization` until they do (default `false`).
    pub fn require_organization(mut self, required: bool) -> Self {
        self.require_organization = required;
        self
    }

    /// Another origin (`https://app.test:8443`) the sign-in flow may redirect to. Loopback
    /// origins (127.0.0.1, `localhost`, `[::1]`) are always allowed.
    pub fn allow_redirect_origin(mut self, origin: impl Into<String>) -> Self {
        self.redirect_origins.push(origin.into());
        self
    }
}

/// What the endpoints share: keys, settings and the store.
pub(crate) struct Instance {
    pub(crate) origin: String,
    pub(crate) publishable_key: String,
    pub(crate) cookie_suffix: String,
    pub(crate) secret_key: Secret,
    pub(crate) key: SigningKey,
    pub(crate) token_lifetime: Duration,
    pub(crate) require_organization: bool,
    /// Name of the dev instance's own cookie naming the browser's client.
    pub(crate) client_cookie: String,
    redirect_origins: Vec<String>,
    data_file: Option<PathBuf>,
    store: Mutex<Store>,
    nonces: Mutex<Vec<(String, Instant, Vec<String>)>>,
}

/// The `cat` header of JWT template tokens (session tokens have `cl_B7d4PD111AAA`).
const JWT_TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";
/// Handshake nonces answer for this long.
const NONCE_TTL: Duration = Duration::from_secs(120);
/// At most this many unanswered nonces are kept (oldest dropped first).
const MAX_NONCES: usize = 1000;

impl Instance {
    /// The instance served on 127.0.0.1:`port`.
    pub(crate) fn new(
        store: Store,
        key: SigningKey,
        port: u16,
        config: DevInstanceConfig,
    ) -> Result<Self, DevError> {
        let host = format!("127.0.0.1:{port}");
        let publishable_key = format!("pk_test_{}", STANDARD_NO_PAD.encode(format!("{host}$")));
        let cookie_suffix = PublishableKey::parse(&publishable_key)
            .map_err(|e| DevError::Server(format!("generated publishable key is invalid: {e}")))?
            .cookie_suffix()
            .to_owned();
        Ok(Self {
            origin: format!("http://{host}"),
            publishable_key,
            cookie_suffix,
            secret_key: Secret::new(store.secret_key.clone()),
            key,
            token_lifetime: config.token_lifetime,
            require_organization: config.require_organization,
            client_cookie: format!("__clerk_dev_instance_client_{port}"),
            redirect_origins: config.redirect_origins,
            data_file: config.data_file,
            store: Mutex::new(store),
            nonces: Mutex::new(Vec::new()),
        })
    }

    /// The store, even if a panicking thread poisoned the lock (the data stays consistent:
    /// every change is applied under one lock acquisition).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the store to its file (if any). A failure is logged: the instance keeps serving
    /// from memory.
    pub(crate) fn persist(&self, store: &Store) {
        if let Some(path) = &self.data_file
            && let Err(err) = store.save(path)
        {
            tracing::error!(target: "clerk_actix::dev", "{err}");
        }
    }

    /// A session token for a live session, in Clerk's v2 claim layout.
    pub(crate) fn session_token(
        &self,
        store: &Store,
        session_id: &str,
        azp: Option<&str>,
        lifetime: Option<Duration>,
        now: i64,
    ) -> Result<String, ApiError> {
        let session = store.session(session_id)?;
        if !session.is_live(now) {
            return Err(ApiError::not_found("Session"));
        }
        let user = store.user(&session.user_id)?;
        let minutes_since_sign_in = (now - session.verified_at).max(0) / 60_000;
        let mut token = SessionToken::new(user.id.clone())
            .session_id(session.id.clone())
            .issuer(self.origin.clone())
            .issued_at(UNIX_EPOCH + Duration::from_millis(now.unsigned_abs()))
            .lifetime(lifetime.unwrap_or(self.token_lifetime))
            .status(session.effective_status(now))
            .factor_verification_age(minutes_since_sign_in, -1)
            .claim("jti", json!(random_chars(20).to_ascii_lowercase()));
        if let Some(azp) = azp.or(session.azp.as_deref()) {
            token = token.authorized_party(azp);
        }
        let mut plans = vec![format!("u:{}", user.plan)];
        let org = session.active_organization_id.as_deref().and_then(|id| {
            Some((
                store.organization(id).ok()?,
                store.membership(id, &user.id)?,
            ))
        });
        if let Some((org, membership)) = org {
            // Like Clerk, system permissions (`org:sys_*`) stay out of the token.
            let permissions: Vec<&str> = store
                .role(&membership.role)
                .map(|role| {
                    role.permissions
                        .iter()
                        .map(String::as_str)
                        .filter(|p| !p.starts_with("org:sys_"))
                        .collect()
                })
                .unwrap_or_default();
            token = token.organization(&org.id, &org.slug, &membership.role, &permissions);
            plans.push(format!("o:{}", org.plan));
        }
        Ok(token.claim("pla", json!(plans.join(","))).sign(&self.key))
    }

    /// A JWT template token (`cat` of JWT templates): the template's claims plus the defaults.
    pub(crate) fn template_token(
        &self,
        store: &Store,
        session_id: &str,
        name: &str,
        lifetime: Option<Duration>,
        now: i64,
    ) -> Result<String, ApiError> {
        let session = store.session(session_id)?;
        if !session.is_live(now) {
            return Err(ApiError::not_found("Session"));
        }
        let template = store
            .jwt_templates
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ApiError::not_found("JWT template"))?;
        let iat = now / 1000;
        let lifetime = lifetime.map_or(template.lifetime_seconds, |l| l.as_secs());
        let mut claims = template.claims.clone();
        for (name, value) in [
            ("sub", json!(session.user_id)),
            ("iss", json!(self.origin)),
            ("iat", json!(iat)),
            ("nbf", json!(iat - 10)),
            (
                "exp",
                json!(iat.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX))),
            ),
            ("jti", json!(random_chars(20).to_ascii_lowercase())),
        ] {
            claims.insert(name.into(), value);
        }
        if let Some(azp) = &session.azp {
            claims.insert("azp".into(), json!(azp));
        }
        let header = json!({
            "alg": "RS256",
            "kid": self.key.kid(),
            "typ": "JWT",
            "cat": JWT_TEMPLATE_CATEGORY,
        });
        Ok(self.key.sign_with_header(&header, &Value::Object(claims)))
    }

    /// The handshake token: the directives signed by the instance key, like Clerk's.
    pub(crate) fn handshake_token(&self, directives: &[String], now: i64) -> String {
        let iat = now / 1000;
        self.key
            .sign(&json!({ "handshake": directives, "iat": iat, "exp": iat + 60 }))
    }

    /// Stores directives under a fresh nonce for `GET /v1/clients/handshake_payload`.
    pub(crate) fn put_nonce(&self, directives: Vec<String>) -> String {
        let nonce = random_chars(32);
        let mut nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        nonces.retain(|(_, at, _)| at.elapsed() < NONCE_TTL);
        if nonces.len() >= MAX_NONCES {
            nonces.remove(0);
        }
        nonces.push((nonce.clone(), Instant::now(), directives));
        nonce
    }

    /// The directives of a nonce, once.
    pub(crate) fn take_nonce(&self, nonce: &str) -> Option<Vec<String>> {
        let mut nonces = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        let index = nonces
            .iter()
            .position(|(n, at, _)| n == nonce && at.elapsed() < NONCE_TTL)?;
        Some(nonces.remove(index).2)
    }

    /// `url` if the sign-in flow may send the browser (and its tokens) there: an absolute
    /// http(s) URL on a loopback host or an allowed origin.
    pub(crate) fn allowed_redirect(&self, url: &str) -> Option<Url> {
        let url = Url::parse(url).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let loopback = match url.host()? {
            url::Host::Domain(host) => host == "localhost" || host.ends_with(".localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        };
        let origin = url.origin().ascii_serialization();
        (loopback
            || self
                .redirect_origins
                .iter()
                .any(|o| o.trim_end_matches('/') == origin))
        .then_some(url)
    }
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/client/handshake", web::get().to(handshake::handshake))
        .route("/.well-known/jwks.json", web::get().to(handshake::jwks))
        .route("/", web::get().to(pages::home))
        .route("/sign-in", web::get().to(pages::sign_in_page))
        .route("/sign-in", web::post().to(pages::sign_in))
        .route("/sign-up", web::get().to(pages::sign_up_page))
        .route("/sign-up", web::post().to(pages::sign_up))
        .route("/sign-out", web::get().to(pages::sign_out))
        .route("/sign-out", web::post().to(pages::sign_out))
        .route("/organizations", web::get().to(pages::organizations_page))
        .route("/organizations", web::post().to(pages::organizations))
        .route("/tasks", web::get().to(pages::tasks))
        .route("/sign-in/tasks", web::get().to(pages::tasks))
        .route("/sign-up/tasks", web::get().to(pages::tasks))
        .service(web::scope("/v1").default_service(web::to(bapi::dispatch)))
        .default_service(web::to(pages::not_found));
}

/// A local Clerk-compatible instance on 127.0.0.1: the Backend API subset the SDK and its
/// client use, the JWKS, the handshake, and plain HTML sign-in, sign-up, sign-out and
/// organization pages. The app under development uses it through the SDK's normal
/// configuration, so the code paths are the production ones; no Clerk account or network is
/// needed. The server stops when the handle is dropped.
///
/// ```no_run
/// use clerk_actix::dev::{DevInstance, DevInstanceConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let instance = DevInstance::start(DevInstanceConfig::default().port(4010))?;
/// let clerk = instance.clerk_builder().build()?;
/// println!("sign in at {}", instance.sign_in_url());
/// # let _ = clerk; Ok(()) }
/// ```
pub struct DevInstance {
    instance: Arc<Instance>,
    sign_in_url: String,
    sign_up_url: String,
    server: Option<ServerHandle>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DevInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevInstance")
            .field("url", &self.instance.origin)
            .field("publishable_key", &self.instance.publishable_key)
            .finish_non_exhaustive()
    }
}

impl DevInstance {
    /// Loads (or creates) the store and starts the server on its own thread.
    ///
    /// ```
    /// use clerk_actix::dev::{DevInstance, DevInstanceConfig};
    ///
    /// let instance = DevInstance::start(DevInstanceConfig::in_memory()).unwrap();
    /// assert!(instance.publishable_key().starts_with("pk_test_"));
    /// assert!(instance.url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start(config: DevInstanceConfig) -> Result<Self, DevError> {
        let addr = format!("127.0.0.1:{}", config.port);
        let bind_error = |source| DevError::Bind {
            addr: addr.clone(),
            source,
        };
        let listener = TcpListener::bind(&addr).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let (store, key) = match &config.data_file {
            Some(path) => Store::open(path, config.seed)?,
            None => Store::generate(config.seed)?,
        };
        let instance = Arc::new(Instance::new(store, key, port, config)?);
        let origin = instance.origin.clone();
        let (server, thread) = serve(listener, web::Data::from(instance.clone()))?;
        tracing::info!(target: "clerk_actix::dev", "Clerk dev instance listening on {origin}");
        Ok(Self {
            sign_in_url: format!("{origin}/sign-in"),
            sign_up_url: format!("{origin}/sign-up"),
            instance,
            server: Some(server),
            thread: Some(thread),
        })
    }

    /// The instance's origin, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.instance.origin
    }

    /// `pk_test_` + base64 of `127.0.0.1:<port>$`.
    pub fn publishable_key(&self) -> &str {
        &self.instance.publishable_key
    }

    /// The secret key (`sk_test_…`) its Backend API accepts.
    pub fn secret_key(&self) -> &str {
        self.instance.secret_key.expose()
    }

    /// The Backend API URL (`CLERK_API_URL`): the instance's origin.
    pub fn api_url(&self) -> &str {
        &self.instance.origin
    }

    /// The Frontend API proxy URL (`CLERK_PROXY_URL`): the instance's origin.
    pub fn proxy_url(&self) -> &str {
        &self.instance.origin
    }

    /// The sign-in page (`CLERK_SIGN_IN_URL`).
    pub fn sign_in_url(&self) -> &str {
        &self.sign_in_url
    }

    /// The sign-up page (`CLERK_SIGN_UP_URL`).
    pub fn sign_up_url(&self) -> &str {
        &self.sign_up_url
    }

    /// A [`ClerkBuilder`] with the instance's keys and URLs: `.build()` gives a `Clerk` for the
    /// app under development.
    ///
    /// ```
    /// use clerk_actix::dev::{DevInstance, DevInstanceConfig};
    ///
    /// let instance = DevInstance::start(DevInstanceConfig::in_memory()).unwrap();
    /// let clerk = instance.clerk_builder().build().unwrap();
    /// assert_eq!(clerk.publishable_key().unwrap().frontend_api(), &instance.url()["http://".len()..]);
    /// ```
    pub fn clerk_builder(&self) -> ClerkBuilder {
        ClerkBuilder::default()
            .publishable_key(self.publishable_key())
            .secret_key(self.secret_key())
            .api_url(self.api_url())
            .proxy_url(self.proxy_url())
            .sign_in_url(self.sign_in_url())
            .sign_up_url(self.sign_up_url())
    }

    /// Signs the user with this email address in (a new session on a new client) and returns a
    /// session token for it, e.g. for an `Authorization: Bearer` header in a test.
    ///
    /// ```
    /// use clerk_actix::dev::{DevInstance, DevInstanceConfig};
    ///
    /// let instance = DevInstance::start(DevInstanceConfig::in_memory()).unwrap();
    /// let token = instance.session_token("admin@example.com").unwrap();
    /// assert_eq!(token.split('.').count(), 3);
    /// assert!(instance.session_token("nobody@example.com").is_err());
    /// ```
    pub fn session_token(&self, email: &str) -> Result<String, DevError> {
        let instance = &self.instance;
        let now = now_ms();
        let mut store = instance.lock();
        let user = store
            .user_by_email(email)
            .map(|u| u.id.clone())
            .ok_or_else(|| DevError::UnknownUser(email.to_owned()))?;
        let client = store.new_client(false, now);
        let refused = |e: ApiError| DevError::Server(e.long_message);
        let session = store
            .sign_in(&client.id, &user, instance.require_organization, now)
            .map_err(refused)?
            .id
            .clone();
        let token = instance
            .session_token(&store, &session, None, None, now)
            .map_err(refused)?;
        instance.persist(&store);
        Ok(token)
    }

    /// Stops the server (as dropping the handle does) and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(server) = self.server.take() {
            // The stop command is sent when `stop` is called; awaiting it is not needed here
            // because the thread is joined below.
            drop(server.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DevInstance {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Runs the HTTP server on its own thread and actix system; returns once it accepts requests.
fn serve(
    listener: TcpListener,
    data: web::Data<Instance>,
) -> Result<(ServerHandle, JoinHandle<()>), DevError> {
    let (ready, started) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("clerk-dev-instance".into())
        .spawn(move || {
            let failed = ready.clone();
            let system = actix_rt::System::new();
            let result = system.block_on(async move {
                let server =
                    HttpServer::new(move || App::new().app_data(data.clone()).configure(routes))
                        .workers(1)
                        .disable_signals()
                        .shutdown_timeout(1)
                        .listen(listener)?
                        .run();
                let _ = ready.send(Ok(server.handle()));
                server.await
            });
            if let Err(err) = result {
                let _ = failed.send(Err(err.to_string()));
                tracing::error!(target: "clerk_actix::dev", "dev instance server failed: {err}");
            }
        })
        .map_err(|e| DevError::Server(e.to_string()))?;
    match started.recv() {
        Ok(Ok(handle)) => Ok((handle, thread)),
        Ok(Err(err)) => Err(DevError::Server(err)),
        Err(_) => Err(DevError::Server("the server thread exited".into())),
    }
}

#[cfg(test)]
impl Instance {
    /// A seeded instance on port 41234 with no server, for unit tests.
    pub(crate) fn for_tests(config: DevInstanceConfig) -> Self {
        let (store, key) = Store::generate(true).unwrap();
        Self::new(store, key, 41234, config).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionClaims;

    fn instance(config: DevInstanceConfig) -> Instance {
        Instance::for_tests(config)
    }

    #[test]
    fn publishable_key_names_the_instance_host() {
        let instance = instance(DevInstanceConfig::in_memory());
        let pk = PublishableKey::parse(&instance.publishable_key).unwrap();
        assert_eq!(pk.frontend_api(), "127.0.0.1:41234");
        assert_eq!(pk.cookie_suffix(), instance.cookie_suffix);
        assert_eq!(instance.origin, "http://127.0.0.1:41234");
    }

    #[test]
    fn redirects_only_to_loopback_or_allowed_origins() {
        let instance = instance(
            DevInstanceConfig::in_memory().allow_redirect_origin("https://app.test:8443/"),
        );
        for ok in [
            "http://localhost:3000/a?b=c#d",
            "http://127.0.0.1:8080/",
            "http://[::1]:9/",
            "http://app.localhost/",
            "https://app.test:8443/x",
        ] {
            assert!(instance.allowed_redirect(ok).is_some(), "{ok}");
        }
        for refused in [
            "https://evil.example/",
            "https://app.test/x",
            "javascript:alert(1)",
            "/relative",
            "http://127.0.0.1.evil.example/",
            "",
        ] {
            assert!(instance.allowed_redirect(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn session_tokens_have_clerks_v2_layout() {
        let instance =
            instance(DevInstanceConfig::in_memory().token_lifetime(Duration::from_secs(5)));
        let mut store = instance.lock();
        let admin = store.user_by_email("admin@example.com").unwrap().id.clone();
        let client = store.new_client(true, 0);
        let now = 1_700_000_000_000;
        let session = store
            .sign_in(&client.id, &admin, false, now)
            .unwrap()
            .id
            .clone();
        let token = instance
            .session_token(
                &store,
                &session,
                Some("http://localhost:3000"),
                None,
                now + 120_000,
            )
            .unwrap();
        let claims = instance.key.verify(&token).unwrap();
        assert_eq!(claims["iss"], "http://127.0.0.1:41234");
        assert_eq!(claims["azp"], "http://localhost:3000");
        assert_eq!(claims["sid"], json!(session));
        assert_eq!(claims["iat"], 1_700_000_120);
        assert_eq!(claims["exp"], 1_700_000_125);
        assert_eq!(claims["fva"], json!([2, -1]));
        assert_eq!(claims["pla"], "u:free_user,o:free_org");
        assert_eq!(claims["fea"], "o:invoices");
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() == 20));
        let claims = SessionClaims::from_payload(claims).unwrap();
        assert_eq!(claims.org_role(), Some("org:admin"));
        let mut permissions = claims.org_permissions().unwrap().to_vec();
        permissions.sort();
        assert_eq!(permissions, ["org:invoices:manage", "org:invoices:read"]);
        store.end_session(&session, "ended", now).unwrap();
        let ended = instance.session_token(&store, &session, None, None, now);
        assert_eq!(ended.unwrap_err().code, "resource_not_found");
    }

    #[test]
    fn nonces_answer_once() {
        let instance = instance(DevInstanceConfig::in_memory());
        let nonce = instance.put_nonce(vec!["__session=x; Path=/".into()]);
        assert_eq!(
            instance.take_nonce(&nonce).unwrap(),
            ["__session=x; Path=/"]
        );
        assert!(instance.take_nonce(&nonce).is_none());
        assert!(instance.take_nonce("guess").is_none());
    }
}
