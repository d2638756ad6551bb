//! The JWKS cache: keys from `{api_url}/{version}/jwks`, shared by every worker of a process.
//!
//! * One cache per (API URL, API version, secret key), so two Clerk instances in one process can
//!   never verify each other's tokens.
//! * A known `kid` is answered from memory, lock-free: no network on the request path. After
//!   five minutes the set is refreshed in the background; if that fails, the known keys keep
//!   working (a Backend API outage must not sign everybody out).
//! * An unknown `kid` triggers a fetch, but at most one at a time (concurrent misses wait for the
//!   same fetch) and at most one per `min_refetch_interval`, so a flood of tokens with random
//!   `kid`s cannot become a flood of Backend API calls. This rate limit is a deliberate
//!   deviation from Clerk's SDK, which refetches on every unknown `kid`.
//! * A fetch retries with exponential backoff and jitter; a waiting request gives up after
//!   `wait_timeout` while the fetch carries on for later requests.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::sync::watch;

use crate::background;
use crate::error::{TokenErrorReason, TokenVerificationError, action};
use crate::keys::{JwkSet, VerifyingKey};
use crate::secret::Secret;

/// `Clerk-API-Version` sent to the Backend API.
pub(crate) const BAPI_VERSION: &str = "2026-05-12";
/// `User-Agent` sent to the Backend API.
pub(crate) const USER_AGENT: &str = concat!("clerk-actix/", env!("CARGO_PKG_VERSION"));

/// Timing of the JWKS cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct JwksSettings {
    pub(crate) freshness: Duration,
    pub(crate) min_refetch_interval: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) wait_timeout: Duration,
}

impl Default for JwksSettings {
    fn default() -> Self {
        Self {
            freshness: Duration::from_secs(300),
            min_refetch_interval: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(5),
            max_attempts: 5,
            wait_timeout: Duration::from_secs(10),
        }
    }
}

/// Where a JWKS is fetched from and with which key.
#[derive(Clone, PartialEq, Eq, Hash)]
struct JwksSource {
    url: String,
    secret_key: Secret,
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksSource")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The keys currently known, replaced as a whole on every successful fetch.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: HashMap<Arc<str>, VerifyingKey>,
    fetched_at: Option<Instant>,
    /// Bumped on every successful fetch; lets caches of verified tokens notice key changes.
    pub(crate) generation: u64,
}

impl KeySet {
    pub(crate) fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid)
    }
}

type FetchOutcome = Option<Result<(), TokenVerificationError>>;

#[derive(Default)]
struct FetchState {
    in_flight: Option<watch::Receiver<FetchOutcome>>,
    last_started: Option<Instant>,
    last_error: Option<TokenVerificationError>,
}

/// A shared JWKS cache (see the module docs).
pub(crate) struct JwksCache {
    source: JwksSource,
    settings: JwksSettings,
    keys: ArcSwap<KeySet>,
    fetch: Mutex<FetchState>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("source", &self.source)
            .field("keys", &self.keys.load().keys.len())
            .finish_non_exhaustive()
    }
}

type Registry = Mutex<HashMap<(JwksSource, JwksSettings), Weak<JwksCache>>>;

static REGISTRY: OnceLock<Registry> = OnceLock::new();

impl JwksCache {
    /// The process-wide cache for this API URL, version and secret key.
    pub(crate) fn shared(
        api_url: &str,
        api_version: &str,
        secret_key: &Secret,
        settings: JwksSettings,
    ) -> Arc<Self> {
        let source = JwksSource {
            url: format!(
                "{}/{}/jwks",
                api_url.trim_end_matches('/'),
                api_version.trim_matches('/')
            ),
            secret_key: secret_key.clone(),
        };
        let registry = REGISTRY.get_or_init(Registry::default);
        let mut registry = registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        registry.retain(|_, cache| cache.strong_count() > 0);
        let scope = (source, settings);
        if let Some(cache) = registry.get(&scope).and_then(Weak::upgrade) {
            return cache;
        }
        let cache = Arc::new(Self {
            source: scope.0.clone(),
            settings: scope.1.clone(),
            keys: ArcSwap::default(),
            fetch: Mutex::default(),
        });
        registry.insert(scope, Arc::downgrade(&cache));
        cache
    }

    /// A cached key, without waiting. Starts a background refresh when the set is stale.
    pub(crate) fn cached(self: &Arc<Self>, kid: &str) -> Option<VerifyingKey> {
        let keys = self.keys.load();
        let key = keys.get(kid)?.clone();
        self.refresh_if_stale(&keys);
        Some(key)
    }

