//! Typed client for Clerk's Backend API, on `awc`.
//!
//! ```no_run
//! use clerk_actix::ClerkClient;
//! use clerk_actix::client::{OrderBy, UserListParams};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let clerk = ClerkClient::builder(std::env::var("CLERK_SECRET_KEY")?).build()?;
//!
//! let user = clerk.users().get("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S").await?;
//! println!("{:?}", user.primary_email_address().map(|e| &e.email_address));
//!
//! let newest = clerk
//!     .users()
//!     .list(&UserListParams {
//!         limit: Some(20),
//!         order_by: Some(OrderBy::desc("created_at")),
//!         ..Default::default()
//!     })
//!     .await?;
//! println!("{} users", newest.data.len());
//! # Ok(())
//! # }
//! ```
//!
//! # Runtime
//! Requests go through `awc`, whose client is not `Send`: each thread lazily creates its own
//! (and its connection pool) on first use, so a [`ClerkClient`] clone can be used from every
//! actix-web worker with no lock. The futures returned by the client are therefore `!Send` and
//! must run on an actix runtime: inside handlers and middleware, under `#[actix_web::main]` /
//! `#[actix_rt::test]`, or in tasks started with `actix_web::rt::spawn`, not `tokio::spawn`.
//!
//! # Wire conventions
//! - Every request carries `Authorization: Bearer <secret key>`, `Clerk-API-Version`,
//!   `User-Agent: clerk-actix/<version>` and `Content-Type: application/json`; redirects are
//!   never followed (they would replay the secret key).
//! - Params structs have `Option` fields: `None` is left out, while an explicit `Some(false)` or
//!   `Some(0)` **is** sent. List filters are `Vec`s, sent as repeated keys
//!   (`user_id=a&user_id=b`); an empty `Vec` is left out.
//! - `limit` must be within 1..=500 (Clerk's maximum; Clerk silently falls back to 10 rows
//!   above it), otherwise the call fails with [`ApiError::InvalidRequest`] and nothing is sent.
//! - Ids put in the path are checked first: an empty id, `.`/`..` or one containing `/`, `\` or
//!   control characters, also after repeated percent-decoding, fails with
//!   [`ApiError::InvalidRequest`] and nothing is sent.
//! - Lists return a [`Page`](crate::models::Page) whatever shape Clerk uses; `list_all`
//!   methods walk every page as a `Stream` (use `futures_util::StreamExt` to consume it).
//! - Retries are off; [`RetryPolicy`] enables them for reads only.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use url::Url;

use crate::secret::Secret;

mod builder;
mod clients;
mod error;
mod organization_memberships;
mod organizations;
mod pagination;
pub(crate) mod request;
mod retry;
mod sessions;
mod transport;
mod users;

pub use builder::{ClerkClientBuilder, DEFAULT_API_URL, DEFAULT_API_VERSION, DEFAULT_TIMEOUT};
pub use clients::ClientsApi;
pub use error::{ApiError, BuildError, ClerkErrorItem, TransportErrorKind};
pub use organization_memberships::{
    CreateOrganizationMembershipParams, InstanceMembershipListParams,
    OrganizationMembershipListParams, OrganizationMembershipsApi,
    UpdateOrganizationMembershipParams,
};
pub use organizations::{
    CreateOrganizationParams, GetOrganizationParams, OrganizationListParams,
    OrganizationMetadataParams, OrganizationsApi, UpdateOrganizationParams,
};
pub use pagination::PageParams;
pub use request::OrderBy;
pub use retry::RetryPolicy;
pub use sessions::{
    CreateSessionParams, RefreshFormat, RefreshSessionParams, SessionListParams,
    SessionTokenParams, SessionsApi,
};
pub use users::{CreateUserParams, UpdateUserParams, UserListParams, UserMetadataParams, UsersApi};

use request::Call;

/// `User-Agent` sent with every request.
pub(crate) const USER_AGENT: &str = concat!("clerk-actix/", env!("CARGO_PKG_VERSION"));

