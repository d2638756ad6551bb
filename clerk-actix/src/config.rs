//! Configuration: the [`Clerk`] handle, its builder and `from_env()`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;

use crate::jwks::{JwksCache, JwksSettings};
use crate::keys::VerifyingKey;
use crate::publishable_key::{InstanceType, PublishableKey};
use crate::secret::Secret;
use crate::token_cache::{TokenCache, TokenCacheLimits};
use crate::verify::{KeySource, TokenValidation};

/// Default Backend API URL.
pub const DEFAULT_API_URL: &str = "https://api.clerk.com";
/// Default Backend API path version.
pub const DEFAULT_API_VERSION: &str = "v1";

/// A configured Clerk instance: keys, URLs and verification rules. Cheap to clone (one `Arc`);
/// clones share the JWKS cache, so build it once and clone it into every worker.
///
/// ```no_run
/// use actix_web::{App, HttpServer};
/// use clerk_actix::{Clerk, ClerkMiddleware};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let clerk = Clerk::from_env()?; // fails now, with a message, if the config is wrong
/// HttpServer::new(move || App::new().wrap(ClerkMiddleware::new(clerk.clone())))
///     .bind(("127.0.0.1", 8080))?
///     .run()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Clerk {
    inner: Arc<ArcSwap<ClerkOptions>>,
}

/// A snapshot of a [`Clerk`]'s settings. Read on every request without locking.
pub(crate) struct ClerkOptions {
    pub(crate) secret_key: Option<Secret>,
    pub(crate) publishable_key: Option<PublishableKey>,
    pub(crate) api_url: String,
    pub(crate) sign_in_url: Option<String>,
    pub(crate) sign_up_url: Option<String>,
    pub(crate) proxy_url: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) is_satellite: bool,
    pub(crate) satellite_auto_sync: bool,
    pub(crate) treat_pending_as_signed_out: bool,
    pub(crate) accepts_token: crate::AcceptsToken,
    pub(crate) organization_sync: Option<crate::OrganizationMatcher>,
    pub(crate) validation: TokenValidation,
    pub(crate) keys: KeySource,
    /// Tokens verified under exactly this snapshot. Owned, never shared: a new configuration
    /// must start with an empty cache (see `token_cache`).
    pub(crate) token_cache: TokenCache,
    /// The Backend API client (when a secret key is configured): handshake payloads, refresh, users.
    pub(crate) client: Option<crate::ClerkClient>,
    /// Opt-in cache of users by id for `CurrentUser`.
    pub(crate) user_cache: Option<Arc<crate::current::UserCache>>,
    pub(crate) appearance: Option<serde_json::Value>,
    pub(crate) localization: Option<serde_json::Value>,
    pub(crate) clock: Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>,
    /// The settings this snapshot was built from, so runtime updates can change a few of them.
    source: ClerkBuilder,
}

impl ClerkOptions {
    pub(crate) fn now(&self) -> Option<SystemTime> {
        self.clock.as_ref().map(|clock| clock())
    }

    pub(crate) fn instance_type(&self) -> Option<InstanceType> {
        self.publishable_key
            .as_ref()
            .map(PublishableKey::instance_type)
    }

    pub(crate) fn cookie_suffix(&self) -> &str {
        self.publishable_key
            .as_ref()
            .map_or("", PublishableKey::cookie_suffix)
    }
}

impl Clerk {
    /// A builder with Clerk's defaults and nothing set.
    pub fn builder() -> ClerkBuilder {
        ClerkBuilder::default()
    }

    /// Reads the configuration from Clerk's environment variables (see [`ClerkBuilder::from_env`])
    /// and builds it.
    pub fn from_env() -> Result<Self, ConfigError> {
        ClerkBuilder::from_env()?.build()
    }

    pub(crate) fn options(&self) -> arc_swap::Guard<Arc<ClerkOptions>> {
        self.inner.load()
    }

    /// An owned snapshot, for code that holds it across `.await`.
    pub(crate) fn options_arc(&self) -> Arc<ClerkOptions> {
        self.inner.load_full()
    }

