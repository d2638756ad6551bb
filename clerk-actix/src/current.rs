//! The signed-in user's resources from the Backend API, fetched at most once per request: the
//! server-side counterpart of Clerk's `currentUser()` and of the Astro stores.
//!
//! ```no_run
//! use actix_web::HttpResponse;
//! use clerk_actix::{CurrentOrganization, CurrentUser};
//!
//! async fn dashboard(user: CurrentUser, org: Option<CurrentOrganization>) -> HttpResponse {
//!     let name = user.first_name.clone().unwrap_or_default();
//!     let org = org.map(|org| org.name.clone());
//!     HttpResponse::Ok().body(format!("hello {name} ({org:?})"))
//! }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::ClerkClient;
use crate::auth::ClerkAuth;
use crate::client::{ApiError, SessionListParams, SessionTokenParams};
use crate::extract::{AuthRejection, ClerkRequestExt as _};
use crate::models::{Organization, Session, SessionStatus, User};

/// Why a current-resource extractor failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CurrentError {
    /// Not signed in (401), or the middleware is missing (500).
    #[error(transparent)]
    Auth(#[from] AuthRejection),
    /// No secret key is configured, so the Backend API cannot be called (500).
    #[error("CLERK_SECRET_KEY is not configured, so the Backend API cannot be called")]
    NoClient,
    /// Signed in, but no organization is active (404).
    #[error("no organization is active in this session")]
    NoActiveOrganization,
    /// The Backend API call failed (502, or 404 when the resource is gone).
    #[error("the Clerk Backend API call failed: {0}")]
    Api(#[from] ApiError),
}

impl ResponseError for CurrentError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Auth(rejection) => rejection.status_code(),
            Self::NoClient => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NoActiveOrganization => StatusCode::NOT_FOUND,
            Self::Api(err) if err.is_not_found() => StatusCode::NOT_FOUND,
            Self::Api(_) => StatusCode::BAD_GATEWAY,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Auth(rejection) = self {
            return rejection.error_response();
        }
        let code = match self {
            Self::NoClient => "clerk_secret_key_missing",
            Self::NoActiveOrganization => "no_active_organization",
            _ => "clerk_api_error",
        };
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "errors": [{ "code": code, "message": self.to_string() }]
        }))
    }
}

/// Per-request memo of Backend API lookups (so two extractors never fetch twice).
#[derive(Default)]
struct RequestMemo {
    user: OnceCell<Result<Arc<UserRecord>, Rc<ApiError>>>,
}

/// A user as the Backend API returned it: typed, plus the exact JSON.
#[derive(Debug)]
pub(crate) struct UserRecord {
    user: User,
    raw: Value,
}

/// A short-lived per-process cache of users by id (opt-in, see
/// [`ClerkBuilder::user_cache_ttl`](crate::ClerkBuilder::user_cache_ttl)): Clerk's development
/// instances allow 100 Backend API requests per 10 s, which a page calling `current_user()` per
/// request would exceed.
#[derive(Debug)]
pub(crate) struct UserCache {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, (Instant, Arc<UserRecord>)>>,
}

impl UserCache {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::default(),
        }
    }

    fn get(&self, user_id: &str) -> Option<Arc<UserRecord>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(user_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, user)| Arc::clone(user))
    }

    fn put(&self, user_id: &str, user: Arc<UserRecord>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(user_id.to_owned(), (Instant::now(), user));
    }
}

fn client_of(auth: &ClerkAuth) -> Result<ClerkClient, CurrentError> {
    auth.clerk()
        .options()
        .client
        .clone()
        .ok_or(CurrentError::NoClient)
}

