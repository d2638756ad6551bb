//! `/v1/clients`: clients (browsers/devices) and handshake payloads.

use actix_web::http::Method;
use serde::Serialize;

use super::{ApiError, ClerkClient, PageParams};
use crate::models::{Client, HandshakePayload, Page};

/// The clients endpoints; get it from [`ClerkClient::clients`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let client = clerk.clients().get("client_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ClientsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> ClientsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /clients?paginated=true`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let page = clerk.clients().list(&Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &PageParams) -> Result<Page<Client>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["clients"])?
            .query(params)?
            .query_pair("paginated", "true");
        self.client.execute(call).await
    }

    /// `GET /clients/{client_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let client = clerk.clients().get("client_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, client_id: &str) -> Result<Client, ApiError> {
        let call = self.client.call(Method::GET, &["clients", client_id])?;
        self.client.execute(call).await
    }

    /// `POST /clients/verify`: the client a client token (from the `__client` cookie) belongs to.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let client = clerk.clients().verify("client-token").await?;
    /// # Ok(()) }
    /// ```
    pub async fn verify(self, token: &str) -> Result<Client, ApiError> {
        #[derive(Serialize)]
        struct Body<'t> {
            token: &'t str,
        }
        let call = self
            .client
            .call(Method::POST, &["clients", "verify"])?
            .json(&Body { token })?;
        self.client.execute(call).await
    }

    /// `GET /clients/handshake_payload?nonce=`: the cookie directives of a handshake started
    /// with `format=nonce`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let payload = clerk.clients().handshake_payload("nonce-from-query").await?;
    /// for directive in &payload.directives { let _set_cookie = directive.expose(); }
    /// # Ok(()) }
    /// ```
    pub async fn handshake_payload(self, nonce: &str) -> Result<HandshakePayload, ApiError> {
        if nonce.is_empty() {
            return Err(ApiError::invalid_request("the handshake nonce is empty"));
        }
        let call = self
            .client
            .call(Method::GET, &["clients", "handshake_payload"])?
            .query_pair("nonce", nonce);
        self.client.execute(call).await
    }
}
