//! `/v1/allowlist_identifiers` and `/v1/blocklist_identifiers`.

use actix_web::http::Method;
use serde::Serialize;

use super::{ApiError, ClerkClient, PageParams};
use crate::models::{AllowlistIdentifier, BlocklistIdentifier, DeletedObject, Page};

/// Body of `POST /allowlist_identifiers`.
///
/// ```
/// let params = clerk_actix::client::CreateAllowlistIdentifierParams {
///     identifier: "*@example.com".into(),
///     notify: Some(false),
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateAllowlistIdentifierParams {
    /// Email address, `*@domain`, phone number or Web3 wallet.
    pub identifier: String,
    /// Email an invitation to it (email addresses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
}

/// Body of `POST /blocklist_identifiers`.
///
/// ```
/// let params = clerk_actix::client::CreateBlocklistIdentifierParams { identifier: "*@spam.test".into() };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateBlocklistIdentifierParams {
    /// Email address, `*@domain`, phone number or Web3 wallet.
    pub identifier: String,
}

/// The allowlist endpoints; get it from [`ClerkClient::allowlist_identifiers`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let page = clerk.allowlist_identifiers().list(&Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AllowlistIdentifiersApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> AllowlistIdentifiersApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /allowlist_identifiers?paginated=true`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.allowlist_identifiers().list(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &PageParams) -> Result<Page<AllowlistIdentifier>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["allowlist_identifiers"])?
            .query(params)?
            .query_pair("paginated", "true");
        self.client.execute(call).await
    }

    /// `POST /allowlist_identifiers`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateAllowlistIdentifierParams;
    /// clerk.allowlist_identifiers().create(&CreateAllowlistIdentifierParams {
    ///     identifier: "*@example.com".into(), notify: None,
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        params: &CreateAllowlistIdentifierParams,
    ) -> Result<AllowlistIdentifier, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["allowlist_identifiers"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /allowlist_identifiers/{identifier_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.allowlist_identifiers().delete("alid_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, identifier_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self
            .client
            .call(Method::DELETE, &["allowlist_identifiers", identifier_id])?;
        self.client.execute(call).await
    }
}

/// The blocklist endpoints; get it from [`ClerkClient::blocklist_identifiers`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let page = clerk.blocklist_identifiers().list().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BlocklistIdentifiersApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> BlocklistIdentifiersApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /blocklist_identifiers`: all of them, with `total_count` (the endpoint does not
    /// paginate).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.blocklist_identifiers().list().await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self) -> Result<Page<BlocklistIdentifier>, ApiError> {
        let call = self.client.call(Method::GET, &["blocklist_identifiers"])?;
        self.client.execute(call).await
    }

    /// `POST /blocklist_identifiers`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateBlocklistIdentifierParams;
    /// clerk.blocklist_identifiers().create(&CreateBlocklistIdentifierParams {
    ///     identifier: "*@spam.test".into(),
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        params: &CreateBlocklistIdentifierParams,
    ) -> Result<BlocklistIdentifier, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["blocklist_identifiers"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /blocklist_identifiers/{identifier_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.blocklist_identifiers().delete("blid_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, identifier_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self
            .client
            .call(Method::DELETE, &["blocklist_identifiers", identifier_id])?;
        self.client.execute(call).await
    }
}