    /// Whether both handles are clones of one `Clerk`.
    pub(crate) fn same_instance(&self, other: &Clerk) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Changes the configuration at runtime, without a restart (Clerk's `updateClerkOptions`,
    /// on the server): `change` receives the current settings as a builder; the result is
    /// validated like at start-up and swapped in atomically. Requests in flight finish with the
    /// settings they started with; reads on the request path stay lock-free. Concurrent updates
    /// are applied one after the other (each sees the previous one's result).
    ///
    /// ```
    /// use clerk_actix::Clerk;
    /// # let pem = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/clerk-js/pem_public_signing_key.pem"));
    /// let clerk = Clerk::builder()
    ///     .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
    ///     .jwt_key(pem)
    ///     .build()
    ///     .unwrap();
    /// clerk
    ///     .update(|settings| settings.authorized_parties(["https://app.example.com"]).sign_in_url("/login"))
    ///     .unwrap();
    /// // An invalid change is refused and leaves the configuration as it was.
    /// assert!(clerk.update(|settings| settings.publishable_key("nope")).is_err());
    /// ```
    pub fn update(&self, change: impl Fn(ClerkBuilder) -> ClerkBuilder) -> Result<(), ConfigError> {
        loop {
            let current = self.inner.load_full();
            let next = Arc::new(change(current.source.clone()).into_options()?);
            let previous = self.inner.compare_and_swap(&current, next);
            if Arc::ptr_eq(&previous, &current) {
                return Ok(());
            }
        }
    }

    /// The publishable key, if one is configured.
    pub fn publishable_key(&self) -> Option<PublishableKey> {
        self.options().publishable_key.clone()
    }
}

impl fmt::Debug for Clerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.options();
        f.debug_struct("Clerk")
            .field(
                "publishable_key",
                &o.publishable_key.as_ref().map(PublishableKey::as_str),
            )
            .field("secret_key", &o.secret_key.as_ref().map(|_| "[redacted]"))
            .field(
                "keys",
                &match &o.keys {
                    KeySource::Pem(_) => "CLERK_JWT_KEY (networkless)",
                    KeySource::Jwks(_) => "JWKS from the Backend API",
                },
            )
            .field("api_url", &o.api_url)
            .field("sign_in_url", &o.sign_in_url)
            .field("sign_up_url", &o.sign_up_url)
            .field("proxy_url", &o.proxy_url)
            .field("domain", &o.domain)
            .field("is_satellite", &o.is_satellite)
            .field("validation", &o.validation)
            .finish_non_exhaustive()
    }
}

/// A configuration problem found at start-up. The message names the setting and how to fix it;
/// it never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting is missing.
    #[error("{name} is missing. {help}")]
    Missing {
        /// The environment variable (or builder method) involved.
        name: &'static str,
        /// How to fix it.
        help: &'static str,
    },
    /// A setting has an invalid value.
    #[error("{name} is invalid: {reason}. {help}")]
    Invalid {
        /// The environment variable (or builder method) involved.
        name: &'static str,
        /// What is wrong with the value (never the value itself when it is secret).
        reason: String,
        /// How to fix it.
        help: &'static str,
    },
}

/// Builds a [`Clerk`]. Every setting mirrors one of Clerk's environment variables.
///
/// ```
/// use clerk_actix::Clerk;
///
/// let pem = std::fs::read_to_string(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../tests/fixtures/clerk-js/pem_public_signing_key.pem"
/// ))
/// .expect("fixture");
/// let clerk = Clerk::builder()
///     .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
///     .jwt_key(pem)
///     .authorized_parties(["http://localhost:3000"])
///     .build()
///     .expect("valid configuration");
/// assert_eq!(clerk.publishable_key().unwrap().cookie_suffix(), "vWCgMp3A");
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct ClerkBuilder {
    secret_key: Option<String>,
    machine_secret_key: Option<String>,
    publishable_key: Option<String>,
    jwt_key: Option<String>,
    api_url: Option<String>,
    api_version: Option<String>,
    sign_in_url: Option<String>,
    sign_up_url: Option<String>,
    proxy_url: Option<String>,
    domain: Option<String>,
    is_satellite: Option<String>,
    satellite_auto_sync: bool,
    treat_pending_as_signed_out: Option<bool>,
    accepts_token: crate::AcceptsToken,
    organization_sync: Option<crate::OrganizationSyncOptions>,
    user_cache_ttl: Option<Duration>,
    appearance: Option<serde_json::Value>,
    localization: Option<serde_json::Value>,
    validation: TokenValidation,
    jwks: JwksSettings,
    token_cache: TokenCacheLimits,
    clock: Option<Arc<dyn Fn() -> SystemTime + Send + Sync>>,
}

