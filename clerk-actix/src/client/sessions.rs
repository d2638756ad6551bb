//! `/v1/sessions`: sessions, session tokens and session refresh.

use std::collections::BTreeMap;

use actix_web::http::Method;
use futures_util::Stream;
use serde::Serialize;

use super::pagination::{WALK_PAGE_SIZE, offset_walk};
use super::{ApiError, ClerkClient};
use crate::models::{Page, SensitiveString, Session, SessionRefresh, SessionStatus, Token};

/// Filters and pagination of `GET /sessions`. Clerk requires `user_id` or `client_id`.
///
/// ```
/// use clerk_actix::client::SessionListParams;
/// use clerk_actix::models::SessionStatus;
///
/// let params = SessionListParams {
///     user_id: Some("user_123".into()),
///     status: Some(SessionStatus::Active),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SessionListParams {
    /// Sessions of this client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Sessions of this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Only sessions in this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// Page size, 1..=500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Sessions to skip.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// Body of `POST /sessions` (creates a session for a user, e.g. in tests).
///
/// ```
/// let params = clerk_actix::client::CreateSessionParams {
///     user_id: "user_123".into(),
///     ..Default::default()
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSessionParams {
    /// Owner of the session.
    pub user_id: String,
    /// Organization to make active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_organization_id: Option<String>,
}

/// What [`SessionsApi::create_token`] mints.
///
/// ```
/// let params = clerk_actix::client::SessionTokenParams {
///     template: Some("supabase".into()),
///     expires_in_seconds: Some(60),
/// };
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionTokenParams {
    /// JWT template name; `None` mints a plain session token.
    #[serde(skip)]
    pub template: Option<String>,
    /// Lifetime of the token in seconds (Clerk's default when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<u64>,
}

/// Response format of [`SessionsApi::refresh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefreshFormat {
    /// `{"object":"token","jwt":...}`.
    Token,
    /// `{"object":"cookies","cookies":[...]}`: `Set-Cookie` directives.
    Cookie,
}

/// Body (and `suffixed_cookies` query flag) of `POST /sessions/{id}/refresh`.
///
/// Tokens and request headers are [`SensitiveString`]s, so `{:?}` does not print them.
///
/// ```
/// use clerk_actix::client::{RefreshFormat, RefreshSessionParams};
///
/// let params = RefreshSessionParams {
///     expired_token: "eyJ...expired".into(),
///     refresh_token: "refresh-cookie-value".into(),
///     request_origin: "https://example.com".into(),
///     format: Some(RefreshFormat::Cookie),
///     suffixed_cookies: Some(true),
///     ..Default::default()
/// };
/// assert!(!format!("{params:?}").contains("refresh-cookie-value"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RefreshSessionParams {
    /// The expired session token (from the `__session` cookie).
    pub expired_token: SensitiveString,
    /// The refresh token (from the `__refresh_<suffix>` cookie).
    pub refresh_token: SensitiveString,
    /// Origin of the incoming request (`https://example.com`).
    pub request_origin: String,
    /// Headers of the incoming request, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<BTreeMap<String, Vec<SensitiveString>>>,
    /// Response format (Clerk's default: token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<RefreshFormat>,
    /// IP address of the incoming request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_originating_ip: Option<String>,
    /// Sent as the `suffixed_cookies` query parameter: whether the app uses suffixed cookies.
    #[serde(skip)]
    pub suffixed_cookies: Option<bool>,
}

/// The sessions endpoints; get it from [`ClerkClient::sessions`].
///
/// ```no_run
/// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
/// let session = clerk.sessions().revoke("sess_123").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SessionsApi<'a> {
    client: &'a ClerkClient,
}

impl<'a> SessionsApi<'a> {
    pub(crate) fn new(client: &'a ClerkClient) -> Self {
        Self { client }
    }