/// The signed-in user's record, fetched once per request (and from the user cache if enabled).
async fn current_user_record(req: &HttpRequest) -> Result<Option<Arc<UserRecord>>, CurrentError> {
    let auth = req.auth().ok_or(AuthRejection::MiddlewareMissing)?;
    let Some(user_id) = auth.user_id().map(str::to_owned) else {
        return Ok(None);
    };
    let memo = {
        let mut extensions = req.extensions_mut();
        match extensions.get::<Rc<RequestMemo>>() {
            Some(memo) => Rc::clone(memo),
            None => {
                let memo = Rc::new(RequestMemo::default());
                extensions.insert(Rc::clone(&memo));
                memo
            }
        }
    };
    let options = auth.clerk().options_arc();
    let client = options.client.clone().ok_or(CurrentError::NoClient)?;
    let result = memo
        .user
        .get_or_init(|| async {
            if let Some(cached) = options
                .user_cache
                .as_ref()
                .and_then(|cache| cache.get(&user_id))
            {
                return Ok(cached);
            }
            // Fetched as JSON first so the exact response stays available (`CurrentUser::raw`).
            let call = client
                .call(Method::GET, &["users", &user_id])
                .map_err(Rc::new)?;
            let raw: Value = client.execute(call).await.map_err(Rc::new)?;
            let user: User = serde_json::from_value(raw.clone())
                .map_err(|e| Rc::new(ApiError::decode(200, &e)))?;
            let record = Arc::new(UserRecord { user, raw });
            if let Some(cache) = &options.user_cache {
                cache.put(&user_id, Arc::clone(&record));
            }
            Ok(record)
        })
        .await;
    match result {
        Ok(record) => Ok(Some(Arc::clone(record))),
        Err(err) => Err(CurrentError::Api((**err).clone())),
    }
}

/// The signed-in user from the Backend API (`GET /v1/users/{id}`), fetched at most once per
/// request. Rejects with 401 when signed out; use `Option<CurrentUser>` where that is fine.
/// Derefs to [`User`]; [`raw`](Self::raw) is the JSON exactly as Clerk sent it.
#[derive(Clone, Debug)]
pub struct CurrentUser(Arc<UserRecord>);

impl CurrentUser {
    /// The user as the Backend API returned it, field for field.
    pub fn raw(&self) -> &Value {
        &self.0.raw
    }
}

impl Deref for CurrentUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0.user
    }
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl FromRequest for CurrentUser {
    type Error = CurrentError;
    type Future = LocalFuture<Result<Self, CurrentError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            current_user_record(&req)
                .await?
                .map(CurrentUser)
                .ok_or(CurrentError::Auth(AuthRejection::Unauthenticated))
        })
    }
}

/// The signed-in user's current session (`GET /v1/sessions/{sid}`). 401 when signed out.
#[derive(Clone, Debug)]
pub struct CurrentSession(pub Session);

impl Deref for CurrentSession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.0
    }
}

impl FromRequest for CurrentSession {
    type Error = CurrentError;
    type Future = LocalFuture<Result<Self, CurrentError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.auth();
        Box::pin(async move {
            let auth = auth.ok_or(AuthRejection::MiddlewareMissing)?;
            let sid = auth.session_id().ok_or(AuthRejection::Unauthenticated)?;
            Ok(CurrentSession(client_of(&auth)?.sessions().get(sid).await?))
        })
    }
}

/// The active organization (`GET /v1/organizations/{org_id}`). 401 when signed out; when signed
/// in without an active organization it rejects with 404: use `Option<CurrentOrganization>`.
#[derive(Clone, Debug)]
pub struct CurrentOrganization(pub Organization);

impl Deref for CurrentOrganization {
    type Target = Organization;
    fn deref(&self) -> &Organization {
        &self.0
    }
}

impl FromRequest for CurrentOrganization {
    type Error = CurrentError;
    type Future = LocalFuture<Result<Self, CurrentError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.auth();
        Box::pin(async move {
            let auth = auth.ok_or(AuthRejection::MiddlewareMissing)?;
            if !auth.is_signed_in() {
                return Err(AuthRejection::Unauthenticated.into());
            }
            let org_id = auth.org_id().ok_or(CurrentError::NoActiveOrganization)?;
            Ok(CurrentOrganization(
                client_of(&auth)?.organizations().get(org_id).await?,
            ))
        })
    }
}

