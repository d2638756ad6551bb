//! `/v1/invitations` and `/v1/organizations/{id}/invitations`.

use actix_web::http::Method;
use futures_util::Stream;
use serde::Serialize;

use super::pagination::{WALK_PAGE_SIZE, offset_walk};
use super::{ApiError, ClerkClient, OrderBy};
use crate::models::{Invitation, InvitationStatus, Metadata, OrganizationInvitation, Page};

/// Filters, sort and pagination of `GET /invitations`.
///
/// ```
/// use clerk_actix::client::InvitationListParams;
/// use clerk_actix::models::InvitationStatus;
///
/// let pending = InvitationListParams { status: Some(InvitationStatus::Pending), ..Default::default() };
/// # let _ = pending;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InvitationListParams {
    /// Only invitations in this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<InvitationStatus>,
    /// Search within email addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Sort order (Clerk's default `-created_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Invitations to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /invitations` (one element of `POST /invitations/bulk`).
///
/// ```
/// let params = clerk_actix::client::CreateInvitationParams {
///     email_address: "new@example.com".into(),
///     notify: Some(false),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateInvitationParams {
    /// Address to invite.
    pub email_address: String,
    /// Metadata copied to the user on sign-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Where the invitation link leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Send the invitation email (Clerk's default: `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Invite even if an invitation or user with this address exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_existing: Option<bool>,
    /// Days until it expires (1..=365).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// Email template (`invitation`, `waitlist_invitation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_slug: Option<String>,
}

/// Filters, sort and pagination of `GET /organizations/{id}/invitations`.
///
/// ```
/// let params = clerk_actix::client::OrganizationInvitationListParams::default();
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrganizationInvitationListParams {
    /// Only invitations in this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<InvitationStatus>,
    /// Only invitations to this address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// Sort order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Invitations to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /organizations/{id}/invitations`.
///
/// ```
/// let params = clerk_actix::client::CreateOrganizationInvitationParams {
///     email_address: "new@example.com".into(),
///     role: "org:member".into(),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateOrganizationInvitationParams {
    /// Address to invite.
    pub email_address: String,
    /// Role key granted on acceptance.
    pub role: String,
    /// Inviting user (must be an admin of the organization).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inviter_user_id: Option<String>,
    /// Public metadata of the resulting membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata of the resulting membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Where the invitation link leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Days until it expires (1..=365).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
    /// Send the invitation email (Clerk's default: `true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
}

/// Body of `POST /organizations/{id}/invitations/{invitation_id}/revoke`.
///
/// ```
/// let params = clerk_actix::client::RevokeOrganizationInvitationParams {
///     requesting_user_id: Some("user_admin".into()),
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RevokeOrganizationInvitationParams {
    /// Admin revoking it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requesting_user_id: Option<String>,
}

/// The application invitation endpoints; get it from [`ClerkClient::invitations`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// clerk.invitations().revoke("inv_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InvitationsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> InvitationsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /invitations?paginated=true`: one page, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.invitations().list(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &InvitationListParams) -> Result<Page<Invitation>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["invitations"])?
            .query(params)?
            .query_pair("paginated", "true");
        self.client.execute(call).await
    }

    /// Every invitation matching `params`, page by page.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = clerk.invitations().list_all(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        params: InvitationListParams,
    ) -> impl Stream<Item = Result<Invitation, ApiError>> + 'static {
        let client = self.client.clone();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        offset_walk(page_size, params.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let page_params = InvitationListParams {
                limit: Some(page_size),
                offset: Some(offset),
                ..params.clone()
            };
            async move { client.invitations().list(&page_params).await }
        })
    }

    /// `POST /invitations`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateInvitationParams;
    /// clerk.invitations().create(&CreateInvitationParams {
    ///     email_address: "new@example.com".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateInvitationParams) -> Result<Invitation, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["invitations"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /invitations/bulk`: several invitations in one call (all or none).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateInvitationParams;
    /// let invitations = clerk.invitations().create_bulk(&[
    ///     CreateInvitationParams { email_address: "a@example.com".into(), ..Default::default() },
    ///     CreateInvitationParams { email_address: "b@example.com".into(), ..Default::default() },
    /// ]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_bulk(
        self,
        params: &[CreateInvitationParams],
    ) -> Result<Vec<Invitation>, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["invitations", "bulk"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /invitations/{invitation_id}/revoke`: returns it revoked.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let revoked = clerk.invitations().revoke("inv_123").await?;
    /// assert!(revoked.revoked);
    /// # Ok(()) }
    /// ```
    pub async fn revoke(self, invitation_id: &str) -> Result<Invitation, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["invitations", invitation_id, "revoke"])?;
        self.client.execute(call).await
    }
}

/// The organization invitation endpoints; get it from
/// [`ClerkClient::organization_invitations`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let page = clerk.organization_invitations().list("org_123", &Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OrganizationInvitationsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> OrganizationInvitationsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /organizations/{organization_id}/invitations`: one page, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.organization_invitations().list("org_123", &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(
        self,
        organization_id: &str,
        params: &OrganizationInvitationListParams,
    ) -> Result<Page<OrganizationInvitation>, ApiError> {
        let call = self
            .client
            .call(
                Method::GET,
                &["organizations", organization_id, "invitations"],
            )?
            .query(params)?;
        self.client.execute(call).await
    }

    /// Every invitation of the organization matching `params`, page by page.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = clerk
    ///     .organization_invitations()
    ///     .list_all("org_123", Default::default())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        organization_id: &str,
        params: OrganizationInvitationListParams,
    ) -> impl Stream<Item = Result<OrganizationInvitation, ApiError>> + 'static {
        let client = self.client.clone();
        let organization_id = organization_id.to_owned();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        offset_walk(page_size, params.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            let page_params = OrganizationInvitationListParams {
                limit: Some(page_size),
                offset: Some(offset),
                ..params.clone()
            };
            async move {
                client
                    .organization_invitations()
                    .list(&organization_id, &page_params)
                    .await
            }
        })
    }

    /// `GET /organizations/{organization_id}/invitations/{invitation_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let invitation = clerk.organization_invitations().get("org_123", "orginv_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(
        self,
        organization_id: &str,
        invitation_id: &str,
    ) -> Result<OrganizationInvitation, ApiError> {
        let call = self.client.call(
            Method::GET,
            &[
                "organizations",
                organization_id,
                "invitations",
                invitation_id,
            ],
        )?;
        self.client.execute(call).await
    }

    /// `POST /organizations/{organization_id}/invitations`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateOrganizationInvitationParams;
    /// clerk.organization_invitations().create("org_123", &CreateOrganizationInvitationParams {
    ///     email_address: "new@example.com".into(), role: "org:member".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(
        self,
        organization_id: &str,
        params: &CreateOrganizationInvitationParams,
    ) -> Result<OrganizationInvitation, ApiError> {
        let call = self
            .client
            .call(
                Method::POST,
                &["organizations", organization_id, "invitations"],
            )?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.organization_invitations()
    ///     .revoke("org_123", "orginv_123", &Default::default())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(
        self,
        organization_id: &str,
        invitation_id: &str,
        params: &RevokeOrganizationInvitationParams,
    ) -> Result<OrganizationInvitation, ApiError> {
        let call = self
            .client
            .call(
                Method::POST,
                &[
                    "organizations",
                    organization_id,
                    "invitations",
                    invitation_id,
                    "revoke",
                ],
            )?
            .json(params)?;
        self.client.execute(call).await
    }
}
