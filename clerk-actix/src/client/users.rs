//! `/v1/users`: users and their metadata, bans, locks and memberships.

use actix_web::http::Method;
use futures_util::{Stream, StreamExt};
use serde::Serialize;

use super::pagination::{WALK_PAGE_SIZE, cursor_walk, offset_walk};
use super::{ApiError, ClerkClient, OrderBy, PageParams};
use crate::models::{
    DeletedObject, Metadata, OrganizationMembership, Page, SensitiveString, TotalCount, User,
};

/// Filters, sort and pagination of `GET /users` (and, without pagination and sort, of
/// `GET /users/count`).
///
/// List filters match any of their values; timestamps are Unix milliseconds.
///
/// ```
/// use clerk_actix::client::{OrderBy, UserListParams};
///
/// let params = UserListParams {
///     email_address: vec!["ada@example.com".into(), "grace@example.com".into()],
///     banned: Some(false),
///     order_by: Some(OrderBy::asc("created_at")),
///     limit: Some(100),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserListParams {
    /// Users with any of these email addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_address: Vec<String>,
    /// Users with any of these phone numbers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// Users with any of these external ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_id: Vec<String>,
    /// Users with any of these usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub username: Vec<String>,
    /// Users with any of these Web3 wallets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub web3_wallet: Vec<String>,
    /// These user ids (prefix one with `-` to exclude it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_id: Vec<String>,
    /// Members of these organizations (prefix one with `-` to exclude its members).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_id: Vec<String>,
    /// Free-text search over ids, emails, phones, usernames, names.
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
    /// Search within first and last names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_query: Option<String>,
    /// Only banned (`true`) or only not banned (`false`) users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// Last active before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_at_before: Option<i64>,
    /// Last active after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_at_after: Option<i64>,
    /// Active since this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_active_at_since: Option<i64>,
    /// Created before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_before: Option<i64>,
    /// Created after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at_after: Option<i64>,
    /// Last signed in before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at_before: Option<i64>,
    /// Last signed in after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at_after: Option<i64>,
    /// OAuth provider (with `provider_user_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// User ids at `provider`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provider_user_id: Vec<String>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Users to skip (slow for large values: prefer `starting_after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Cursor: the users after this user id (needs `created_at` ordering and no offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
    /// Sort order (Clerk's default: `-created_at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
}

impl UserListParams {
    /// The same filters without pagination and sort, as `GET /users/count` takes them.
    fn filters_only(&self) -> Self {
        Self {
            limit: None,
            offset: None,
            starting_after: None,
            order_by: None,
            ..self.clone()
        }
    }
}

/// Body of `POST /users`.
///
/// Times are RFC 3339 strings (`"2024-05-28T08:00:00Z"`). Secrets are [`SensitiveString`]s so
/// a `{:?}` of the params does not print them.
///
/// ```
/// use clerk_actix::client::CreateUserParams;
///
/// let params = CreateUserParams {
///     email_address: vec!["ada@example.com".into()],
///     password: Some("a long passphrase".into()),
///     skip_password_checks: Some(false),
///     ..Default::default()
/// };
/// assert!(!format!("{params:?}").contains("passphrase"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateUserParams {
    /// Your own id for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Locale (BCP 47).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Email addresses; the first becomes primary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_address: Vec<String>,
    /// Phone numbers; the first becomes primary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// Web3 wallets; the first becomes primary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub web3_wallet: Vec<String>,
    /// Username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Plain-text password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SensitiveString>,
    /// Password hash imported from another system (with `password_hasher`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<SensitiveString>,
    /// Hashing algorithm of `password_digest` (`bcrypt`, `argon2id`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    /// Skip the password strength and breach checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    /// Create the user without a password even if the instance requires one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_requirement: Option<bool>,
    /// TOTP secret to import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<SensitiveString>,
    /// Backup codes to import.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backup_codes: Vec<SensitiveString>,
    /// Public metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Unsafe metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Metadata>,
    /// Whether the user may delete their own account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    /// When the legal terms were accepted (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_accepted_at: Option<String>,
    /// Skip the legal-acceptance requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    /// Create the user without the identifiers the instance requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_user_requirement: Option<bool>,
    /// Whether the user may create organizations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    /// How many organizations the user may create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organizations_limit: Option<u32>,
    /// Creation time to record (RFC 3339), for imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Skip client trust checks for this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
    /// Create the user banned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// Create the user locked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

