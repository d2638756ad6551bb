//! `/v1/sign_in_tokens` and `/v1/testing_tokens`.

use actix_web::http::Method;
use serde::Serialize;

use super::{ApiError, ClerkClient};
use crate::models::{SignInToken, TestingToken};

/// Body of `POST /sign_in_tokens`.
///
/// ```
/// let params = clerk_actix::client::CreateSignInTokenParams {
///     user_id: "user_123".into(),
///     expires_in_seconds: Some(600),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateSignInTokenParams {
    /// User the token signs in.
    pub user_id: String,
    /// Organization to activate on sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Lifetime in seconds (Clerk's default: 30 days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<u64>,
}

/// The sign-in token endpoints; get it from [`ClerkClient::sign_in_tokens`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// clerk.sign_in_tokens().revoke("sit_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SignInTokensApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> SignInTokensApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `POST /sign_in_tokens`: a one-time token (and URL) that signs the user in.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateSignInTokenParams;
    /// let token = clerk.sign_in_tokens().create(&CreateSignInTokenParams {
    ///     user_id: "user_123".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateSignInTokenParams) -> Result<SignInToken, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["sign_in_tokens"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /sign_in_tokens/{sign_in_token_id}/revoke`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.sign_in_tokens().revoke("sit_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(self, sign_in_token_id: &str) -> Result<SignInToken, ApiError> {
        let call = self.client.call(
            Method::POST,
            &["sign_in_tokens", sign_in_token_id, "revoke"],
        )?;
        self.client.execute(call).await
    }
}

/// The testing token endpoint; get it from [`ClerkClient::testing_tokens`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let token = clerk.testing_tokens().create().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TestingTokensApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> TestingTokensApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `POST /testing_tokens`: a token that lets end-to-end tests bypass bot protection
    /// (development instances).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let token = clerk.testing_tokens().create().await?;
    /// let value: &str = token.token.expose();
    /// # Ok(()) }
    /// ```
    pub async fn create(self) -> Result<TestingToken, ApiError> {
        let call = self.client.call(Method::POST, &["testing_tokens"])?;
        self.client.execute(call).await
    }
}
