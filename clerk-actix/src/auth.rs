//! The auth object attached to every request: [`ClerkAuth`].

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use std::sync::OnceLock;

use actix_web::HttpRequest;
use actix_web::http::Uri;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use url::Url;

use crate::authorization::Has;
use crate::claims::{SessionClaims, SessionStatus};
use crate::config::Clerk;
use crate::error::TokenErrorReason;
use crate::header_text::{SEC_FETCH_DEST, X_FORWARDED_HOST, X_FORWARDED_PROTO};

/// The outcome of authenticating a request (Clerk's request state `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthStatus {
    /// A valid token was presented.
    SignedIn,
    /// No valid token was presented; [`ClerkAuth::reason`] says why.
    SignedOut,
    /// The browser must go through Clerk's handshake to get a fresh session token. Handlers see
    /// this as signed out; the middleware redirects page requests.
    Handshake,
}

impl AuthStatus {
    /// `signed-in`, `signed-out` or `handshake`, as in the `x-clerk-auth-status` header.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed-in",
            Self::SignedOut => "signed-out",
            Self::Handshake => "handshake",
        }
    }
}

impl fmt::Display for AuthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of token a request was authenticated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenType {
    /// A Clerk session token (JWT).
    SessionToken,
    /// An API key (`ak_…`).
    ApiKey,
    /// A machine-to-machine token (`mt_…` or a JWT whose `sub` starts with `mch_`).
    M2mToken,
    /// An OAuth access token (`oat_…` or an RFC 9068 JWT).
    OAuthToken,
}

impl TokenType {
    /// Clerk's name: `session_token`, `api_key`, `m2m_token` or `oauth_token`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionToken => "session_token",
            Self::ApiKey => "api_key",
            Self::M2mToken => "m2m_token",
            Self::OAuthToken => "oauth_token",
        }
    }
}

/// Why a request is signed out or needs a handshake: Clerk's `AuthErrorReason` plus the token
/// verification reasons. [`as_str`](Self::as_str) is the exact string of the
/// `x-clerk-auth-reason` header.
///
/// ```
/// use clerk_actix::AuthReason;
/// let reason = AuthReason::SessionTokenExpired { refresh_error: "non-eligible-no-refresh-cookie".into() };
/// assert_eq!(reason.as_str(), "session-token-expired-refresh-non-eligible-no-refresh-cookie");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthReason {
    /// `client-uat-but-no-session-token`
    ClientUatButNoSessionToken,
    /// `dev-browser-missing`
    DevBrowserMissing,
    /// `dev-browser-sync`
    DevBrowserSync,
    /// `primary-responds-to-syncing`
    PrimaryRespondsToSyncing,
    /// `primary-domain-cross-origin-sync`
    PrimaryDomainCrossOriginSync,
    /// `satellite-needs-syncing`
    SatelliteNeedsSyncing,
    /// `session-token-and-uat-missing`: no session cookie and no `__client_uat` (plain signed out).
    SessionTokenAndUatMissing,
    /// `session-token-missing`
    SessionTokenMissing,
    /// `session-token-expired-refresh-<refresh_error>`
    SessionTokenExpired {
        /// Why the expired token could not be refreshed (Clerk's `RefreshTokenErrorReason`).
        refresh_error: Cow<'static, str>,
    },
    /// `session-token-iat-before-client-uat`
    SessionTokenIatBeforeClientUat,
    /// `session-token-nbf`
    SessionTokenNbf,
    /// `session-token-iat-in-the-future`
    SessionTokenIatInTheFuture,
    /// `session-token-but-no-client-uat`
    SessionTokenButNoClientUat,
    /// `active-organization-mismatch`
    ActiveOrganizationMismatch,
    /// `token-type-mismatch`: the token is of a kind this route does not accept.
    TokenTypeMismatch,
    /// `unexpected-error`
    UnexpectedError,
    /// `No token in header` (a machine token was expected in the `Authorization` header).
    NoTokenInHeader,
    /// The token failed verification.
    Token(TokenErrorReason),
    /// A machine token failed verification (`token-invalid`, `secret-key-invalid`, …).
    Machine(Cow<'static, str>),
}

