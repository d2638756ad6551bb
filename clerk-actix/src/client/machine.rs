//! Machine credentials: `/m2m_tokens`, `/api_keys/verify` and
//! `/oauth_applications/access_tokens/verify`.
//!
//! Clerk serves these without the `/v1` prefix (versioned by header only), like its own SDKs
//! call them.

use actix_web::http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::request::Credential;
use super::{ApiError, ClerkClient};
use crate::models::{ApiKey, M2mToken, OAuthAccessToken, Page};

/// Largest `limit` of `GET /m2m_tokens` (lower than the 500 of other lists).
const M2M_MAX_LIMIT: u32 = 100;

/// Filters and pagination of `GET /m2m_tokens`.
///
/// ```
/// let params = clerk_actix::client::M2mTokenListParams {
///     subject: "mch_123".into(),
///     revoked: Some(false),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct M2mTokenListParams {
    /// The machine whose tokens to list (required).
    pub subject: String,
    /// Include revoked tokens (Clerk's default: `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Include expired tokens (Clerk's default: `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired: Option<bool>,
    /// Page size, 1..=100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Tokens to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /m2m_tokens`.
///
/// ```
/// let params = clerk_actix::client::CreateM2mTokenParams {
///     seconds_until_expiration: Some(3600),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateM2mTokenParams {
    /// Lifetime in seconds (no expiry when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_until_expiration: Option<u64>,
    /// Custom claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
    /// `opaque` (default) or `jwt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_format: Option<String>,
}

/// The M2M token endpoints; get it from [`ClerkClient::m2m_tokens`].
///
/// They authenticate with the machine secret key when one is configured
/// ([`ClerkClientBuilder::machine_secret_key`](super::ClerkClientBuilder::machine_secret_key)),
/// else with the secret key; creating a token needs the machine secret key.
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let token = clerk.m2m_tokens().verify("mt_...").await?;
/// println!("machine {}", token.subject);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct M2mTokensApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> M2mTokensApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /m2m_tokens`: one page of a machine's tokens, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::M2mTokenListParams;
    /// let page = clerk.m2m_tokens().list(&M2mTokenListParams {
    ///     subject: "mch_123".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &M2mTokenListParams) -> Result<Page<M2mToken>, ApiError> {
        if params.limit.is_some_and(|limit| limit > M2M_MAX_LIMIT) {
            return Err(ApiError::invalid_request(format!(
                "`limit` of M2M token lists must be between 1 and {M2M_MAX_LIMIT}"
            )));
        }
        let call = self
            .client
            .call_unversioned(Method::GET, &["m2m_tokens"])?
            .credential(Credential::MachineOrSecret)
            .query(params)?;
        self.client.execute(call).await
    }

    /// `POST /m2m_tokens`: a token for the machine of the machine secret key. The answer holds
    /// the token itself, once.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let created = clerk.m2m_tokens().create(&Default::default()).await?;
    /// let secret = created.token.as_ref().map(|t| t.expose());
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateM2mTokenParams) -> Result<M2mToken, ApiError> {
        let call = self
            .client
            .call_unversioned(Method::POST, &["m2m_tokens"])?
            .credential(Credential::Machine)
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /m2m_tokens/{m2m_token_id}/revoke`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.m2m_tokens().revoke("mt_123", Some("rotated")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(
        self,
        m2m_token_id: &str,
        revocation_reason: Option<&str>,
    ) -> Result<M2mToken, ApiError> {
        #[derive(Serialize)]
        struct Body<'r> {
            #[serde(skip_serializing_if = "Option::is_none")]
            revocation_reason: Option<&'r str>,
        }
        let call = self
            .client
            .call_unversioned(Method::POST, &["m2m_tokens", m2m_token_id, "revoke"])?
            .credential(Credential::MachineOrSecret)
            .json(&Body { revocation_reason })?;
        self.client.execute(call).await
    }

    /// `POST /m2m_tokens/verify`: checks an opaque M2M token (`mt_...`). A revoked or unknown
    /// token is an error (404 for unknown); check [`M2mToken::revoked`] and
    /// [`M2mToken::expired`] on success.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let token = clerk.m2m_tokens().verify("mt_...").await?;
    /// # Ok(()) }
    /// ```
    pub async fn verify(self, token: &str) -> Result<M2mToken, ApiError> {
        #[derive(Serialize)]
        struct Body<'t> {
            token: &'t str,
        }
        let call = self
            .client
            .call_unversioned(Method::POST, &["m2m_tokens", "verify"])?
            .credential(Credential::MachineOrSecret)
            .json(&Body { token })?;
        self.client.execute(call).await
    }
}

/// The API key verification endpoint; get it from [`ClerkClient::api_keys`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let key = clerk.api_keys().verify("ak_...").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ApiKeysApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> ApiKeysApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `POST /api_keys/verify`: the API key a secret (`ak_...`) belongs to.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let key = clerk.api_keys().verify("ak_...").await?;
    /// println!("{} with {:?}", key.subject, key.scopes);
    /// # Ok(()) }
    /// ```
    pub async fn verify(self, secret: &str) -> Result<ApiKey, ApiError> {
        #[derive(Serialize)]
        struct Body<'s> {
            secret: &'s str,
        }
        let call = self
            .client
            .call_unversioned(Method::POST, &["api_keys", "verify"])?
            .json(&Body { secret })?;
        self.client.execute(call).await
    }
}

/// The OAuth access token verification endpoint; get it from
/// [`ClerkClient::oauth_access_tokens`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let token = clerk.oauth_access_tokens().verify("oat_...").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OAuthAccessTokensApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> OAuthAccessTokensApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `POST /oauth_applications/access_tokens/verify`. `Ok(None)` when Clerk reports the
    /// token inactive (`{"active": false}`).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// match clerk.oauth_access_tokens().verify("oat_...").await? {
    ///     Some(token) => println!("acts for {}", token.subject),
    ///     None => println!("inactive"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn verify(self, access_token: &str) -> Result<Option<OAuthAccessToken>, ApiError> {
        #[derive(Serialize)]
        struct Body<'t> {
            access_token: &'t str,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Answer {
            Inactive {
                #[allow(dead_code)] // only its presence matters
                active: bool,
            },
            Token(Box<OAuthAccessToken>),
        }
        let call = self
            .client
            .call_unversioned(
                Method::POST,
                &["oauth_applications", "access_tokens", "verify"],
            )?
            .json(&Body { access_token })?;
        match self.client.execute(call).await? {
            Answer::Inactive { .. } => Ok(None),
            Answer::Token(token) => Ok(Some(*token)),
        }
    }
}