/// A Clerk Backend API client: cheap to clone, `Send + Sync`, one per application.
///
/// ```
/// use clerk_actix::ClerkClient;
///
/// let clerk = ClerkClient::builder("sk_test_xxx").build()?;
/// let users = clerk.users();
/// # let _ = users;
/// # Ok::<(), clerk_actix::client::BuildError>(())
/// ```
#[derive(Clone)]
pub struct ClerkClient {
    config: Arc<ClientConfig>,
}

#[derive(Debug)]
pub(crate) struct ClientConfig {
    pub(crate) secret_key: Secret,
    pub(crate) machine_secret_key: Option<Secret>,
    pub(crate) api_url: Url,
    pub(crate) api_version: String,
    pub(crate) timeout: Duration,
    pub(crate) retry: Option<RetryPolicy>,
}

impl fmt::Debug for ClerkClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.config;
        f.debug_struct("ClerkClient")
            .field("api_url", &config.api_url.as_str())
            .field("api_version", &config.api_version)
            .field("timeout", &config.timeout)
            .field("retry", &config.retry)
            .field("machine_secret_key", &config.machine_secret_key.is_some())
            .finish_non_exhaustive()
    }
}

impl ClerkClient {
    /// Starts configuring a client for the instance with this secret key (`sk_live_...` or
    /// `sk_test_...`).
    ///
    /// ```
    /// let clerk = clerk_actix::ClerkClient::builder("sk_test_xxx").build()?;
    /// # let _ = clerk;
    /// # Ok::<(), clerk_actix::client::BuildError>(())
    /// ```
    pub fn builder(secret_key: impl Into<String>) -> ClerkClientBuilder {
        ClerkClientBuilder::new(secret_key.into())
    }

    /// Users: list, count, get, create, update, metadata, delete, ban, lock, memberships.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let user = clerk.users().get("user_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn users(&self) -> UsersApi<'_> {
        UsersApi::new(self)
    }

    /// Sessions: list, get, create, revoke, tokens, refresh.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let session = clerk.sessions().get("sess_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn sessions(&self) -> SessionsApi<'_> {
        SessionsApi::new(self)
    }

    /// Clients: list, get, verify a client token, handshake payloads.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let payload = clerk.clients().handshake_payload("nonce").await?;
    /// # Ok(()) }
    /// ```
    pub fn clients(&self) -> ClientsApi<'_> {
        ClientsApi::new(self)
    }

    /// Organizations: list, get by id or slug, create, update, metadata, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let org = clerk.organizations().get("acme-corp").await?;
    /// # Ok(()) }
    /// ```
    pub fn organizations(&self) -> OrganizationsApi<'_> {
        OrganizationsApi::new(self)
    }

    /// Organization memberships: list, create, change role, metadata, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.organization_memberships().delete("org_123", "user_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn organization_memberships(&self) -> OrganizationMembershipsApi<'_> {
        OrganizationMembershipsApi::new(self)
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// A request to `/<segments>` without the version segment (Clerk's machine-token endpoints).
    pub(crate) fn call_unversioned(
        &self,
        method: Method,
        segments: &[&str],
    ) -> Result<Call, ApiError> {
        let url = request::endpoint_url(&self.config.api_url, false, segments)?;
        Ok(Call::new(method, url))
    }

    /// Whether a machine secret key is configured.
    pub(crate) fn has_machine_secret_key(&self) -> bool {
        self.config.machine_secret_key.is_some()
    }

    /// A request to `/v1/<segments>`; each segment is validated.
    pub(crate) fn call(&self, method: Method, segments: &[&str]) -> Result<Call, ApiError> {
        let url = request::endpoint_url(&self.config.api_url, true, segments)?;
        Ok(Call::new(method, url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_clone<T: Send + Sync + Clone + fmt::Debug>() {}

    #[test]
    fn client_is_send_sync_clone_debug() {
        assert_send_sync_clone::<ClerkClient>();
    }

    #[test]
    fn user_agent_names_crate_and_version() {
        assert_eq!(
            USER_AGENT,
            format!("clerk-actix/{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