impl AuthReason {
    /// The reason string exactly as Clerk's SDKs spell it.
    pub fn as_str(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::ClientUatButNoSessionToken => "client-uat-but-no-session-token",
            Self::DevBrowserMissing => "dev-browser-missing",
            Self::DevBrowserSync => "dev-browser-sync",
            Self::PrimaryRespondsToSyncing => "primary-responds-to-syncing",
            Self::PrimaryDomainCrossOriginSync => "primary-domain-cross-origin-sync",
            Self::SatelliteNeedsSyncing => "satellite-needs-syncing",
            Self::SessionTokenAndUatMissing => "session-token-and-uat-missing",
            Self::SessionTokenMissing => "session-token-missing",
            Self::SessionTokenExpired { refresh_error } => {
                return Cow::Owned(format!("session-token-expired-refresh-{refresh_error}"));
            }
            Self::SessionTokenIatBeforeClientUat => "session-token-iat-before-client-uat",
            Self::SessionTokenNbf => "session-token-nbf",
            Self::SessionTokenIatInTheFuture => "session-token-iat-in-the-future",
            Self::SessionTokenButNoClientUat => "session-token-but-no-client-uat",
            Self::ActiveOrganizationMismatch => "active-organization-mismatch",
            Self::TokenTypeMismatch => "token-type-mismatch",
            Self::UnexpectedError => "unexpected-error",
            Self::NoTokenInHeader => "No token in header",
            Self::Token(reason) => reason.as_str(),
            Self::Machine(code) => return code.clone(),
        })
    }
}

impl fmt::Display for AuthReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Who is making a request and what they may do: the auth object the middleware attaches to
/// every request (Clerk's request state together with its `toAuth()` object).
///
/// Get it with the [`Auth`](crate::Auth) extractor, [`ClerkRequestExt::auth`](crate::ClerkRequestExt),
/// or require a signed-in user with [`SignedIn`](crate::SignedIn). Cheap to clone.
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use clerk_actix::{Auth, Has};
///
/// #[get("/reports")]
/// async fn reports(auth: Auth) -> HttpResponse {
///     match auth.user_id() {
///         None => HttpResponse::Unauthorized().finish(),
///         Some(_) if !auth.has(&Has::permission("org:reports:read")) => HttpResponse::Forbidden().finish(),
///         Some(user) => HttpResponse::Ok().body(format!("reports for {user}")),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct ClerkAuth(pub(crate) Arc<AuthState>);

pub(crate) struct AuthState {
    pub(crate) status: AuthStatus,
    pub(crate) reason: Option<AuthReason>,
    pub(crate) message: Option<String>,
    pub(crate) token: Option<TokenText>,
    pub(crate) token_type: Option<TokenType>,
    /// Verified session claims (also for a pending session, which still counts as signed out).
    pub(crate) claims: Option<SessionClaims>,
    /// Whether the claims make this request authenticated (false for pending sessions).
    pub(crate) authenticated: bool,
    /// A verified machine token (boxed: rare, and this struct is moved on every request).
    pub(crate) machine: Option<Box<crate::machine::MachineAuth>>,
    /// Headers for the response: debug headers, `Set-Cookie`, `Location`.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The middleware's handle for its worker: its count is touched by that worker's thread
    /// only, where a clone of the `Clerk` every worker shares would move a cache line between
    /// cores on every request.
    pub(crate) clerk: Arc<Clerk>,
    pub(crate) request: RequestInfo,
}

/// A verified token's text: a copy, or a share of the `Authorization` header it came in (the
/// request's own bytes, reference-counted), which spares every header-authenticated request a
/// copy of its 1 KiB token.
#[derive(Clone)]
pub(crate) enum TokenText {
    Copied(String),
    /// Bytes `start..end` of `value`.
    InHeader {
        value: HeaderValue,
        start: usize,
        end: usize,
    },
}

