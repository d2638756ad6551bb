//! Configuration of a [`ClerkClient`].

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::HeaderValue;
use url::Url;

use super::{BuildError, ClerkClient, ClientConfig, RetryPolicy};
use crate::secret::Secret;

/// Clerk's production Backend API.
pub const DEFAULT_API_URL: &str = "https://api.clerk.com";

/// The `Clerk-API-Version` this crate's models are written against.
pub const DEFAULT_API_VERSION: &str = "2026-05-12";

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a [`ClerkClient`]; start with [`ClerkClient::builder`].
///
/// ```
/// use std::time::Duration;
/// use clerk_actix::ClerkClient;
/// use clerk_actix::client::RetryPolicy;
///
/// let client = ClerkClient::builder("sk_test_xxx")
///     .api_url("http://127.0.0.1:8080")
///     .api_version("2026-05-12")
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::default())
///     .build()?;
/// # let _ = client;
/// # Ok::<(), clerk_actix::client::BuildError>(())
/// ```
#[derive(Debug)]
#[must_use = "call `build()` to get a client"]
pub struct ClerkClientBuilder {
    secret_key: Secret,
    machine_secret_key: Option<Secret>,
    api_url: String,
    api_version: String,
    timeout: Duration,
    retry: Option<RetryPolicy>,
}

impl ClerkClientBuilder {
    pub(crate) fn new(secret_key: String) -> Self {
        Self {
            secret_key: Secret::new(secret_key),
            machine_secret_key: None,
            api_url: DEFAULT_API_URL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retry: None,
        }
    }

    /// Base URL of the Backend API (default [`DEFAULT_API_URL`]); `/v1/...` is appended.
    /// A path prefix is kept (`https://proxy.example.com/clerk` → `.../clerk/v1/...`).
    ///
    /// ```
    /// let builder = clerk_actix::ClerkClient::builder("sk_test_x").api_url("http://127.0.0.1:9000");
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Value of the `Clerk-API-Version` header (default [`DEFAULT_API_VERSION`]).
    ///
    /// ```
    /// let builder = clerk_actix::ClerkClient::builder("sk_test_x").api_version("2025-11-10");
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Time allowed for one attempt, from sending to the last byte of the body (default
    /// [`DEFAULT_TIMEOUT`]).
    ///
    /// ```
    /// let builder = clerk_actix::ClerkClient::builder("sk_test_x")
    ///     .timeout(std::time::Duration::from_secs(3));
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Machine secret key (`ak_...`) for machine-to-machine endpoints.
    ///
    /// ```
    /// let builder = clerk_actix::ClerkClient::builder("sk_test_x").machine_secret_key("ak_xxx");
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn machine_secret_key(mut self, key: impl Into<String>) -> Self {
        self.machine_secret_key = Some(Secret::new(key.into()));
        self
    }

    /// Retries for `GET` requests (default: none). See [`RetryPolicy`].
    ///
    /// ```
    /// use clerk_actix::client::RetryPolicy;
    ///
    /// let builder = clerk_actix::ClerkClient::builder("sk_test_x").retry(RetryPolicy::default());
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    ///
    /// ```
    /// use clerk_actix::{ClerkClient, client::BuildError};
    ///
    /// assert!(matches!(ClerkClient::builder("").build(), Err(BuildError::InvalidSecretKey)));
    /// ```
    pub fn build(self) -> Result<ClerkClient, BuildError> {
        if !is_header_safe(self.secret_key.expose()) {
            return Err(BuildError::InvalidSecretKey);
        }
        if let Some(machine_key) = &self.machine_secret_key
            && !is_header_safe(machine_key.expose())
        {
            return Err(BuildError::InvalidMachineSecretKey);
        }
        if !is_header_safe(&self.api_version) {
            return Err(BuildError::InvalidApiVersion {
                version: self.api_version,
            });
        }
        if self.timeout.is_zero() {
            return Err(BuildError::InvalidTimeout);
        }
        let api_url = parse_api_url(&self.api_url)?;
        Ok(ClerkClient {
            config: Arc::new(ClientConfig {
                secret_key: self.secret_key,
                machine_secret_key: self.machine_secret_key,
                api_url,
                api_version: self.api_version,
                timeout: self.timeout,
                retry: self.retry,
            }),
        })
    }
}

fn is_header_safe(value: &str) -> bool {
    !value.is_empty()
        && value.trim() == value
        && HeaderValue::from_str(value).is_ok()
        && value.bytes().all(|byte| byte.is_ascii_graphic())
}

fn parse_api_url(raw: &str) -> Result<Url, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidApiUrl {
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|error| BuildError::InvalidApiUrl {
        reason: error.to_string(),
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(invalid(
            "the scheme must be https (or http for a local server)",
        ));
    }
    if url.host().is_none() {
        return Err(invalid("a host is required"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a query or fragment is not allowed"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials in the URL are not allowed"));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        tracing::warn!(
            host = url.host_str(),
            "Clerk API URL uses plain http: the secret key travels unencrypted"
        );
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain == "localhost",
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let client = ClerkClient::builder("sk_test_abc").build().unwrap();
        let config = client.config();
        assert_eq!(config.api_url.as_str(), "https://api.clerk.com/");
        assert_eq!(config.api_version, "2026-05-12");
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert_eq!(config.retry, None);
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let build = |builder: ClerkClientBuilder| builder.build().unwrap_err();
        assert_eq!(
            build(ClerkClient::builder("")),
            BuildError::InvalidSecretKey
        );
        assert_eq!(
            build(ClerkClient::builder("sk_test\r\nX: y")),
            BuildError::InvalidSecretKey
        );
        assert_eq!(
            build(ClerkClient::builder("sk").machine_secret_key(" ak")),
            BuildError::InvalidMachineSecretKey
        );
        assert!(matches!(
            build(ClerkClient::builder("sk").api_version("")),
            BuildError::InvalidApiVersion { .. }
        ));
        assert_eq!(
            build(ClerkClient::builder("sk").timeout(Duration::ZERO)),
            BuildError::InvalidTimeout
        );
        for url in [
            "not a url",
            "ftp://api.clerk.com",
            "https://api.clerk.com/?a=b",
            "https://api.clerk.com/#x",
            "https://user:pw@api.clerk.com",
            "/relative",
        ] {
            assert!(
                matches!(
                    build(ClerkClient::builder("sk").api_url(url)),
                    BuildError::InvalidApiUrl { .. }
                ),
                "{url}"
            );
        }
    }

    #[test]
    fn build_errors_and_debug_never_show_keys() {
        let builder = ClerkClient::builder("sk_live_topsecret").machine_secret_key("ak_hidden");
        assert!(!format!("{builder:?}").contains("topsecret"));
        let client = builder.build().unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("ak_hidden"),
            "{shown}"
        );
        assert!(shown.contains("api.clerk.com"), "{shown}");
    }
}