/// The signed-in user's active sessions (`GET /v1/sessions?user_id=..&status=active`): the
/// server-side seed of Clerk's session list store. 401 when signed out.
#[derive(Clone, Debug)]
pub struct SessionList(pub Vec<Session>);

impl Deref for SessionList {
    type Target = [Session];
    fn deref(&self) -> &[Session] {
        &self.0
    }
}

impl FromRequest for SessionList {
    type Error = CurrentError;
    type Future = LocalFuture<Result<Self, CurrentError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.auth();
        Box::pin(async move {
            let auth = auth.ok_or(AuthRejection::MiddlewareMissing)?;
            let user_id = auth.user_id().ok_or(AuthRejection::Unauthenticated)?;
            let params = SessionListParams {
                user_id: Some(user_id.to_owned()),
                status: Some(SessionStatus::Active),
                ..SessionListParams::default()
            };
            Ok(SessionList(
                client_of(&auth)?.sessions().list(&params).await?.data,
            ))
        })
    }
}

/// The Backend API client configured for the request's Clerk instance.
impl FromRequest for ClerkClient {
    type Error = CurrentError;
    type Future = std::future::Ready<Result<Self, CurrentError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.auth()
                .ok_or(CurrentError::Auth(AuthRejection::MiddlewareMissing))
                .and_then(|auth| client_of(&auth)),
        )
    }
}

/// The Backend API client of the request's Clerk instance (Clerk's `clerkClient(context)`).
///
/// ```no_run
/// use actix_web::{HttpRequest, HttpResponse};
///
/// async fn count(req: HttpRequest) -> Result<HttpResponse, clerk_actix::CurrentError> {
///     let users = clerk_actix::clerk_client(&req)?.users().count(&Default::default()).await?;
///     Ok(HttpResponse::Ok().body(users.to_string()))
/// }
/// ```
pub fn clerk_client(req: &HttpRequest) -> Result<ClerkClient, CurrentError> {
    let auth = req.auth().ok_or(AuthRejection::MiddlewareMissing)?;
    client_of(&auth)
}

/// Clerk's `locals.currentUser()`: the signed-in user, `None` when signed out.
///
/// ```no_run
/// use actix_web::HttpRequest;
///
/// async fn name(req: HttpRequest) -> Result<String, clerk_actix::CurrentError> {
///     let user = clerk_actix::current_user(&req).await?;
///     Ok(user.and_then(|u| u.first_name.clone()).unwrap_or_else(|| "stranger".into()))
/// }
/// ```
pub async fn current_user(req: &HttpRequest) -> Result<Option<CurrentUser>, CurrentError> {
    Ok(current_user_record(req).await?.map(CurrentUser))
}

/// Options of [`ClerkAuth::get_token`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenOptions {
    /// A JWT template name.
    pub template: Option<String>,
    /// Lifetime of the minted token.
    pub expires_in_seconds: Option<u64>,
}

impl ClerkAuth {
    /// Clerk's `getToken()`: without options, the current session token (no network); with a
    /// template or a lifetime, a new token minted by the Backend API
    /// (`POST /v1/sessions/{sid}/tokens[/{template}]`). `None` when signed out.
    ///
    /// ```no_run
    /// # async fn run(auth: clerk_actix::Auth) -> Result<(), clerk_actix::CurrentError> {
    /// use clerk_actix::TokenOptions;
    /// let token = auth
    ///     .get_token(TokenOptions { template: Some("supabase".into()), ..Default::default() })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_token(&self, options: TokenOptions) -> Result<Option<String>, CurrentError> {
        if self.machine().is_some() {
            return Ok(self.token().map(str::to_owned));
        }
        let Some(sid) = self.session_id() else {
            return Ok(None);
        };
        if options.template.is_none() && options.expires_in_seconds.is_none() {
            return Ok(self.token().map(str::to_owned));
        }
        let params = SessionTokenParams {
            template: options.template,
            expires_in_seconds: options.expires_in_seconds,
        };
        let token = client_of(self)?
            .sessions()
            .create_token(sid, &params)
            .await?;
        Ok(Some(token.jwt.into_inner()))
    }
}