impl TokenText {
    /// `token`, shared with `value` when it lies inside it (a header reader's slice of
    /// `value`'s bytes), else copied. `token` is text (it verified, or matched a token that did).
    pub(crate) fn from_header(value: &HeaderValue, token: &[u8]) -> Self {
        let bytes = value.as_bytes();
        // Where `token` starts inside `value`, if it does: compared, not assumed.
        let start = (token.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
        let end = start.wrapping_add(token.len());
        match bytes.get(start..end) {
            Some(inside) if std::ptr::eq(inside, token) => Self::InHeader {
                value: value.clone(),
                start,
                end,
            },
            _ => Self::Copied(String::from_utf8_lossy(token).into_owned()),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Copied(token) => token,
            // The bytes were read as text when the token was verified, so this cannot fail;
            // if it ever did, no token is better than a wrong one.
            Self::InHeader { value, start, end } => value
                .as_bytes()
                .get(*start..*end)
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
        }
    }
}

/// What redirects need to know about the request, captured cheaply (reference-counted clones);
/// the URL is only assembled when something asks for it.
pub(crate) struct RequestInfo {
    uri: Uri,
    host: Option<HeaderValue>,
    forwarded_host: Option<HeaderValue>,
    forwarded_proto: Option<HeaderValue>,
    cookies: Vec<HeaderValue>,
    accept: Option<HeaderValue>,
    sec_fetch_dest: Option<HeaderValue>,
    secure: bool,
    fallback_host: Option<String>,
    /// Boxed: built only for redirects, and this struct is moved on every request.
    url: OnceLock<Option<Box<Url>>>,
}

impl RequestInfo {
    pub(crate) fn from_request(req: &HttpRequest) -> Self {
        // One pass over the headers rather than a hashed lookup per name: an API request has a
        // handful of headers, and six lookups cost more than reading each header once. Each
        // name's values come in the order they arrived, so the first one seen is `get`'s.
        let mut info = Self {
            uri: req.uri().clone(),
            host: None,
            forwarded_host: None,
            forwarded_proto: None,
            cookies: Vec::new(),
            accept: None,
            sec_fetch_dest: None,
            secure: req.app_config().secure(),
            fallback_host: None,
            url: OnceLock::new(),
        };
        for (name, value) in req.headers() {
            let first = if name == header::HOST {
                &mut info.host
            } else if name == header::COOKIE {
                info.cookies.push(value.clone());
                continue;
            } else if name == header::ACCEPT {
                &mut info.accept
            } else if name == X_FORWARDED_HOST {
                &mut info.forwarded_host
            } else if name == X_FORWARDED_PROTO {
                &mut info.forwarded_proto
            } else if name == SEC_FETCH_DEST {
                &mut info.sec_fetch_dest
            } else {
                continue;
            };
            if first.is_none() {
                *first = Some(value.clone());
            }
        }
        if info.host.is_none() && info.uri.authority().is_none() {
            info.fallback_host = Some(req.app_config().host().to_owned());
        }
        info
    }

    /// Clerk's `clerkUrl`: the URL as the browser sees it, honouring `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` (first value of each). `None` when the host header is unusable.
    pub(crate) fn url(&self) -> Option<&Url> {
        self.url
            .get_or_init(|| {
                fn first(value: &Option<HeaderValue>) -> Option<&str> {
                    value
                        .as_ref()
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(',').next())
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                }
                let host = first(&self.forwarded_host)
                    .or_else(|| self.host.as_ref().and_then(|v| v.to_str().ok()))
                    .or_else(|| self.uri.authority().map(|a| a.as_str()))
                    .or(self.fallback_host.as_deref())?;
                let proto = first(&self.forwarded_proto)
                    .or_else(|| self.uri.scheme_str())
                    .unwrap_or(if self.secure { "https" } else { "http" });
                let path = self.uri.path_and_query().map_or("/", |p| p.as_str());
                Url::parse(&format!("{proto}://{host}{path}"))
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }

    /// A browser navigation (Clerk's page-request test): `Sec-Fetch-Dest: document|iframe`, or
    /// no `Sec-Fetch-Dest` and an `Accept` that includes `text/html`.
    pub(crate) fn is_page_request(&self) -> bool {
        match self.sec_fetch_dest.as_ref().and_then(|v| v.to_str().ok()) {
            Some(dest) => dest == "document" || dest == "iframe",
            None => self
                .accept
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html")),
        }
    }

    /// The development browser token: the `__clerk_db_jwt` query parameter, else the unsuffixed
    /// `__clerk_db_jwt` cookie (as Clerk's Astro SDK reads it for redirects).
    pub(crate) fn dev_browser_token(&self) -> Option<String> {
        let query = self.uri.query().unwrap_or("");
        if let Some((_, value)) = url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, value)| name == crate::request::names::DEV_BROWSER && !value.is_empty())
        {
            return Some(value.into_owned());
        }
        let mut cookies = crate::cookies::Cookies::default();
        for value in &self.cookies {
            if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
                cookies.extend(value);
            }
        }
        cookies
            .get(crate::request::names::DEV_BROWSER)
            .filter(|v| !v.is_empty())
            .map(|v| v.into_owned())
    }
}

impl ClerkAuth {
    /// Signed in, signed out, or handshake.
    pub fn status(&self) -> AuthStatus {
        self.0.status
    }

    /// Whether a user is signed in with an active session (a `pending` session is not, unless
    /// configured otherwise; see [`ClerkBuilder::treat_pending_as_signed_out`](crate::ClerkBuilder::treat_pending_as_signed_out)).
    pub fn is_signed_in(&self) -> bool {
        self.0.authenticated
    }

    /// The verified machine token (API key, M2M or OAuth token), when one was accepted.
    pub fn machine(&self) -> Option<&crate::machine::MachineAuth> {
        self.0.machine.as_deref()
    }

    /// Signed in with a session, or authenticated with an accepted machine token.
    pub fn is_authenticated(&self) -> bool {
        self.0.authenticated || self.0.machine.is_some()
    }