/// Body of `PATCH /users/{id}`; only the fields set are changed.
///
/// Metadata is not updated here (API version 2026-05-12 removed it from this endpoint): use
/// [`UsersApi::update_metadata`] or [`UsersApi::replace_metadata`].
///
/// ```
/// use clerk_actix::client::UpdateUserParams;
///
/// let params = UpdateUserParams { first_name: Some("Ada".into()), ..Default::default() };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateUserParams {
    /// Your own id for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Locale (BCP 47).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// New primary email address (an existing, verified one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email_address_id: Option<String>,
    /// Tell the previous primary address about the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_primary_email_address_changed: Option<bool>,
    /// New primary phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_phone_number_id: Option<String>,
    /// New primary Web3 wallet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_web3_wallet_id: Option<String>,
    /// Username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Id of an uploaded image to use as profile image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_image_id: Option<String>,
    /// New plain-text password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SensitiveString>,
    /// New password hash (with `password_hasher`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<SensitiveString>,
    /// Hashing algorithm of `password_digest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    /// Skip the password strength and breach checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    /// Sign the user out of their other sessions (with a password change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
    /// TOTP secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<SensitiveString>,
    /// Backup codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backup_codes: Vec<SensitiveString>,
    /// Whether the user may delete their own account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    /// Whether the user may create organizations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    /// When the legal terms were accepted (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_accepted_at: Option<String>,
    /// Skip the legal-acceptance requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    /// How many organizations the user may create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organizations_limit: Option<u32>,
    /// Creation time to record (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Skip client trust checks for this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
}

/// Body of the user metadata endpoints.
///
/// With [`UsersApi::update_metadata`] (`PATCH`) the maps are deep-merged into the existing
/// metadata and a key set to `null` is removed; with [`UsersApi::replace_metadata`] (`PUT`)
/// each map given replaces that kind of metadata (an empty map clears it). A `None` field
/// leaves that kind untouched either way. Keys are sent exactly as given.
///
/// ```
/// use clerk_actix::client::UserMetadataParams;
/// use serde_json::json;
///
/// let params = UserMetadataParams {
///     public_metadata: Some(json!({"plan": "pro", "trialEndsAt": null}).as_object().unwrap().clone()),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UserMetadataParams {
    /// Public metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Private metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    /// Unsafe metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Metadata>,
}

