//! `/v1/organizations/{id}/memberships` and `/v1/organization_memberships`.

use actix_web::http::Method;
use futures_util::Stream;
use serde::Serialize;

use super::pagination::{WALK_PAGE_SIZE, offset_walk};
use super::{ApiError, ClerkClient, OrderBy, OrganizationMetadataParams};
use crate::models::{Metadata, OrganizationMembership, Page};

/// Filters, sort and pagination of `GET /organizations/{id}/memberships`.
///
/// ```
/// let admins = clerk_actix::client::OrganizationMembershipListParams {
///     role: vec!["org:admin".into()],
///     ..Default::default()
/// };
/// # let _ = admins;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationMembershipListParams {
    /// Sort order (`phone_number`, `email_address`, `created_at`, `first_name`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// Members with any of these user ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_id: Vec<String>,
    /// Members with any of these email addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_address: Vec<String>,
    /// Members with any of these phone numbers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// Members with any of these usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub username: Vec<String>,
    /// Members with any of these Web3 wallets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub web3_wallet: Vec<String>,
    /// Members with any of these roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role: Vec<String>,
    /// Free-text search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Search within email addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address_query: Option<String>,
    /// Search within phone numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_query: Option<String>,
    /// Search within usernames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username_query: Option<String>,
    /// Search within names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_query: Option<String>,
    /// Last active before this time (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_at_before: Option<i64>,
    /// Last active after this time (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_at_after: Option<i64>,
    /// Joined before this time (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_before: Option<i64>,
    /// Joined after this time (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_after: Option<i64>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Memberships to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Sort and pagination of `GET /organization_memberships` (all memberships of the instance).
///
/// ```
/// let params = clerk_actix::client::InstanceMembershipListParams::default();
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstanceMembershipListParams {
    /// Sort order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Memberships to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /organizations/{id}/memberships`.
///
/// ```
/// let params = clerk_actix::client::CreateOrganizationMembershipParams {
///     user_id: "user_123".into(),
///     role: "org:member".into(),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateOrganizationMembershipParams {
    /// The user to add.
    pub user_id: String,
    /// Role key, e.g. `org:member`.
    pub role: String,
    /// Public metadata of the membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata of the membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
}

/// Body of `PATCH /organizations/{id}/memberships/{user_id}`.
///
/// ```
/// let params = clerk_actix::client::UpdateOrganizationMembershipParams { role: "org:admin".into() };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateOrganizationMembershipParams {
    /// New role key.
    pub role: String,
}

/// The organization membership endpoints; get it from
/// [`ClerkClient::organization_memberships`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let members = clerk.organization_memberships().list("org_123", &Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OrganizationMembershipsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> OrganizationMembershipsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /organizations/{organization_id}/memberships`: one page, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.organization_memberships().list("org_123", &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(
        self,
        organization_id: &str,
        params: &OrganizationMembershipListParams,
    ) -> Result<Page<OrganizationMembership>, ApiError> {
        let call = self
            .client
            .call(
                Method::GET,
                &["organizations", organization_id, "memberships"],
            )?
            .query(params)?;
        self.client.execute(call).await
    }

    /// Every membership of the organization matching `params`, page by page.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = clerk
    ///     .organization_memberships()
    ///     .list_all("org_123", Default::default())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        organization_id: &str,
        params: OrganizationMembershipListParams,
    ) -> impl Stream<Item = Result<OrganizationMembership, ApiError>> + 'static {
        let client = self.client.clone();
        let organization_id = organization_id.to_owned();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        offset_walk(page_size, params.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            let page_params = OrganizationMembershipListParams {
                limit: Some(page_size),
                offset: Some(offset),
                ..params.clone()
            };
            async move {
                client
                    .organization_memberships()
                    .list(&organization_id, &page_params)
                    .await
            }
        })
    }

    /// `GET /organization_memberships`: memberships across all organizations.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.organization_memberships().list_for_instance(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_for_instance(
        self,
        params: &InstanceMembershipListParams,
    ) -> Result<Page<OrganizationMembership>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["organization_memberships"])?
            .query(params)?;
        self.client.execute(call).await
    }

    /// `POST /organizations/{organization_id}/memberships`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateOrganizationMembershipParams;
    /// clerk.organization_memberships().create("org_123", &CreateOrganizationMembershipParams {
    ///     user_id: "user_123".into(), role: "org:member".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        organization_id: &str,
        params: &CreateOrganizationMembershipParams,
    ) -> Result<OrganizationMembership, ApiError> {
        let call = self
            .client
            .call(
                Method::POST,
                &["organizations", organization_id, "memberships"],
            )?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /organizations/{organization_id}/memberships/{user_id}`: changes the role.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UpdateOrganizationMembershipParams;
    /// clerk.organization_memberships().update("org_123", "user_123", &UpdateOrganizationMembershipParams {
    ///     role: "org:admin".into(),
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        self,
        organization_id: &str,
        user_id: &str,
        params: &UpdateOrganizationMembershipParams,
    ) -> Result<OrganizationMembership, ApiError> {
        let call = self
            .client
            .call(
                Method::PATCH,
                &["organizations", organization_id, "memberships", user_id],
            )?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata`: deep merge.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::OrganizationMetadataParams;
    /// clerk.organization_memberships()
    ///     .update_metadata("org_123", "user_123", &OrganizationMetadataParams::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_metadata(
        self,
        organization_id: &str,
        user_id: &str,
        params: &OrganizationMetadataParams,
    ) -> Result<OrganizationMembership, ApiError> {
        let call = self
            .client
            .call(
                Method::PATCH,
                &[
                    "organizations",
                    organization_id,
                    "memberships",
                    user_id,
                    "metadata",
                ],
            )?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /organizations/{organization_id}/memberships/{user_id}`: returns the removed
    /// membership.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.organization_memberships().delete("org_123", "user_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(
        self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<OrganizationMembership, ApiError> {
        let call = self.client.call(
            Method::DELETE,
            &["organizations", organization_id, "memberships", user_id],
        )?;
        self.client.execute(call).await
    }
}