    /// Why the request is not signed in (`None` when it is).
    pub fn reason(&self) -> Option<&AuthReason> {
        self.0.reason.as_ref()
    }

    /// Details about [`reason`](Self::reason), in Clerk's format.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The raw verified token, session or machine (Clerk's `getToken()` without a template).
    /// Treat it as a secret.
    pub fn token(&self) -> Option<&str> {
        if self.is_authenticated() {
            self.0.token.as_ref().map(TokenText::as_str)
        } else {
            None
        }
    }

    /// The kind of token presented.
    pub fn token_type(&self) -> Option<TokenType> {
        self.0.token_type
    }

    fn claims_if_signed_in(&self) -> Option<&SessionClaims> {
        if self.0.authenticated {
            self.0.claims.as_ref()
        } else {
            None
        }
    }

    /// The session claims of a signed-in request.
    pub fn claims(&self) -> Option<&SessionClaims> {
        self.claims_if_signed_in()
    }

    /// The user id (`sub`), when signed in.
    pub fn user_id(&self) -> Option<&str> {
        self.claims_if_signed_in().map(SessionClaims::user_id)
    }

    /// The session id (`sid`), when signed in.
    pub fn session_id(&self) -> Option<&str> {
        self.claims_if_signed_in()
            .and_then(SessionClaims::session_id)
    }

    /// The session status (`sts`): also set for a `pending` session, which counts as signed out.
    pub fn session_status(&self) -> Option<&SessionStatus> {
        self.0
            .claims
            .as_ref()
            .and_then(SessionClaims::session_status)
    }

    /// The impersonator (`act`), when an actor token was used.
    pub fn actor(&self) -> Option<&serde_json::Value> {
        self.claims_if_signed_in().and_then(SessionClaims::actor)
    }

    /// The active organization id.
    pub fn org_id(&self) -> Option<&str> {
        self.claims_if_signed_in().and_then(SessionClaims::org_id)
    }

    /// The role in the active organization, e.g. `org:admin`.
    pub fn org_role(&self) -> Option<&str> {
        self.claims_if_signed_in().and_then(SessionClaims::org_role)
    }

    /// The slug of the active organization.
    pub fn org_slug(&self) -> Option<&str> {
        self.claims_if_signed_in().and_then(SessionClaims::org_slug)
    }

    /// The permissions in the active organization, e.g. `org:invoices:read`.
    pub fn org_permissions(&self) -> Option<&[String]> {
        self.claims_if_signed_in()
            .and_then(SessionClaims::org_permissions)
    }

    /// Minutes since the first and second factor were verified (`fva`); `-1` means never.
    pub fn factor_verification_age(&self) -> Option<[i64; 2]> {
        self.claims_if_signed_in()
            .and_then(SessionClaims::factor_verification_age)
    }

    /// Clerk's `has()`: whether the signed-in user has the role, permission, feature, plan or
    /// recent verification asked for. Always `false` when signed out.
    pub fn has(&self, check: &Has) -> bool {
        self.claims_if_signed_in()
            .is_some_and(|claims| claims.has(check))
    }

    /// The [`Clerk`] instance that authenticated this request.
    pub fn clerk(&self) -> &Clerk {
        &self.0.clerk
    }
}

impl fmt::Debug for ClerkAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClerkAuth")
            .field("status", &self.0.status)
            .field("reason", &self.0.reason.as_ref().map(AuthReason::as_str))
            .field("token_type", &self.0.token_type)
            .field("user_id", &self.user_id())
            .field("session_id", &self.session_id())
            .field("org_id", &self.org_id())
            .field("token", &self.0.token.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_in_its_header_is_shared_not_copied() {
        let value = HeaderValue::from_static("Bearer  a.b.c ");
        let token = &value.as_bytes()[8..13];
        let text = TokenText::from_header(&value, token);
        assert!(matches!(
            text,
            TokenText::InHeader {
                start: 8,
                end: 13,
                ..
            }
        ));
        assert_eq!(text.as_str(), "a.b.c");
        // Equal bytes elsewhere are copied: only a slice of the value itself is shared.
        let elsewhere = b"a.b.c".to_vec();
        let text = TokenText::from_header(&value, &elsewhere);
        assert!(matches!(&text, TokenText::Copied(token) if token == "a.b.c"));
        let other = HeaderValue::from_static("a.b.c");
        let text = TokenText::from_header(&other, token);
        assert!(matches!(&text, TokenText::Copied(token) if token == "a.b.c"));
        assert_eq!(TokenText::from_header(&value, b"").as_str(), "");
    }
}
