//! `/v1/jwks`: the instance's public signing keys.

use actix_web::http::Method;

use super::{ApiError, ClerkClient};
use crate::models::Jwks;

/// The JWKS endpoint; get it from [`ClerkClient::jwks`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let jwks = clerk.jwks().get().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct JwksApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> JwksApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /jwks` (not rate limited by Clerk). Callers verifying tokens should cache the
    /// result and refetch on an unknown `kid`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let jwks = clerk.jwks().get().await?;
    /// let key = jwks.find("ins_abc");
    /// # Ok(()) }
    /// ```
    pub async fn get(self) -> Result<Jwks, ApiError> {
        let call = self.client.call(Method::GET, &["jwks"])?;
        self.client.execute(call).await
    }
}