impl fmt::Debug for ClerkBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkBuilder")
            .field("publishable_key", &self.publishable_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("jwt_key", &self.jwt_key.as_ref().map(|_| "[set]"))
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl ClerkBuilder {
    /// Reads Clerk's environment variables: `CLERK_SECRET_KEY`, `CLERK_MACHINE_SECRET_KEY`,
    /// `CLERK_PUBLISHABLE_KEY` (or `PUBLIC_CLERK_PUBLISHABLE_KEY`), `CLERK_JWT_KEY`, `CLERK_API_URL`,
    /// `CLERK_API_VERSION`, `CLERK_SIGN_IN_URL`, `CLERK_SIGN_UP_URL`, `CLERK_PROXY_URL`,
    /// `CLERK_DOMAIN`, `CLERK_IS_SATELLITE` and `CLERK_AUTHORIZED_PARTIES` (comma-separated
    /// origins). Empty variables count as unset. Builder methods called afterwards override them.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (e.g. a config map).
    ///
    /// ```
    /// use clerk_actix::ClerkBuilder;
    /// let vars = [("CLERK_PUBLISHABLE_KEY", "not-a-key"), ("CLERK_SECRET_KEY", "sk_test_x")];
    /// let err = ClerkBuilder::from_vars(|name| {
    ///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    /// })
    /// .and_then(|builder| builder.build())
    /// .unwrap_err();
    /// assert!(err.to_string().starts_with("CLERK_PUBLISHABLE_KEY is invalid"));
    /// ```
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut builder = Self {
            secret_key: var("CLERK_SECRET_KEY"),
            machine_secret_key: var("CLERK_MACHINE_SECRET_KEY"),
            publishable_key: var("CLERK_PUBLISHABLE_KEY")
                .or_else(|| var("PUBLIC_CLERK_PUBLISHABLE_KEY")),
            jwt_key: var("CLERK_JWT_KEY"),
            api_url: var("CLERK_API_URL"),
            api_version: var("CLERK_API_VERSION"),
            sign_in_url: var("CLERK_SIGN_IN_URL"),
            sign_up_url: var("CLERK_SIGN_UP_URL"),
            proxy_url: var("CLERK_PROXY_URL"),
            domain: var("CLERK_DOMAIN"),
            is_satellite: var("CLERK_IS_SATELLITE"),
            ..Self::default()
        };
        if let Some(parties) = var("CLERK_AUTHORIZED_PARTIES") {
            builder.validation.authorized_parties = split_list(&parties);
        }
        Ok(builder)
    }

    /// The secret key (`sk_test_…`/`sk_live_…`): authenticates to the Backend API and its JWKS.
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// The machine secret key (`ak_…`) used to verify M2M tokens.
    pub fn machine_secret_key(mut self, key: impl Into<String>) -> Self {
        self.machine_secret_key = Some(key.into());
        self
    }

    /// The publishable key (`pk_test_…`/`pk_live_…`).
    pub fn publishable_key(mut self, key: impl Into<String>) -> Self {
        self.publishable_key = Some(key.into());
        self
    }

    /// The PEM public key of the instance: verifies tokens without any network call.
    pub fn jwt_key(mut self, pem: impl Into<String>) -> Self {
        self.jwt_key = Some(pem.into());
        self
    }

    /// The Backend API URL (default `https://api.clerk.com`).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The Backend API path version (default `v1`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Where signed-out visitors are sent to sign in (default: the Account Portal).
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.sign_in_url = Some(url.into());
        self
    }

    /// Where visitors are sent to sign up (default: the Account Portal).
    pub fn sign_up_url(mut self, url: impl Into<String>) -> Self {
        self.sign_up_url = Some(url.into());
        self
    }

    /// The Frontend API proxy URL, absolute or a path starting with `/`.
    pub fn proxy_url(mut self, url: impl Into<String>) -> Self {
        self.proxy_url = Some(url.into());
        self
    }

    /// The satellite domain (multi-domain setups).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Whether this app is a satellite of another domain.
    pub fn is_satellite(mut self, satellite: bool) -> Self {
        self.is_satellite = Some(satellite.to_string());
        self
    }

    /// Whether a satellite app syncs with the primary domain on a first visit without cookies
    /// (default `false`, as Clerk: a visitor with no cookies is simply signed out).
    pub fn satellite_auto_sync(mut self, auto_sync: bool) -> Self {
        self.satellite_auto_sync = auto_sync;
        self
    }

    /// Origins accepted in a token's `azp` claim. Strongly recommended in production: it stops a
    /// token issued to another of your apps (or leaked from a subdomain) from being accepted.
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.validation.authorized_parties = parties.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one origin to the authorized parties (handy in [`Clerk::update`]).
    pub fn add_authorized_party(mut self, party: impl Into<String>) -> Self {
        self.validation.authorized_parties.push(party.into());
        self
    }

    /// Accepted `aud` values (off by default; Clerk session tokens have no `aud`).
    pub fn audience<I, S>(mut self, audience: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.validation.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// Tolerance for `exp`, `nbf` and `iat` (default 5 s).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.validation.clock_skew = skew;
        self
    }

    /// Longest token accepted in bytes (default 16 KiB).
    pub fn max_token_bytes(mut self, bytes: usize) -> Self {
        self.validation.max_token_bytes = bytes;
        self
    }

    /// Which tokens the `Authorization` header may carry (default: session tokens only). Machine
    /// tokens (API keys, M2M and OAuth tokens) are verified by the Backend API or, in JWT form,
    /// locally.
    pub fn accepts_token(mut self, accepts: crate::AcceptsToken) -> Self {
        self.accepts_token = accepts;
        self
    }

    /// Activates the organization named by the URL (Clerk's `organizationSyncOptions`): when a
    /// browser opens a page whose path names another organization than the session's active one,
    /// a handshake switches it. Invalid patterns fail at start-up.
    pub fn organization_sync(mut self, options: crate::OrganizationSyncOptions) -> Self {
        self.organization_sync = Some(options);
        self
    }

    /// Caches users fetched by [`CurrentUser`](crate::CurrentUser) for `ttl` (off by default).
    /// Clerk's development instances allow 100 Backend API requests per 10 s; a page that shows
    /// the current user on every request needs this. Changes to a user show up after `ttl`.
    pub fn user_cache_ttl(mut self, ttl: Duration) -> Self {
        self.user_cache_ttl = Some(ttl);
        self
    }

    /// Whether a session with status `pending` counts as signed out (default `true`, as Clerk).
    pub fn treat_pending_as_signed_out(mut self, pending_is_signed_out: bool) -> Self {
        self.treat_pending_as_signed_out = Some(pending_is_signed_out);
        self
    }

    /// How long fetched JWKS keys count as fresh before a background refresh (default 5 min,
    /// as Clerk). Known keys keep working while a refresh fails.
    pub fn jwks_freshness(mut self, freshness: Duration) -> Self {
        self.jwks.freshness = freshness;
        self
    }

    /// Minimum time between two JWKS fetches caused by unknown `kid`s (default 5 s).
    pub fn jwks_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.jwks.min_refetch_interval = interval;
        self
    }

    /// Per-attempt timeout of a JWKS request (default 5 s), and the longest a request waits for
    /// keys it does not have yet (default 10 s).
    pub fn jwks_timeouts(mut self, attempt: Duration, wait: Duration) -> Self {
        self.jwks.attempt_timeout = attempt;
        self.jwks.wait_timeout = wait;
        self
    }

    /// Bounds of the verified-token cache: at most `max_entries` tokens and about `max_bytes` of
    /// memory (defaults 16 384 and 64 MiB; a typical session token takes about 3.5 KiB); `0`
    /// entries turns the cache off.
    ///
    /// A session token that passed full verification twice is remembered (the full token,
    /// compared exactly), so its later requests skip decoding, claim parsing and the RSA
    /// signature check. Everything else still runs on every request: `exp`, `nbf` and `iat`
    /// against the clock, and whether the key that signed it is still in the JWKS. Only
    /// successes are remembered, and a new configuration starts empty.
    ///
    /// ```
    /// use clerk_actix::Clerk;
    /// # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
    /// #     "/../tests/fixtures/clerk-js/pem_public_signing_key.pem")).expect("fixture");
    /// let clerk = Clerk::builder()
    ///     .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
    ///     .jwt_key(pem)
    ///     .verified_token_cache(100_000, 256 << 20) // a large site: 100k sessions a minute
    ///     .build()
    ///     .expect("valid configuration");
    /// # drop(clerk);
    /// ```
    pub fn verified_token_cache(mut self, max_entries: usize, max_bytes: usize) -> Self {
        self.token_cache = TokenCacheLimits {
            max_entries,
            max_bytes,
        };
        self
    }

    /// Replaces the wall clock used for token times (for tests with fixed-time tokens).
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now));
        self
    }

    /// Validates everything and builds the [`Clerk`] handle.
    pub fn build(self) -> Result<Clerk, ConfigError> {
        Ok(Clerk {
            inner: Arc::new(ArcSwap::from_pointee(self.into_options()?)),
        })
    }

    /// UI appearance passed to ClerkJS by the [`ui`](crate::ui) helpers (Clerk's `appearance` prop).
    pub fn appearance(mut self, appearance: serde_json::Value) -> Self {
        self.appearance = Some(appearance);
        self
    }

    /// UI localization passed to ClerkJS by the [`ui`](crate::ui) helpers (Clerk's `localization` prop).
    pub fn localization(mut self, localization: serde_json::Value) -> Self {
        self.localization = Some(localization);
        self
    }

    pub(crate) fn into_options(self) -> Result<ClerkOptions, ConfigError> {
        let source = self.clone();
        let publishable_key = match &self.publishable_key {
            None => {
                return Err(ConfigError::Missing {
                    name: "CLERK_PUBLISHABLE_KEY",
                    help: "Set it to the publishable key (pk_test_… or pk_live_…) from the API keys page of the Clerk Dashboard.",
                });
            }
            Some(key) => Some(PublishableKey::parse(key).map_err(|e| ConfigError::Invalid {
                name: "CLERK_PUBLISHABLE_KEY",
                reason: e.to_string(),
                help: "Copy the publishable key (pk_test_… or pk_live_…) from the API keys page of the Clerk Dashboard.",
            })?),
        };
        let secret_key = self.secret_key.map(Secret::new);
        let api_url = self.api_url.unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        check_http_url(
            &api_url,
            "CLERK_API_URL",
            "Use an absolute http(s) URL such as https://api.clerk.com.",
        )?;
        let api_url = api_url.trim_end_matches('/').to_owned();
        let api_version = self
            .api_version
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        if !(api_version.len() >= 2
            && api_version.starts_with('v')
            && api_version[1..].bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ConfigError::Invalid {
                name: "CLERK_API_VERSION",
                reason: format!("{api_version:?} is not a path version"),
                help: "Leave it unset (the default is v1) or use a value like v1.",
            });
        }
        let keys = match (&self.jwt_key, &secret_key) {
            (Some(pem), _) => KeySource::Pem(VerifyingKey::from_pem(pem).map_err(|e| ConfigError::Invalid {
                name: "CLERK_JWT_KEY",
                reason: e.to_string(),
                help: "Paste the PEM public key from the API keys page of the Clerk Dashboard (\"Show JWT public key\"), including the BEGIN/END lines, or unset it to use the JWKS.",
            })?),
            (None, Some(secret)) => KeySource::Jwks(JwksCache::shared(&api_url, &api_version, secret, self.jwks)),
            (None, None) => {
                return Err(ConfigError::Missing {
                    name: "CLERK_SECRET_KEY",
                    help: "Set CLERK_SECRET_KEY (sk_test_… or sk_live_… from the API keys page of the Clerk Dashboard) to verify tokens with your instance's JWKS, or CLERK_JWT_KEY (the PEM public key) to verify them without network access.",
                });
            }
        };
        let is_satellite = match self.is_satellite.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "CLERK_IS_SATELLITE",
                    reason: format!("{other:?} is not a boolean"),
                    help: "Use true or false.",
                });
            }
        };
        for (name, url) in [
            ("CLERK_SIGN_IN_URL", &self.sign_in_url),
            ("CLERK_SIGN_UP_URL", &self.sign_up_url),
        ] {
            if let Some(url) = url
                && !url.starts_with('/')
            {
                check_http_url(
                    url,
                    name,
                    "Use an absolute http(s) URL or a path starting with /.",
                )?;
            }
        }
        if let Some(proxy) = &self.proxy_url
            && !proxy.starts_with('/')
        {
            check_http_url(
                proxy,
                "CLERK_PROXY_URL",
                "Use an absolute https URL or a path starting with / (e.g. /__clerk).",
            )?;
        }
        if is_satellite {
            if self.proxy_url.is_none() && self.domain.is_none() {
                return Err(ConfigError::Missing {
                    name: "CLERK_DOMAIN",
                    help: "A satellite app needs CLERK_DOMAIN (its domain) or CLERK_PROXY_URL.",
                });
            }
            let development = secret_key.as_ref().is_some_and(|s| {
                s.expose().starts_with("sk_test_") || s.expose().starts_with("test_")
            });
            if development && self.sign_in_url.is_none() {
                return Err(ConfigError::Missing {
                    name: "CLERK_SIGN_IN_URL",
                    help: "A satellite app of a development instance needs the absolute sign-in URL of its primary domain.",
                });
            }
        }
        if self.validation.max_token_bytes == 0 {
            return Err(ConfigError::Invalid {
                name: "max_token_bytes",
                reason: "0 would reject every token".into(),
                help: "Leave the default (16 KiB) or choose a larger bound.",
            });
        }
        let organization_sync = match &self.organization_sync {
            None => None,
            Some(options) => Some(crate::OrganizationMatcher::new(options).map_err(|e| ConfigError::Invalid {
                name: "organization_sync",
                reason: e.to_string(),
                help: "Use path-to-regexp patterns with an :id or :slug parameter, e.g. /orgs/:slug/(.*).",
            })?),
        };
        let accepts_machine_tokens = match &self.accepts_token {
            crate::AcceptsToken::Only(t) => *t != crate::TokenType::SessionToken,
            crate::AcceptsToken::AnyOf(list) => {
                list.iter().any(|t| *t != crate::TokenType::SessionToken)
            }
            _ => true,
        };
        if accepts_machine_tokens && secret_key.is_none() && self.machine_secret_key.is_none() {
            return Err(ConfigError::Missing {
                name: "CLERK_SECRET_KEY",
                help: "Machine token authentication requires either a Machine secret key or a Clerk secret key. Ensure a Clerk secret key or Machine secret key is set.",
            });
        }
        // With only a machine secret key, the client can still verify M2M tokens with it.
        let client_key = secret_key
            .clone()
            .or_else(|| self.machine_secret_key.clone().map(Secret::new));
        let client = match &client_key {
            None => None,
            Some(secret) => {
                let mut builder = crate::ClerkClient::builder(secret.expose()).api_url(&api_url);
                if let Some(machine) = &self.machine_secret_key {
                    builder = builder.machine_secret_key(machine);
                }
                Some(builder.build().map_err(|e| ConfigError::Invalid {
                    name: "CLERK_SECRET_KEY",
                    reason: e.to_string(),
                    help: "Copy the secret key (sk_test_… or sk_live_…) from the API keys page of the Clerk Dashboard; it must be a single line.",
                })?)
            }
        };
        let mut validation = self.validation;
        validation.authorized_parties.retain(|p| !p.is_empty());
        validation.audience.retain(|a| !a.is_empty());
        Ok(ClerkOptions {
            secret_key,
            publishable_key,
            api_url,
            sign_in_url: self.sign_in_url,
            sign_up_url: self.sign_up_url,
            proxy_url: self.proxy_url.map(|p| p.trim_end_matches('/').to_owned()),
            domain: self.domain,
            is_satellite,
            satellite_auto_sync: self.satellite_auto_sync,
            treat_pending_as_signed_out: self.treat_pending_as_signed_out.unwrap_or(true),
            accepts_token: self.accepts_token,
            organization_sync,
            validation,
            keys,
            token_cache: TokenCache::new(self.token_cache),
            client,
            user_cache: self
                .user_cache_ttl
                .filter(|ttl| !ttl.is_zero())
                .map(|ttl| Arc::new(crate::current::UserCache::new(ttl, 10_000))),
            appearance: self.appearance,
            localization: self.localization,
            clock: self.clock,
            source,
        })
    }
}

fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn check_http_url(value: &str, name: &'static str, help: &'static str) -> Result<(), ConfigError> {
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        Ok(_) => Err(ConfigError::Invalid {
            name,
            reason: "not an http(s) URL".into(),
            help,
        }),
        Err(e) => Err(ConfigError::Invalid {
            name,
            reason: e.to_string(),
            help,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str = "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA";

    fn from(vars: &[(&str, &str)]) -> Result<Clerk, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        ClerkBuilder::from_vars(|name| {
            vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
        })?
        .build()
    }

    #[test]
    fn neither_secret_nor_jwt_key_names_both() {
        let err = from(&[("CLERK_PUBLISHABLE_KEY", PK)]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("CLERK_SECRET_KEY") && msg.contains("CLERK_JWT_KEY"),
            "{msg}"
        );
    }

    #[test]
    fn bad_publishable_key_and_pem_fail_at_start() {
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", "pk_test_nope"),
            ("CLERK_SECRET_KEY", "sk_test_x"),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("CLERK_PUBLISHABLE_KEY is invalid"),
            "{err}"
        );
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_JWT_KEY", "not a pem"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().starts_with("CLERK_JWT_KEY is invalid"),
            "{err}"
        );
        let err = from(&[("CLERK_SECRET_KEY", "sk_test_x")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("CLERK_PUBLISHABLE_KEY is missing"),
            "{err}"
        );
    }

    #[test]
    fn public_prefix_and_authorized_parties_are_read() {
        let clerk = from(&[
            ("PUBLIC_CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_test_secret_value"),
            (
                "CLERK_AUTHORIZED_PARTIES",
                " https://a.example , ,https://b.example",
            ),
        ])
        .unwrap();
        let options = clerk.options();
        assert_eq!(
            options.validation.authorized_parties,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(options.cookie_suffix(), "vWCgMp3A");
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let clerk = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_test_secret_value"),
        ])
        .unwrap();
        let shown = format!("{clerk:?}");
        assert!(!shown.contains("secret_value"), "{shown}");
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_test_secret_value"),
            ("CLERK_API_URL", "ftp://sk_test_secret_value"),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("CLERK_API_URL is invalid"));
    }

    #[test]
    fn satellite_rules() {
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_live_x"),
            ("CLERK_IS_SATELLITE", "true"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("CLERK_DOMAIN"));
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "sk_test_x"),
            ("CLERK_IS_SATELLITE", "true"),
            ("CLERK_DOMAIN", "satellite.dev"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("CLERK_SIGN_IN_URL"));
        let err = from(&[
            ("CLERK_PUBLISHABLE_KEY", PK),
            ("CLERK_SECRET_KEY", "x"),
            ("CLERK_IS_SATELLITE", "yes"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("CLERK_IS_SATELLITE"));
    }
}
