//! `/v1/organizations`: organizations and their metadata.

use actix_web::http::Method;
use futures_util::Stream;
use serde::Serialize;

use super::pagination::{WALK_PAGE_SIZE, offset_walk};
use super::{ApiError, ClerkClient, OrderBy};
use crate::models::{DeletedObject, Metadata, Organization, Page};

/// Filters, sort and pagination of `GET /organizations`.
///
/// ```
/// use clerk_actix::client::{OrderBy, OrganizationListParams};
///
/// let params = OrganizationListParams {
///     query: Some("acme".into()),
///     include_members_count: Some(true),
///     order_by: Some(OrderBy::desc("members_count")),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationListParams {
    /// Include `members_count` in each organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_members_count: Option<bool>,
    /// Include `missing_member_with_elevated_permissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_missing_member_with_elevated_permissions: Option<bool>,
    /// Search over id, name and slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Organizations with any of these members (prefix with `-` to exclude).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_id: Vec<String>,
    /// These organization ids (prefix with `-` to exclude).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_id: Vec<String>,
    /// Sort order (`name`, `created_at`, `members_count`; Clerk's default `-created_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Organizations to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Options of `GET /organizations/{id_or_slug}`.
///
/// ```
/// let params = clerk_actix::client::GetOrganizationParams {
///     include_members_count: Some(true),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GetOrganizationParams {
    /// Include `members_count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_members_count: Option<bool>,
    /// Include `missing_member_with_elevated_permissions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_missing_member_with_elevated_permissions: Option<bool>,
}

/// Body of `POST /organizations`.
///
/// ```
/// let params = clerk_actix::client::CreateOrganizationParams {
///     name: "Acme".into(),
///     created_by: Some("user_123".into()),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateOrganizationParams {
    /// Display name.
    pub name: String,
    /// User who becomes its first admin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Slug (derived from the name when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Public metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Membership limit (`0` for unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<u64>,
    /// Creation time to record (RFC 3339), for imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Role set to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
}

/// Body of `PATCH /organizations/{id}`; only the fields set are changed. Metadata goes
/// through [`OrganizationsApi::update_metadata`].
///
/// ```
/// let params = clerk_actix::client::UpdateOrganizationParams {
///     admin_delete_enabled: Some(false),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateOrganizationParams {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Membership limit (`0` for unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<u64>,
    /// Whether admins may delete the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_delete_enabled: Option<bool>,
    /// Creation time to record (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Role set to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_set_key: Option<String>,
}

/// Body of the organization and membership metadata endpoints.
///
/// `PATCH` deep-merges (a key set to `null` is removed); `PUT` replaces each kind given.
///
/// ```
/// let mut public = clerk_actix::models::Metadata::new();
/// public.insert("tier".into(), "enterprise".into());
/// let params = clerk_actix::client::OrganizationMetadataParams {
///     public_metadata: Some(public),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationMetadataParams {
    /// Public metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
}

/// The organizations endpoints; get it from [`ClerkClient::organizations`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let org = clerk.organizations().get("acme-corp").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OrganizationsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> OrganizationsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /organizations`: one page, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.organizations().list(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(
        self,
        params: &OrganizationListParams,
    ) -> Result<Page<Organization>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["organizations"])?
            .query(params)?;
        self.client.execute(call).await
    }

    /// Every organization matching `params`, page by page (`params.limit` per page, 100 if
    /// unset).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = clerk.organizations().list_all(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        params: OrganizationListParams,
    ) -> impl Stream<Item = Result<Organization, ApiError>> + 'static {
        let client = self.client.clone();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        offset_walk(page_size, params.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let page_params = OrganizationListParams {
                limit: Some(page_size),
                offset: Some(offset),
                ..params.clone()
            };
            async move { client.organizations().list(&page_params).await }
        })
    }

    /// `GET /organizations/{id_or_slug}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let by_id = clerk.organizations().get("org_123").await?;
    /// let by_slug = clerk.organizations().get("acme-corp").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, id_or_slug: &str) -> Result<Organization, ApiError> {
        self.get_with(id_or_slug, &GetOrganizationParams::default())
            .await
    }

    /// `GET /organizations/{id_or_slug}` with options (member counts).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::GetOrganizationParams;
    /// let org = clerk.organizations().get_with("acme-corp", &GetOrganizationParams {
    ///     include_members_count: Some(true), ..Default::default()
    /// }).await?;
    /// println!("{:?} members", org.members_count);
    /// # Ok(()) }
    /// ```
    pub async fn get_with(
        self,
        id_or_slug: &str,
        params: &GetOrganizationParams,
    ) -> Result<Organization, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["organizations", id_or_slug])?
            .query(params)?;
        self.client.execute(call).await
    }

    /// `POST /organizations`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateOrganizationParams;
    /// let org = clerk.organizations().create(&CreateOrganizationParams {
    ///     name: "Acme".into(), created_by: Some("user_123".into()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateOrganizationParams) -> Result<Organization, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["organizations"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /organizations/{organization_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UpdateOrganizationParams;
    /// clerk.organizations().update("org_123", &UpdateOrganizationParams {
    ///     name: Some("Acme Inc".into()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(
        self,
        organization_id: &str,
        params: &UpdateOrganizationParams,
    ) -> Result<Organization, ApiError> {
        let call = self
            .client
            .call(Method::PATCH, &["organizations", organization_id])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /organizations/{organization_id}/metadata`: deep merge.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::OrganizationMetadataParams;
    /// clerk.organizations().update_metadata("org_123", &OrganizationMetadataParams::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_metadata(
        self,
        organization_id: &str,
        params: &OrganizationMetadataParams,
    ) -> Result<Organization, ApiError> {
        let call = self
            .client
            .call(
                Method::PATCH,
                &["organizations", organization_id, "metadata"],
            )?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PUT /organizations/{organization_id}/metadata`: replaces each kind given.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::OrganizationMetadataParams;
    /// clerk.organizations().replace_metadata("org_123", &OrganizationMetadataParams {
    ///     private_metadata: Some(Default::default()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_metadata(
        self,
        organization_id: &str,
        params: &OrganizationMetadataParams,
    ) -> Result<Organization, ApiError> {
        let call = self
            .client
            .call(Method::PUT, &["organizations", organization_id, "metadata"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /organizations/{organization_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let deleted = clerk.organizations().delete("org_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, organization_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self
            .client
            .call(Method::DELETE, &["organizations", organization_id])?;
        self.client.execute(call).await
    }
}
