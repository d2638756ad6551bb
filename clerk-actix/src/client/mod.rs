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
//! # Endpoints
//! One handle per Clerk resource, named as Clerk names them:
//! [`users`](ClerkClient::users), [`sessions`](ClerkClient::sessions),
//! [`organizations`](ClerkClient::organizations),
//! [`organization_memberships`](ClerkClient::organization_memberships),
//! [`invitations`](ClerkClient::invitations),
//! [`organization_invitations`](ClerkClient::organization_invitations),
//! [`email_addresses`](ClerkClient::email_addresses),
//! [`phone_numbers`](ClerkClient::phone_numbers),
//! [`sign_in_tokens`](ClerkClient::sign_in_tokens),
//! [`testing_tokens`](ClerkClient::testing_tokens),
//! [`allowlist_identifiers`](ClerkClient::allowlist_identifiers),
//! [`blocklist_identifiers`](ClerkClient::blocklist_identifiers), [`jwks`](ClerkClient::jwks),
//! [`clients`](ClerkClient::clients), and the machine credentials
//! [`m2m_tokens`](ClerkClient::m2m_tokens), [`api_keys`](ClerkClient::api_keys),
//! [`oauth_access_tokens`](ClerkClient::oauth_access_tokens). Every call returns
//! `Result<_, `[`ApiError`]`>`.
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
//! - Machine-credential endpoints (`/m2m_tokens`, `/api_keys/verify`,
//!   `/oauth_applications/access_tokens/verify`) are called without the `/v1` prefix, as Clerk's
//!   SDKs do; everything else is under `/v1`.
//! - Retries are off; [`RetryPolicy`] enables them for reads only.
//! - Responses over 16 MiB are refused ([`ApiError::Decode`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::Method;
use url::Url;

use crate::secret::Secret;

mod builder;
mod clients;
mod error;
mod identifications;
mod identifiers;
mod invitations;
mod jwks;
mod machine;
mod organization_memberships;
mod organizations;
mod pagination;
pub(crate) mod request;
mod retry;
mod sessions;
mod tokens;
mod transport;
mod users;

pub use builder::{ClerkClientBuilder, DEFAULT_API_URL, DEFAULT_API_VERSION, DEFAULT_TIMEOUT};
pub use clients::ClientsApi;
pub use error::{ApiError, BuildError, ClerkErrorItem, TransportErrorKind};
pub use identifications::{
    CreateEmailAddressParams, CreatePhoneNumberParams, EmailAddressesApi, PhoneNumbersApi,
    UpdateEmailAddressParams, UpdatePhoneNumberParams,
};
pub use identifiers::{
    AllowlistIdentifiersApi, BlocklistIdentifiersApi, CreateAllowlistIdentifierParams,
    CreateBlocklistIdentifierParams,
};
pub use invitations::{
    CreateInvitationParams, CreateOrganizationInvitationParams, InvitationListParams,
    InvitationsApi, OrganizationInvitationListParams, OrganizationInvitationsApi,
    RevokeOrganizationInvitationParams,
};
pub use jwks::JwksApi;
pub use machine::{
    ApiKeysApi, CreateM2mTokenParams, M2mTokenListParams, M2mTokensApi, OAuthAccessTokensApi,
};
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
pub use tokens::{CreateSignInTokenParams, SignInTokensApi, TestingTokensApi};
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

    /// Application invitations: list, create (one or bulk), revoke.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.invitations().revoke("inv_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn invitations(&self) -> InvitationsApi<'_> {
        InvitationsApi::new(self)
    }

    /// Organization invitations: list, get, create, revoke.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.organization_invitations().get("org_123", "orginv_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn organization_invitations(&self) -> OrganizationInvitationsApi<'_> {
        OrganizationInvitationsApi::new(self)
    }

    /// Email addresses: get, create, update, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.email_addresses().get("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn email_addresses(&self) -> EmailAddressesApi<'_> {
        EmailAddressesApi::new(self)
    }

    /// Phone numbers: get, create, update, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.phone_numbers().get("idn_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn phone_numbers(&self) -> PhoneNumbersApi<'_> {
        PhoneNumbersApi::new(self)
    }

    /// Sign-in tokens: create, revoke.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.sign_in_tokens().revoke("sit_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn sign_in_tokens(&self) -> SignInTokensApi<'_> {
        SignInTokensApi::new(self)
    }

    /// Testing tokens: create.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.testing_tokens().create().await?;
    /// # Ok(()) }
    /// ```
    pub fn testing_tokens(&self) -> TestingTokensApi<'_> {
        TestingTokensApi::new(self)
    }

    /// Allowlist: list, create, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.allowlist_identifiers().delete("alid_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn allowlist_identifiers(&self) -> AllowlistIdentifiersApi<'_> {
        AllowlistIdentifiersApi::new(self)
    }

    /// Blocklist: list, create, delete.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.blocklist_identifiers().delete("blid_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn blocklist_identifiers(&self) -> BlocklistIdentifiersApi<'_> {
        BlocklistIdentifiersApi::new(self)
    }

    /// The instance's JSON Web Key Set.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.jwks().get().await?;
    /// # Ok(()) }
    /// ```
    pub fn jwks(&self) -> JwksApi<'_> {
        JwksApi::new(self)
    }

    /// Machine-to-machine tokens: list, create, revoke, verify.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.m2m_tokens().verify("mt_...").await?;
    /// # Ok(()) }
    /// ```
    pub fn m2m_tokens(&self) -> M2mTokensApi<'_> {
        M2mTokensApi::new(self)
    }

    /// API keys: verify.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.api_keys().verify("ak_...").await?;
    /// # Ok(()) }
    /// ```
    pub fn api_keys(&self) -> ApiKeysApi<'_> {
        ApiKeysApi::new(self)
    }

    /// OAuth access tokens issued by Clerk: verify.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.oauth_access_tokens().verify("oat_...").await?;
    /// # Ok(()) }
    /// ```
    pub fn oauth_access_tokens(&self) -> OAuthAccessTokensApi<'_> {
        OAuthAccessTokensApi::new(self)
    }

    /// The Backend API base URL this client calls.
    ///
    /// ```
    /// let clerk = clerk_actix::ClerkClient::builder("sk_test_x").build()?;
    /// assert_eq!(clerk.api_url(), "https://api.clerk.com/");
    /// # Ok::<(), clerk_actix::client::BuildError>(())
    /// ```
    pub fn api_url(&self) -> &str {
        self.config.api_url.as_str()
    }

    /// The `Clerk-API-Version` this client sends.
    ///
    /// ```
    /// let clerk = clerk_actix::ClerkClient::builder("sk_test_x").build()?;
    /// assert_eq!(clerk.api_version(), "2026-05-12");
    /// # Ok::<(), clerk_actix::client::BuildError>(())
    /// ```
    pub fn api_version(&self) -> &str {
        &self.config.api_version
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