    /// The generation of the current set (see [`KeySet::generation`]).
    pub(crate) fn generation(&self) -> u64 {
        self.keys.load().generation
    }

    /// The generation of the current set if it holds `kid`. Starts a background refresh when
    /// the set is stale, like [`cached`](Self::cached).
    pub(crate) fn generation_with(self: &Arc<Self>, kid: &str) -> Option<u64> {
        let keys = self.keys.load();
        keys.get(kid)?;
        self.refresh_if_stale(&keys);
        Some(keys.generation)
    }

    fn refresh_if_stale(self: &Arc<Self>, keys: &KeySet) {
        if keys
            .fetched_at
            .is_none_or(|at| at.elapsed() >= self.settings.freshness)
        {
            let mut state = self.lock_state();
            if state.in_flight.is_none() && !self.rate_limited(&state) {
                self.start_fetch(&mut state);
            }
        }
    }

    /// The key for `kid`, fetching the JWKS when it is unknown (see the module docs).
    pub(crate) async fn key(
        self: &Arc<Self>,
        kid: &str,
    ) -> Result<VerifyingKey, TokenVerificationError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let mut receiver = {
            let mut state = self.lock_state();
            // Another request may have completed a fetch since the lookup above.
            if let Some(key) = self.keys.load().get(kid) {
                return Ok(key.clone());
            }
            match &state.in_flight {
                Some(receiver) => receiver.clone(),
                None if self.rate_limited(&state) => {
                    return Err(state
                        .last_error
                        .clone()
                        .unwrap_or_else(|| kid_mismatch(kid)));
                }
                None => self.start_fetch(&mut state),
            }
        };
        let outcome = tokio::time::timeout(
            self.settings.wait_timeout,
            receiver.wait_for(Option::is_some),
        )
        .await;
        match outcome {
            // Still retrying: report what the last attempt ran into, if anything.
            Err(_elapsed) => Err(self.lock_state().last_error.clone().unwrap_or_else(|| {
                TokenVerificationError::new(
                    TokenErrorReason::JwkRemoteFailedToLoad,
                    format!(
                        "Timed out after {:?} waiting for the JWKS from {}.",
                        self.settings.wait_timeout, self.source.url
                    ),
                )
                .with_action(action::CONTACT_SUPPORT)
            })),
            Ok(Err(_closed)) => Err(TokenVerificationError::new(
                TokenErrorReason::JwkRemoteFailedToLoad,
                format!("The JWKS fetch from {} was abandoned.", self.source.url),
            )
            .with_action(action::CONTACT_SUPPORT)),
            Ok(Ok(result)) => match result.as_ref() {
                Some(Err(err)) => Err(err.clone()),
                _ => self
                    .keys
                    .load()
                    .get(kid)
                    .cloned()
                    .ok_or_else(|| kid_mismatch(kid)),
            },
        }
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, FetchState> {
        // The state is a few plain fields, always left consistent: a panic elsewhere cannot
        // corrupt it, so a poisoned lock is safe to keep using.
        self.fetch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn rate_limited(&self, state: &FetchState) -> bool {
        state
            .last_started
            .is_some_and(|at| at.elapsed() < self.settings.min_refetch_interval)
    }

    fn start_fetch(self: &Arc<Self>, state: &mut FetchState) -> watch::Receiver<FetchOutcome> {
        let (tx, rx) = watch::channel(None);
        state.in_flight = Some(rx.clone());
        state.last_started = Some(Instant::now());
        let cache = Arc::clone(self);
        let spawned = background::spawn(move || async move {
            let result = cache.fetch_with_retries().await;
            let outcome = match result {
                Ok(set) => {
                    cache.keys.store(Arc::new(set));
                    Ok(())
                }
                Err(err) => {
                    tracing::warn!(url = %cache.source.url, reason = %err.reason(), error = %err, "clerk-actix: loading the JWKS failed");
                    Err(err)
                }
            };
            {
                let mut state = cache.lock_state();
                state.in_flight = None;
                state.last_error = outcome.as_ref().err().cloned();
            }
            let _ = tx.send(Some(outcome));
        });
        if spawned.is_err() {
            let err = TokenVerificationError::new(
                TokenErrorReason::JwkRemoteFailedToLoad,
                "The background thread that loads the JWKS could not be started.",
            );
            state.in_flight = None;
            state.last_error = Some(err.clone());
            let (tx, rx) = watch::channel(Some(Err(err)));
            drop(tx);
            return rx;
        }
        rx
    }

    async fn fetch_with_retries(&self) -> Result<KeySet, TokenVerificationError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.fetch_once().await {
                Ok(set) => return self.build_key_set(set),
                Err((err, retryable)) if !retryable || attempt >= self.settings.max_attempts => {
                    return Err(err);
                }
                Err((err, _)) => {
                    self.lock_state().last_error = Some(err);
                    // Clerk's backoff: 125 ms × 2^n × (1 + jitter), jitter in [0, 1).
                    let base = 125u64.saturating_mul(1 << (attempt - 1).min(10));
                    let delay = base + (base as f64 * jitter()) as u64;
                    actix_rt::time::sleep(Duration::from_millis(delay)).await;
                }
            }
        }
    }

    fn build_key_set(&self, set: JwkSet) -> Result<KeySet, TokenVerificationError> {
        let mut keys = HashMap::with_capacity(set.keys.len());
        for jwk in &set.keys {
            match VerifyingKey::from_jwk(jwk) {
                Ok(key) => {
                    keys.insert(Arc::clone(&key.kid), key);
                }
                Err(err) => {
                    tracing::warn!(kid = %jwk.kid, error = %err, "clerk-actix: ignoring an unusable JWKS key");
                }
            }
        }
        if keys.is_empty() {
            return Err(TokenVerificationError::new(
                TokenErrorReason::JwkRemoteFailedToLoad,
                "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com.",
            )
            .with_action(action::CONTACT_SUPPORT));
        }
        Ok(KeySet {
            keys,
            fetched_at: Some(Instant::now()),
            generation: self.keys.load().generation + 1,
        })
    }

    /// One HTTP request. The flag says whether a failure is worth retrying.
    async fn fetch_once(&self) -> Result<JwkSet, (TokenVerificationError, bool)> {
        let failed = |message: String, retryable: bool| {
            (
                TokenVerificationError::new(TokenErrorReason::JwkRemoteFailedToLoad, message)
                    .with_action(action::CONTACT_SUPPORT),
                retryable,
            )
        };
        let request = async {
            let client = HTTP.with(Clone::clone);
            let mut response = client
                .get(&self.source.url)
                .insert_header((
                    "Authorization",
                    format!("Bearer {}", self.source.secret_key.expose()),
                ))
                .insert_header(("Clerk-API-Version", BAPI_VERSION))
                .insert_header(("User-Agent", USER_AGENT))
                .timeout(self.settings.attempt_timeout)
                .send()
                .await
                .map_err(|e| {
                    failed(
                        format!("Error loading Clerk JWKS from {}: {e}.", self.source.url),
                        true,
                    )
                })?;
            let status = response.status();
            let body = response.body().limit(1 << 20).await.map_err(|e| {
                failed(
                    format!("Error loading Clerk JWKS from {}: {e}.", self.source.url),
                    true,
                )
            })?;
            Ok::<_, (TokenVerificationError, bool)>((status, body))
        };
        let (status, body) = actix_rt::time::timeout(self.settings.attempt_timeout, request)
            .await
            .map_err(|_| {
                failed(
                    format!("Timed out loading Clerk JWKS from {}.", self.source.url),
                    true,
                )
            })??;
        if !status.is_success() {
            if let Some(message) = invalid_secret_key_message(&body) {
                return Err((
                    TokenVerificationError::new(TokenErrorReason::SecretKeyInvalid, message)
                        .with_action(action::CONTACT_SUPPORT),
                    false,
                ));
            }
            let retryable = status.is_server_error() || status.as_u16() == 429;
            return Err(failed(
                format!(
                    "Error loading Clerk JWKS from {} with code={}",
                    self.source.url,
                    status.as_u16()
                ),
                retryable,
            ));
        }
        serde_json::from_slice::<JwkSet>(&body).map_err(|_| {
            failed(
                format!(
                    "The JWKS from {} is not a valid JSON Web Key Set.",
                    self.source.url
                ),
                true,
            )
        })
    }
}

thread_local! {
    static HTTP: awc::Client = crate::http::client();
}

fn invalid_secret_key_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        code: String,
        #[serde(default)]
        message: String,
    }
    let errors: Errors = serde_json::from_slice(body).ok()?;
    errors
        .errors
        .into_iter()
        .find(|e| e.code == "clerk_key_invalid")
        .map(|e| e.message)
}

pub(crate) fn kid_mismatch(kid: &str) -> TokenVerificationError {
    TokenVerificationError::new(
        TokenErrorReason::JwkKidMismatch,
        format!(
            "Unable to find a signing key in JWKS that matches the kid='{kid}' of the provided session token. \
             Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT."
        ),
    )
    .with_action(action::KID_MISMATCH)
}

/// A number in [0, 1) that differs between calls; good enough to spread retries apart.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}