/// The users endpoints; get it from [`ClerkClient::users`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let user = clerk.users().ban("user_123").await?;
/// assert!(user.banned);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct UsersApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> UsersApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /users`: one page of users. Clerk does not count them here, so
    /// `total_count` is `None`; see [`list_with_count`](Self::list_with_count).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UserListParams;
    /// let page = clerk.users().list(&UserListParams { query: Some("ada".into()), ..Default::default() }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &UserListParams) -> Result<Page<User>, ApiError> {
        let call = self.client.call(Method::GET, &["users"])?.query(params)?;
        self.client.execute(call).await
    }

    /// `GET /users/count`: how many users match the filters of `params` (its pagination and
    /// sort are ignored).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let banned = clerk.users().count(&clerk_actix::client::UserListParams {
    ///     banned: Some(true), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn count(self, params: &UserListParams) -> Result<u64, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["users", "count"])?
            .query(&params.filters_only())?;
        let count: TotalCount = self.client.execute(call).await?;
        Ok(count.total_count)
    }

    /// `GET /users` and `GET /users/count` concurrently: a page with `total_count` set.
    /// The two answers are separate reads, so the count can drift from the page while users
    /// are being created or deleted.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.users().list_with_count(&Default::default()).await?;
    /// println!("{} of {:?}", page.data.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_with_count(self, params: &UserListParams) -> Result<Page<User>, ApiError> {
        let (page, total) =
            futures_util::future::try_join(self.list(params), self.count(params)).await?;
        Ok(Page::new(page.data, Some(total)))
    }

    /// Every user matching `params`, page by page, as a stream.
    ///
    /// Sorted by `created_at` (the default), it pages with the `starting_after` cursor, which
    /// stays fast on large instances (the first page honours `params.offset` and
    /// `params.starting_after`); under another sort it pages with `offset`. Pages hold
    /// `params.limit` users, 100 if unset. The stream ends after the first error.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut users = std::pin::pin!(clerk.users().list_all(Default::default()));
    /// while let Some(user) = users.try_next().await? {
    ///     println!("{}", user.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        params: UserListParams,
    ) -> impl Stream<Item = Result<User, ApiError>> + 'static {
        let client = self.client.clone();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        let by_created_at = params
            .order_by
            .as_ref()
            .is_none_or(|order| order.field() == "created_at");
        if by_created_at {
            cursor_walk(
                page_size,
                |user: &User| &user.id,
                move |cursor| {
                    let client = client.clone();
                    let mut page_params = UserListParams {
                        limit: Some(page_size),
                        ..params.clone()
                    };
                    if let Some(cursor) = cursor {
                        page_params.starting_after = Some(cursor);
                        page_params.offset = None;
                    }
                    async move { client.users().list(&page_params).await }
                },
            )
            .left_stream()
        } else {
            let first_offset = params.offset.unwrap_or(0);
            offset_walk(page_size, first_offset, move |offset| {
                let client = client.clone();
                let page_params = UserListParams {
                    limit: Some(page_size),
                    offset: Some(offset),
                    ..params.clone()
                };
                async move { client.users().list(&page_params).await }
            })
            .right_stream()
        }
    }

    /// `GET /users/{user_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// match clerk.users().get("user_123").await {
    ///     Ok(user) => println!("{:?}", user.first_name),
    ///     Err(e) if e.is_not_found() => println!("no such user"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(self, user_id: &str) -> Result<User, ApiError> {
        let call = self.client.call(Method::GET, &["users", user_id])?;
        self.client.execute(call).await
    }

    /// `POST /users`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateUserParams;
    /// let user = clerk.users().create(&CreateUserParams {
    ///     email_address: vec!["ada@example.com".into()],
    ///     ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateUserParams) -> Result<User, ApiError> {
        let call = self.client.call(Method::POST, &["users"])?.json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /users/{user_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UpdateUserParams;
    /// let user = clerk.users().update("user_123", &UpdateUserParams {
    ///     username: Some("ada".into()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update(self, user_id: &str, params: &UpdateUserParams) -> Result<User, ApiError> {
        let call = self
            .client
            .call(Method::PATCH, &["users", user_id])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PATCH /users/{user_id}/metadata`: deep-merges the given metadata (`null` removes a key).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UserMetadataParams;
    /// let mut public = clerk_actix::models::Metadata::new();
    /// public.insert("plan".into(), "pro".into());
    /// clerk.users().update_metadata("user_123", &UserMetadataParams {
    ///     public_metadata: Some(public), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_metadata(
        self,
        user_id: &str,
        params: &UserMetadataParams,
    ) -> Result<User, ApiError> {
        let call = self
            .client
            .call(Method::PATCH, &["users", user_id, "metadata"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `PUT /users/{user_id}/metadata`: replaces each kind of metadata given.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::UserMetadataParams;
    /// // Clears private metadata, leaves public and unsafe metadata as they are.
    /// clerk.users().replace_metadata("user_123", &UserMetadataParams {
    ///     private_metadata: Some(Default::default()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_metadata(
        self,
        user_id: &str,
        params: &UserMetadataParams,
    ) -> Result<User, ApiError> {
        let call = self
            .client
            .call(Method::PUT, &["users", user_id, "metadata"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `DELETE /users/{user_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let deleted = clerk.users().delete("user_123").await?;
    /// assert!(deleted.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn delete(self, user_id: &str) -> Result<DeletedObject, ApiError> {
        let call = self.client.call(Method::DELETE, &["users", user_id])?;
        self.client.execute(call).await
    }

    /// `POST /users/{user_id}/ban`: signs the user out everywhere and blocks sign-ins.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.users().ban("user_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn ban(self, user_id: &str) -> Result<User, ApiError> {
        self.post_action(user_id, "ban").await
    }

    /// `POST /users/{user_id}/unban`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.users().unban("user_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn unban(self, user_id: &str) -> Result<User, ApiError> {
        self.post_action(user_id, "unban").await
    }

    /// `POST /users/{user_id}/lock`: blocks sign-ins until unlocked or the lockout expires.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.users().lock("user_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn lock(self, user_id: &str) -> Result<User, ApiError> {
        self.post_action(user_id, "lock").await
    }

    /// `POST /users/{user_id}/unlock`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.users().unlock("user_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn unlock(self, user_id: &str) -> Result<User, ApiError> {
        self.post_action(user_id, "unlock").await
    }

    /// `GET /users/{user_id}/organization_memberships`: the user's memberships, with
    /// `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let memberships = clerk.users().organization_memberships("user_123", &Default::default()).await?;
    /// for m in memberships.data { println!("{} in {}", m.role, m.organization.slug); }
    /// # Ok(()) }
    /// ```
    pub async fn organization_memberships(
        self,
        user_id: &str,
        params: &PageParams,
    ) -> Result<Page<OrganizationMembership>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["users", user_id, "organization_memberships"])?
            .query(params)?;
        self.client.execute(call).await
    }

    async fn post_action(self, user_id: &str, action: &str) -> Result<User, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["users", user_id, action])?;
        self.client.execute(call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::request::query_pairs;

    #[test]
    fn count_drops_pagination_and_sort() {
        let params = UserListParams {
            banned: Some(false),
            limit: Some(5),
            offset: Some(10),
            starting_after: Some("user_1".into()),
            order_by: Some(OrderBy::desc("created_at")),
            ..Default::default()
        };
        let pairs = query_pairs(&params.filters_only()).unwrap();
        assert_eq!(pairs, [("banned".to_owned(), "false".to_owned())]);
    }

    #[test]
    fn create_body_is_snake_case_and_skips_none() {
        let mut metadata = Metadata::new();
        metadata.insert("camelCaseKey".into(), serde_json::json!({"nestedKey": 1}));
        let params = CreateUserParams {
            email_address: vec!["a@b.c".into()],
            password: Some("pw".into()),
            skip_password_checks: Some(false),
            public_metadata: Some(metadata),
            ..Default::default()
        };
        let body = serde_json::to_value(&params).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "email_address": ["a@b.c"],
                "password": "pw",
                "skip_password_checks": false,
                "public_metadata": {"camelCaseKey": {"nestedKey": 1}}
            })
        );
    }
}