    /// `GET /sessions?paginated=true`: one page of sessions, with `total_count`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::SessionListParams;
    /// let sessions = clerk.sessions().list(&SessionListParams {
    ///     user_id: Some("user_123".into()), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list(self, params: &SessionListParams) -> Result<Page<Session>, ApiError> {
        let call = self
            .client
            .call(Method::GET, &["sessions"])?
            .query(params)?
            .query_pair("paginated", "true");
        self.client.execute(call).await
    }

    /// Every session matching `params`, page by page (`params.limit` per page, 100 if unset).
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use futures_util::TryStreamExt;
    /// use clerk_actix::client::SessionListParams;
    /// let all: Vec<_> = clerk.sessions().list_all(SessionListParams {
    ///     user_id: Some("user_123".into()), ..Default::default()
    /// }).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        self,
        params: SessionListParams,
    ) -> impl Stream<Item = Result<Session, ApiError>> + 'static {
        let client = self.client.clone();
        let page_size = params.limit.unwrap_or(WALK_PAGE_SIZE);
        offset_walk(page_size, params.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let page_params = SessionListParams {
                limit: Some(page_size),
                offset: Some(offset),
                ..params.clone()
            };
            async move { client.sessions().list(&page_params).await }
        })
    }

    /// `GET /sessions/{session_id}`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// let session = clerk.sessions().get("sess_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(self, session_id: &str) -> Result<Session, ApiError> {
        let call = self.client.call(Method::GET, &["sessions", session_id])?;
        self.client.execute(call).await
    }

    /// `POST /sessions`.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::CreateSessionParams;
    /// let session = clerk.sessions().create(&CreateSessionParams {
    ///     user_id: "user_123".into(), ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create(self, params: &CreateSessionParams) -> Result<Session, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["sessions"])?
            .json(params)?;
        self.client.execute(call).await
    }

    /// `POST /sessions/{session_id}/revoke`: signs the session out; returns it revoked.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// clerk.sessions().revoke("sess_123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn revoke(self, session_id: &str) -> Result<Session, ApiError> {
        let call = self
            .client
            .call(Method::POST, &["sessions", session_id, "revoke"])?;
        self.client.execute(call).await
    }

    /// `POST /sessions/{session_id}/tokens[/{template}]`: mints a session token, or a JWT
    /// from a template.
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::SessionTokenParams;
    /// let token = clerk.sessions().create_token("sess_123", &SessionTokenParams {
    ///     template: Some("hasura".into()), expires_in_seconds: Some(60),
    /// }).await?;
    /// let jwt: &str = token.jwt.expose();
    /// # Ok(()) }
    /// ```
    pub async fn create_token(
        self,
        session_id: &str,
        params: &SessionTokenParams,
    ) -> Result<Token, ApiError> {
        let call = match params.template.as_deref() {
            Some(template) => self
                .client
                .call(Method::POST, &["sessions", session_id, "tokens", template])?,
            None => self
                .client
                .call(Method::POST, &["sessions", session_id, "tokens"])?,
        };
        self.client.execute(call.json(params)?).await
    }

    /// `POST /sessions/{session_id}/refresh`: trades an expired session token and its refresh
    /// token for a fresh token or `Set-Cookie` directives. Clerk answers 401 when the refresh
    /// is not possible, which callers treat as "fall back to a handshake".
    ///
    /// ```no_run
    /// # async fn run(clerk: clerk_actix::ClerkClient) -> Result<(), clerk_actix::client::ApiError> {
    /// use clerk_actix::client::{RefreshFormat, RefreshSessionParams};
    /// use clerk_actix::models::SessionRefresh;
    /// let refreshed = clerk.sessions().refresh("sess_123", &RefreshSessionParams {
    ///     expired_token: "eyJ...".into(),
    ///     refresh_token: "...".into(),
    ///     request_origin: "https://example.com".into(),
    ///     format: Some(RefreshFormat::Cookie),
    ///     ..Default::default()
    /// }).await?;
    /// if let SessionRefresh::Cookies(cookies) = refreshed {
    ///     for cookie in cookies { /* append as Set-Cookie */ let _ = cookie.expose(); }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn refresh(
        self,
        session_id: &str,
        params: &RefreshSessionParams,
    ) -> Result<SessionRefresh, ApiError> {
        let mut call = self
            .client
            .call(Method::POST, &["sessions", session_id, "refresh"])?;
        if let Some(suffixed) = params.suffixed_cookies {
            call = call.query_pair("suffixed_cookies", if suffixed { "true" } else { "false" });
        }
        self.client.execute(call.json(params)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_body_matches_clerk_js() {
        let params = RefreshSessionParams {
            expired_token: "old".into(),
            refresh_token: "rt".into(),
            request_origin: "https://example.com".into(),
            request_headers: Some(BTreeMap::from([(
                "cookie".to_owned(),
                vec![SensitiveString::from("__session=old")],
            )])),
            format: Some(RefreshFormat::Cookie),
            suffixed_cookies: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            serde_json::json!({
                "expired_token": "old",
                "refresh_token": "rt",
                "request_origin": "https://example.com",
                "request_headers": {"cookie": ["__session=old"]},
                "format": "cookie"
            })
        );
        let shown = format!("{params:?}");
        assert!(
            !shown.contains("__session=old") && !shown.contains("\"rt\""),
            "{shown}"
        );
    }

    #[test]
    fn token_template_is_not_in_the_body() {
        let params = SessionTokenParams {
            template: Some("tpl".into()),
            expires_in_seconds: Some(0),
        };
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            serde_json::json!({"expires_in_seconds": 0})
        );
    }
}
