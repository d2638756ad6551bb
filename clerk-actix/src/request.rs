//! `authenticateRequest`: turns an incoming request into a [`ClerkAuth`].
//!
//! This follows Clerk's decision procedure step by step (the letters in comments are the steps
//! of the behaviour spec's cookie flow), so a request gets the same state and reason here as
//! with Clerk's own SDKs.

use std::borrow::Cow;
use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::auth::{
    AuthReason, AuthState, AuthStatus, ClerkAuth, RequestInfo, TokenText, TokenType,
};
use crate::claims::{SessionClaims, SessionStatus, Verified};
use crate::config::{Clerk, ClerkOptions};
use crate::cookies::Cookies;
use crate::crypto::RsaAlgorithm;
use crate::error::{TokenCarrier, TokenErrorReason, TokenVerificationError};
use crate::handshake::{self, HandshakeFailure};
use crate::jwt::DecodedJwt;
use crate::keys::VerifyingKey;
use crate::machine::{self, AcceptsToken, MachineAuth, machine_token_type};
use crate::organization_sync::OrganizationSyncTarget;
use crate::payload::{Header, Payload};
use crate::publishable_key::InstanceType;
use crate::token_cache::{HeaderLookup, Lookup, MissTicket};
use crate::verify::{self, HeaderType};

/// Cookie and query names of Clerk's cookie protocol.
pub(crate) mod names {
    pub(crate) const SESSION: &str = "__session";
    pub(crate) const REFRESH: &str = "__refresh";
    pub(crate) const CLIENT_UAT: &str = "__client_uat";
    pub(crate) const HANDSHAKE: &str = "__clerk_handshake";
    pub(crate) const HANDSHAKE_NONCE: &str = "__clerk_handshake_nonce";
    pub(crate) const DEV_BROWSER: &str = "__clerk_db_jwt";
    pub(crate) const REDIRECT_COUNT: &str = "__clerk_redirect_count";
    pub(crate) const CLERK_SYNCED: &str = "__clerk_synced";
    pub(crate) const CLERK_REDIRECT_URL: &str = "__clerk_redirect_url";
}

/// The `Authorization` header, read as Clerk reads it.
#[derive(Debug, PartialEq, Eq)]
enum HeaderToken<'a> {
    /// No header, an empty token, or another scheme (`Basic …`): use the cookie flow.
    Absent,
    Token(&'a str),
    /// Present but unusable (not ASCII, repeated): signed out, never guessed at.
    Unreadable(&'static str),
}

fn header_token(headers: &HeaderMap) -> HeaderToken<'_> {
    let mut values = headers.get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return HeaderToken::Absent;
    };
    if values.next().is_some() {
        return HeaderToken::Unreadable("The Authorization header was sent more than once.");
    }
    let Some(value) = crate::header_text::visible_ascii(value) else {
        return HeaderToken::Unreadable("The Authorization header is not valid ASCII.");
    };
    // The space found as a byte: `split_once(' ')`'s general character search costs more than
    // the seven bytes it has to read here. A space is ASCII, so both sides are text.
    let token = match value.bytes().position(|b| b == b' ') {
        // Clerk accepts a bare token with no scheme.
        None => value,
        // RFC 9110: auth schemes are case-insensitive (Clerk compares `Bearer` case-sensitively;
        // accepting `bearer` is a deliberate, documented deviation).
        Some(at) if value[..at].eq_ignore_ascii_case("bearer") => value[at + 1..].trim(),
        Some(_) => return HeaderToken::Absent,
    };
    if token.is_empty() {
        HeaderToken::Absent
    } else {
        HeaderToken::Token(token)
    }
}

/// Where [`header_token`] would find a token, as raw bytes: no check that the value is text,
/// because the bytes are only looked up among verified tokens, and those are text. For such a
/// match the checks `header_token` skips here all pass: a verified token is base64url and dots,
/// a `Bearer` scheme is letters, and what is trimmed around the token is spaces and tabs only.
/// Returns the header's value too, which the token's text is later shared with.
fn header_token_bytes(headers: &HeaderMap) -> Option<(&HeaderValue, &[u8])> {
    let mut values = headers.get_all(header::AUTHORIZATION);
    let header = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let value = header.as_bytes();
    let token = match value.iter().position(|&b| b == b' ') {
        None => value,
        Some(at) if value[..at].eq_ignore_ascii_case(b"bearer") => {
            let token = &value[at + 1..];
            let start = token.iter().position(|&b| b != b' ' && b != b'\t')?;
            let end = token.iter().rposition(|&b| b != b' ' && b != b'\t')?;
            &token[start..=end]
        }
        Some(_) => return None,
    };
    Some((header, token))
}

/// The text of `token`, read from `req`'s `Authorization` header, shared with the header.
fn header_token_text(req: &HttpRequest, token: &[u8]) -> TokenText {
    match req.headers().get(header::AUTHORIZATION) {
        Some(value) => TokenText::from_header(value, token),
        None => TokenText::Copied(String::from_utf8_lossy(token).into_owned()),
    }
}

/// The request as Clerk's `authenticateContext` sees it.
pub(crate) struct Context<'r> {
    pub(crate) options: &'r ClerkOptions,
    pub(crate) req: &'r HttpRequest,
    pub(crate) info: &'r RequestInfo,
    header_token: Option<&'r str>,
    cookies: Cookies<'r>,
    query: Vec<(Cow<'r, str>, Cow<'r, str>)>,
    pub(crate) instance: InstanceType,
    pub(crate) suffixed: bool,
    now_ms: f64,
}

impl<'r> Context<'r> {
    fn new(
        options: &'r ClerkOptions,
        req: &'r HttpRequest,
        info: &'r RequestInfo,
        header_token: Option<&'r str>,
    ) -> Self {
        let mut cookies = Cookies::default();
        for value in req.headers().get_all(header::COOKIE) {
            // A cookie header that is not UTF-8 is ignored as a whole: it cannot carry a token.
            if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
                cookies.extend(value);
            }
        }
        let query = url::form_urlencoded::parse(req.query_string().as_bytes()).collect();
        let now_ms = verify::now_ms(options.now());
        let mut ctx = Self {
            options,
            req,
            info,
            header_token,
            cookies,
            query,
            instance: options.instance_type().unwrap_or(InstanceType::Production),
            suffixed: false,
            now_ms,
        };
        ctx.suffixed = ctx.uses_suffixed_cookies();
        ctx
    }

    fn header(&self, name: impl header::AsHeaderName) -> Option<&'r str> {
        self.req.headers().get(name).and_then(|v| v.to_str().ok())
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }

    fn cookie(&self, name: &str) -> Option<Cow<'r, str>> {
        self.cookies.get(name).filter(|v| !v.is_empty())
    }

    fn query_or_cookie(&self, name: &str) -> Option<Cow<'_, str>> {
        self.query(name)
            .filter(|v| !v.is_empty())
            .map(|v| Cow::Owned(v.to_owned()))
            .or_else(|| self.cookie(name))
    }

    /// Clerk's `sessionToken`: the cookie token, else the header token.
    pub(crate) fn session_token(&self) -> Option<Cow<'_, str>> {
        self.session_token_in_cookie()
            .or_else(|| self.header_token.map(Cow::Borrowed))
    }

    pub(crate) fn handshake_token(&self) -> Option<Cow<'_, str>> {
        self.query_or_cookie(names::HANDSHAKE)
    }

    pub(crate) fn handshake_nonce(&self) -> Option<Cow<'_, str>> {
        self.query_or_cookie(names::HANDSHAKE_NONCE)
    }

    /// What the URL asks to activate (organization sync), from the request path.
    pub(crate) fn organization_sync_target(&self) -> Option<OrganizationSyncTarget> {
        let matcher = self.options.organization_sync.as_ref()?;
        let path = self
            .info
            .url()
            .map_or_else(|| self.req.path().to_owned(), |u| u.path().to_owned());
        matcher.find_target(&path)
    }

    /// The Frontend API as a host or URL (a relative proxy URL is resolved against the request).
    pub(crate) fn frontend_api(&self) -> String {
        frontend_api(self.options, self.info)
    }

    fn pick(&self, name: &str) -> Option<Cow<'r, str>> {
        self.cookies
            .pick(name, self.options.cookie_suffix(), self.suffixed)
            .filter(|v| !v.is_empty())
    }

    fn session_token_in_cookie(&self) -> Option<Cow<'r, str>> {
        self.pick(names::SESSION)
    }

    pub(crate) fn refresh_token_in_cookie(&self) -> Option<Cow<'r, str>> {
        self.cookies
            .suffixed(names::REFRESH, self.options.cookie_suffix())
            .filter(|v| !v.is_empty())
    }

    /// `parseInt(__client_uat) || 0`
    fn client_uat(&self) -> f64 {
        self.pick(names::CLIENT_UAT)
            .map_or(0.0, |v| js_parse_int(&v))
    }

    pub(crate) fn dev_browser_token(&self) -> Option<Cow<'_, str>> {
        self.query(names::DEV_BROWSER)
            .filter(|v| !v.is_empty())
            .map(|v| Cow::Owned(v.to_owned()))
            .or_else(|| self.pick(names::DEV_BROWSER))
    }

    /// `Number(__clerk_redirect_count) || 0`
    fn redirect_loop_counter(&self) -> f64 {
        self.cookies
            .get(names::REDIRECT_COUNT)
            .and_then(|v| {
                let v = v.trim();
                if v.is_empty() {
                    Some(0.0)
                } else {
                    v.parse::<f64>().ok()
                }
            })
            .filter(|n| n.is_finite())
            .unwrap_or(0.0)
    }

    fn sec_fetch_dest(&self) -> Option<&'r str> {
        self.header(crate::header_text::SEC_FETCH_DEST)
    }

    fn is_get(&self) -> bool {
        self.req.method() == actix_web::http::Method::GET
    }

    /// Clerk's `isRequestEligibleForHandshake`.
    fn eligible_for_handshake(&self) -> bool {
        // An empty `Sec-Fetch-Dest` counts as absent, as in Clerk (`!secFetchDest`).
        self.is_get()
            && match self.sec_fetch_dest().filter(|dest| !dest.is_empty()) {
                Some(dest) => dest == "document" || dest == "iframe",
                None => self
                    .header(header::ACCEPT)
                    .is_some_and(|a| a.starts_with("text/html")),
            }
    }

    /// Clerk's `usesSuffixedCookies()` (spec §1.4).
    fn uses_suffixed_cookies(&self) -> bool {
        let suffix = self.options.cookie_suffix();
        let suffixed_uat = self.cookies.suffixed(names::CLIENT_UAT, suffix);
        let uat = self.cookies.get(names::CLIENT_UAT);
        let suffixed_session = self
            .cookies
            .suffixed(names::SESSION, suffix)
            .unwrap_or_default();
        let session = self.cookies.get(names::SESSION).unwrap_or_default();
        let frontend_api = self
            .options
            .publishable_key
            .as_ref()
            .map_or("", |pk| pk.frontend_api());

        let session_claims = (!session.is_empty()).then(|| decode_payload(&session));
        if let Some(claims) = &session_claims {
            let iss = claims.as_ref().and_then(|c| c.get("iss"));
            if !iss.is_some_and(js_truthy) {
                return false;
            }
            let belongs = iss
                .and_then(Value::as_str)
                .is_some_and(|iss| strip_http_schemes(iss) == frontend_api);
            if !belongs {
                return true;
            }
        }
        let has_suffixed_uat = suffixed_uat.as_deref().is_some_and(|v| !v.is_empty());
        if !has_suffixed_uat && suffixed_session.is_empty() {
            return false;
        }
        let is_zero = |v: &Option<Cow<'_, str>>| v.as_deref() == Some("0");
        let suffixed_claims = (!suffixed_session.is_empty())
            .then(|| decode_payload(&suffixed_session))
            .flatten();
        let iat_of = |claims: Option<&Payload>| {
            claims
                .and_then(|c| c.get("iat"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        };
        let session_iat = iat_of(session_claims.as_ref().and_then(Option::as_ref));
        let suffixed_iat = iat_of(suffixed_claims.as_ref());
        if !is_zero(&suffixed_uat) && !is_zero(&uat) && session_iat > suffixed_iat {
            return false;
        }
        if is_zero(&suffixed_uat) && !is_zero(&uat) {
            return false;
        }
        if self.instance != InstanceType::Production && !is_zero(&suffixed_uat) && is_zero(&uat) {
            let expired = suffixed_claims
                .as_ref()
                .and_then(|c| c.get("exp"))
                .and_then(Value::as_f64)
                .is_some_and(|exp| exp <= (self.now_ms / 1000.0).floor());
            if expired {
                return false;
            }
        }
        if !has_suffixed_uat && !suffixed_session.is_empty() {
            return false;
        }
        true
    }
}

fn decode_payload(token: &str) -> Option<Payload> {
    DecodedJwt::decode(token).ok().map(|jwt| jwt.payload)
}

fn js_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `iss.replace(/https?:\/\//gi, '')`
fn strip_http_schemes(iss: &str) -> String {
    let mut out = String::with_capacity(iss.len());
    let mut rest = iss;
    while !rest.is_empty() {
        // Compared as bytes: `rest` may start with a character wider than one byte, where a
        // string slice of the prefix's length would end inside it (and panic). A match is all
        // ASCII, so cutting it off below lands on a character boundary.
        let lower_prefix = |p: &str| {
            rest.as_bytes()
                .get(..p.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(p.as_bytes()))
        };
        if lower_prefix("https://") {
            rest = &rest[8..];
        } else if lower_prefix("http://") {
            rest = &rest[7..];
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// JavaScript's `parseInt(value)` (decimal), with `NaN` as 0.
fn js_parse_int(value: &str) -> f64 {
    let s = value.trim_start();
    let (sign, digits) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    digits[..end].parse::<f64>().map_or(0.0, |n| sign * n)
}

/// The pieces of a request state before it is wrapped into a [`ClerkAuth`].
pub(crate) struct Outcome {
    pub(crate) status: AuthStatus,
    pub(crate) reason: Option<AuthReason>,
    pub(crate) message: Option<String>,
    pub(crate) token: Option<TokenText>,
    pub(crate) claims: Option<SessionClaims>,
    pub(crate) token_type: Option<TokenType>,
    pub(crate) machine: Option<Box<MachineAuth>>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Outcome {
    pub(crate) fn signed_out(reason: AuthReason, message: impl Into<String>) -> Self {
        Self {
            status: AuthStatus::SignedOut,
            reason: Some(reason),
            message: Some(message.into()).filter(|m: &String| !m.is_empty()),
            token: None,
            claims: None,
            token_type: Some(TokenType::SessionToken),
            machine: None,
            headers: Vec::new(),
        }
    }

    /// Signed out with an explicit token type (machine flows report the type asked for).
    fn signed_out_as(
        token_type: Option<TokenType>,
        reason: AuthReason,
        message: impl Into<String>,
    ) -> Self {
        Self {
            token_type,
            ..Self::signed_out(reason, message)
        }
    }

    fn signed_in(claims: SessionClaims, token: TokenText) -> Self {
        Self {
            status: AuthStatus::SignedIn,
            reason: None,
            message: None,
            token: Some(token),
            claims: Some(claims),
            token_type: Some(TokenType::SessionToken),
            machine: None,
            headers: Vec::new(),
        }
    }

    fn token_error(err: &TokenVerificationError, carrier: TokenCarrier) -> Self {
        Self::signed_out(AuthReason::Token(err.reason()), err.full_message(carrier))
    }
}

/// What [`authenticate_now`] found: the whole answer, or where [`authenticate`] takes over.
pub(crate) enum Now {
    /// Signed in by the session token in the `Authorization` header.
    SignedIn(ClerkAuth),
    /// Signed out by it, with nothing left to wait for: a verified token whose claims Clerk's
    /// layout cannot read. (The state carries debug headers, so the middleware's async path
    /// sends it.)
    SignedOut(ClerkAuth),
    /// The async path decides; `Some`: the header token's verification, already done.
    Later(Option<HeaderVerification>),
}

/// The result of verifying the `Authorization` header's session token (`verifyToken`).
pub(crate) type HeaderVerification = Result<Verified, TokenVerificationError>;

/// Authenticates `req` without waiting when its `Authorization` header carries a session token
/// that verifies with a key at hand: the path of nearly every API request. A token in the
/// verified-token cache that passes the time checks now skips decoding and verification too.
/// Anything else goes to [`authenticate`], with the verification if one was done (so a failed
/// token is never verified twice).
pub(crate) fn authenticate_now(clerk: &Arc<Clerk>, req: &HttpRequest) -> Now {
    // A guard, not an `Arc` clone: nothing here waits, and the shared count stays untouched.
    let options = clerk.options();
    // Every accepted-kinds setting that takes session tokens sends a token that is not a
    // machine token to the header flow, and a cached session token never looks like one.
    if !options.accepts_token.accepts(TokenType::SessionToken) {
        return Now::Later(None);
    }
    let Some((header_value, bytes)) = header_token_bytes(req.headers()) else {
        return Now::Later(None);
    };
    // A satellite's per-request check of its sign-in URL comes first (`authenticate_with`).
    if satellite_sign_in_url_problem(&options, req).is_some() {
        return Now::Later(None);
    }
    let now_ms = verify::now_ms(options.now());
    let finished = |outcome: Outcome| {
        finish(
            Arc::clone(clerk),
            &options,
            outcome,
            RequestInfo::from_request(req),
        )
    };
    let cached =
        options
            .token_cache
            .session_claims(bytes, &options.keys, &options.validation, now_ms);
    if let HeaderLookup::Hit(claims) = cached {
        let token = TokenText::from_header(header_value, bytes);
        return Now::SignedIn(finished(Outcome::signed_in(claims, token)));
    }
    // The same token `header_flow` would take, or nothing to do here.
    let HeaderToken::Token(token) = header_token(req.headers()) else {
        return Now::Later(None);
    };
    let miss = cached.ticket(token);
    // As in `authenticate_with`: a route that takes only session tokens sends every header token
    // to the header flow; with other token kinds accepted, a machine token goes elsewhere.
    let only_sessions = matches!(
        options.accepts_token,
        AcceptsToken::Only(TokenType::SessionToken)
    );
    if !only_sessions && machine_token_type(token).is_some() {
        return Now::Later(None);
    }
    match header_verification_now(&options, token, miss) {
        Some(Ok(verified)) => {
            // The same header: `header_token` reads its only value, as `header_token_bytes` did.
            let token = || TokenText::from_header(header_value, token.as_bytes());
            let outcome = signed_in_or_invalid(verified, token, TokenCarrier::Header);
            match outcome.status {
                AuthStatus::SignedIn => Now::SignedIn(finished(outcome)),
                _ => Now::SignedOut(finished(outcome)),
            }
        }
        verification => Now::Later(verification),
    }
}

/// Authenticates `req` against `clerk`'s configuration, for a request that
/// [`authenticate_now`] did not answer.
pub(crate) async fn authenticate(
    clerk: &Arc<Clerk>,
    req: &HttpRequest,
    verified: Option<HeaderVerification>,
) -> ClerkAuth {
    let options = clerk.options_arc();
    let info = RequestInfo::from_request(req);
    let outcome = authenticate_with(&options, req, &info, verified).await;
    finish(Arc::clone(clerk), &options, outcome, info)
}

async fn authenticate_with(
    options: &ClerkOptions,
    req: &HttpRequest,
    info: &RequestInfo,
    verified: Option<HeaderVerification>,
) -> Outcome {
    if let Some(problem) = satellite_sign_in_url_problem(options, req) {
        tracing::error!(
            target: "clerk_actix",
            "Clerk: {problem} A satellite app's sign-in URL must be an absolute URL on the primary domain's origin."
        );
        return Outcome::signed_out(AuthReason::UnexpectedError, problem);
    }
    let accepts = &options.accepts_token;
    let header = header_token(req.headers());
    if let AcceptsToken::AnyOf(accepted) = accepts {
        let presented = match header {
            HeaderToken::Token(token) => {
                machine_token_type(token).unwrap_or(TokenType::SessionToken)
            }
            _ => TokenType::SessionToken,
        };
        if !accepted.contains(&presented) {
            // Clerk's `signedOutInvalidToken()`: no token type at all.
            return Outcome::signed_out_as(None, AuthReason::TokenTypeMismatch, "");
        }
    }
    match header {
        HeaderToken::Token(token) => match accepts {
            AcceptsToken::Only(TokenType::SessionToken) => {
                header_flow(options, req, info, token, verified).await
            }
            AcceptsToken::Only(expected) => machine_header_flow(options, *expected, token).await,
            _ => match machine_token_type(token) {
                Some(presented) => verify_machine(options, presented, token).await,
                None => header_flow(options, req, info, token, verified).await,
            },
        },
        HeaderToken::Unreadable(why) => Outcome::signed_out(
            AuthReason::Token(TokenErrorReason::TokenInvalid),
            format!("{why} (reason=token-invalid, token-carrier=header)"),
        ),
        HeaderToken::Absent => match accepts {
            AcceptsToken::Only(expected) if *expected != TokenType::SessionToken => {
                Outcome::signed_out_as(Some(*expected), AuthReason::NoTokenInHeader, "")
            }
            _ => {
                let ctx = Context::new(options, req, info, None);
                cookie_flow(&ctx).await
            }
        },
    }
}

/// Spec §1.5: a satellite app checks its sign-in URL against the `Origin` of every request that
/// sends one (unless only M2M tokens are accepted): it must be absolute and on another origin.
/// Clerk throws here, failing the request with a 500; this signs the request out with
/// `unexpected-error` and the problem as the message instead (and logs it).
fn satellite_sign_in_url_problem(
    options: &ClerkOptions,
    req: &HttpRequest,
) -> Option<&'static str> {
    if !options.is_satellite
        || matches!(
            options.accepts_token,
            AcceptsToken::Only(TokenType::M2mToken)
        )
    {
        return None;
    }
    let sign_in_url = options.sign_in_url.as_deref()?;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| !origin.is_empty())?;
    let Ok(sign_in_url) = Url::parse(sign_in_url) else {
        return Some("The signInUrl needs to have a absolute url format.");
    };
    (sign_in_url.origin().ascii_serialization().as_bytes() == origin.as_bytes()).then_some(
        "The signInUrl needs to be on a different origin than your satellite application.",
    )
}

/// Spec §4: the route accepts exactly one kind of machine token.
async fn machine_header_flow(options: &ClerkOptions, expected: TokenType, token: &str) -> Outcome {
    match machine_token_type(token) {
        Some(presented) if presented == expected => verify_machine(options, presented, token).await,
        _ => Outcome::signed_out_as(Some(expected), AuthReason::TokenTypeMismatch, ""),
    }
}

async fn verify_machine(options: &ClerkOptions, presented: TokenType, token: &str) -> Outcome {
    // Boxed: the Backend API round trip's state would otherwise be carried, unused, by every
    // request's future (see `authenticate`).
    match Box::pin(machine::verify(options, token, presented)).await {
        Ok(machine) => Outcome {
            status: AuthStatus::SignedIn,
            reason: None,
            message: None,
            token: Some(TokenText::Copied(token.to_owned())),
            claims: None,
            token_type: Some(machine.token_type),
            machine: Some(Box::new(machine)),
            headers: Vec::new(),
        },
        Err(err) => Outcome::signed_out_as(
            Some(err.token_type),
            AuthReason::Machine(Cow::Borrowed(err.code)),
            err.full_message(),
        ),
    }
}

/// Spec §1.7: a session token in the `Authorization` header.
async fn header_flow(
    options: &ClerkOptions,
    req: &HttpRequest,
    info: &RequestInfo,
    token: &str,
    verified: Option<HeaderVerification>,
) -> Outcome {
    let verified = match verified {
        Some(verified) => verified,
        None => {
            let StepOne::SessionToken(decoded) = header_step_one(token) else {
                return Outcome::signed_out(AuthReason::TokenTypeMismatch, "");
            };
            verify_decoded_session_token(options, token, decoded, None).await
        }
    };
    match verified {
        Ok(claims) => {
            let token = || header_token_text(req, token.as_bytes());
            signed_in_or_invalid(claims, token, TokenCarrier::Header)
        }
        Err(err) => {
            let ctx = Context::new(options, req, info, Some(token));
            handle_session_token_error(&ctx, &err, TokenCarrier::Header).await
        }
    }
}

/// Step 1 of the header flow: machine tokens and non-session categories (JWT templates) are not
/// session tokens. The token is decoded once, here, for the verification that follows.
fn header_step_one(token: &str) -> StepOne<'_> {
    match DecodedJwt::decode(token).ok() {
        Some(jwt) if is_other_token_kind(&jwt) => StepOne::OtherKind,
        decoded => StepOne::SessionToken(decoded),
    }
}

/// What step 1 of the header flow decided. (Not boxed: it lives for one `match`, and the
/// decoded token moves on unboxed.)
#[allow(clippy::large_enum_variant)]
enum StepOne<'t> {
    /// Verify it as a session token (decoded already, if it decodes).
    SessionToken(Option<DecodedJwt<'t>>),
    /// A machine JWT or another category: `token-type-mismatch`.
    OtherKind,
}

/// [`header_flow`]'s verification when it needs no waiting (the key is at hand). `None`: step 1
/// turned the token away, or its key must be fetched; the async path does that.
/// `miss`: the cache was asked already and does not hold the token.
fn header_verification_now<'t>(
    options: &ClerkOptions,
    token: &'t str,
    miss: Option<MissTicket<'t>>,
) -> Option<HeaderVerification> {
    let StepOne::SessionToken(decoded) = header_step_one(token) else {
        return None;
    };
    verify_without_fetch(options, token, decoded, &options.validation, miss).ok()
}

/// Step 1 of the header flow: an OAuth or M2M JWT, or a category other than session token.
/// (The verified-token cache records it too, so a cached header token can skip step 1.)
fn is_other_token_kind(jwt: &DecodedJwt<'_>) -> bool {
    jwt.is_oauth_jwt() || jwt.is_m2m_jwt() || jwt.has_non_session_category()
}

/// Full verification of a session token: signature, claims, then Clerk's claim layout.
pub(crate) async fn verify_session_token(
    options: &ClerkOptions,
    token: &str,
) -> HeaderVerification {
    verify_session_token_with(options, token, None).await
}

/// [`verify_session_token`] with another clock skew (the development handshake retries with 24 h).
/// Every session-token verification goes through here, and through the verified-token cache:
/// a cached success is re-checked against the clock with this call's skew.
pub(crate) async fn verify_session_token_with(
    options: &ClerkOptions,
    token: &str,
    clock_skew: Option<std::time::Duration>,
) -> HeaderVerification {
    verify_decoded_session_token(options, token, None, clock_skew).await
}

/// [`verify_session_token_with`] for a token the caller may have decoded already (`decoded`
/// must be `token` decoded), so a request decodes its token once.
async fn verify_decoded_session_token<'t>(
    options: &ClerkOptions,
    token: &'t str,
    decoded: Option<DecodedJwt<'t>>,
    clock_skew: Option<std::time::Duration>,
) -> HeaderVerification {
    let skewed;
    let validation = match clock_skew {
        None => &options.validation,
        Some(clock_skew) => {
            skewed = verify::TokenValidation {
                clock_skew,
                ..options.validation.clone()
            };
            &skewed
        }
    };
    match verify_without_fetch(options, token, decoded, validation, None) {
        Ok(verified) => verified,
        Err(needs_key) => {
            let key = options.keys.resolve(needs_key.kid()).await?;
            needs_key.verify_with(options, &key, validation)
        }
    }
}

/// A verification that stopped because its key is not at hand: what it resumes with.
struct NeedsKey<'t> {
    ticket: MissTicket<'t>,
    jwt: DecodedJwt<'t>,
    alg: RsaAlgorithm,
    /// The token's header, shared with `jwt` (which verification consumes): its `kid`.
    header: Arc<Header>,
    session_kind: bool,
}

impl NeedsKey<'_> {
    fn kid(&self) -> Option<&str> {
        self.header.get_str("kid")
    }

    fn verify_with(
        self,
        options: &ClerkOptions,
        key: &VerifyingKey,
        validation: &verify::TokenValidation,
    ) -> HeaderVerification {
        let now = verify::now_ms(options.now());
        let Self {
            ticket,
            jwt,
            alg,
            header,
            session_kind,
        } = self;
        let payload = verify::verify_signature_and_claims(jwt, alg, key, validation, now)?;
        let kid = header.get_str("kid");
        let cache = &options.token_cache;
        cache.store(ticket, &options.keys, kid, &payload, session_kind, now);
        Ok(Verified::Decoded(payload))
    }
}

/// [`verify_decoded_session_token`] up to the point where it would wait for a key: the whole
/// verification when the key is at hand (a PEM key, or a JWKS key fetched before). `miss`: the
/// cache was asked already and does not hold the token.
fn verify_without_fetch<'t>(
    options: &ClerkOptions,
    token: &'t str,
    decoded: Option<DecodedJwt<'t>>,
    validation: &verify::TokenValidation,
    miss: Option<MissTicket<'t>>,
) -> Result<HeaderVerification, Box<NeedsKey<'t>>> {
    let ticket = match miss {
        Some(ticket) => ticket,
        None => {
            let now = verify::now_ms(options.now());
            match options
                .token_cache
                .lookup(token, &options.keys, validation, now)
            {
                Lookup::Hit(result) => return Ok(result),
                Lookup::Miss(ticket) => ticket,
            }
        }
    };
    let prechecked = match decoded {
        Some(jwt) => verify::check_size(token, validation)
            .and_then(|()| verify::precheck_decoded(jwt, HeaderType::Jwt)),
        None => verify::precheck(token, validation, HeaderType::Jwt),
    };
    let (jwt, alg) = match prechecked {
        Ok(checked) => checked,
        Err(err) => return Ok(Err(err)),
    };
    let header = Arc::clone(&jwt.header);
    let session_kind = !is_other_token_kind(&jwt);
    let needs_key = NeedsKey {
        ticket,
        jwt,
        alg,
        header,
        session_kind,
    };
    match options.keys.cached(needs_key.kid()) {
        Some(key) => Ok(needs_key.verify_with(options, &key, validation)),
        // Boxed: only a key that must be fetched comes this way.
        None => Err(Box::new(needs_key)),
    }
}

/// The state of a verified token: signed in, or `token-invalid` when Clerk's claim layout
/// cannot read its claims. `token` gives its text (asked for only when signed in).
pub(crate) fn signed_in_or_invalid(
    verified: Verified,
    token: impl FnOnce() -> TokenText,
    carrier: TokenCarrier,
) -> Outcome {
    match verified.into_claims() {
        Ok(claims) => Outcome::signed_in(claims, token()),
        // Upstream throws here (a 500); a token whose claims cannot be read is treated as invalid.
        Err(err) => Outcome::signed_out(
            AuthReason::Token(TokenErrorReason::TokenInvalid),
            format!(
                "Invalid session token claims: {err}. (reason=token-invalid, token-carrier={})",
                carrier.as_str()
            ),
        ),
    }
}

/// Spec §1.8: the session in cookies (browsers).
async fn cookie_flow(ctx: &Context<'_>) -> Outcome {
    let options = ctx.options;
    let development = ctx.instance == InstanceType::Development;
    let client_uat = ctx.client_uat();
    let has_active_client = client_uat != 0.0;
    let session_token = ctx.session_token_in_cookie();
    let has_session_token = session_token.is_some();
    let has_dev_browser = ctx.dev_browser_token().is_some();

    // A: a handshake answer (token or nonce) sets the cookies and decides the state.
    if ctx.handshake_nonce().is_some() || ctx.handshake_token().is_some() {
        match Box::pin(handshake::resolve(ctx)).await {
            Ok(outcome) => return outcome,
            Err(HandshakeFailure::Development(err)) => {
                // Clerk fails the whole request here; a signed-out state that says why is safer.
                tracing::error!(reason = %err.reason(), error = %err, "Clerk: Handshake token verification failed");
                let message = if err.reason() == TokenErrorReason::TokenInvalidSignature {
                    // Clerk's hint for the usual cause: cookies left over from other keys.
                    "Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".to_owned()
                } else {
                    format!(
                        "Clerk: Handshake token verification failed: {err} (reason={}, token-carrier=cookie)",
                        err.reason()
                    )
                };
                return Outcome::signed_out(AuthReason::Token(err.reason()), message);
            }
            Err(HandshakeFailure::Continue(err)) => {
                tracing::error!(error = %err, "Clerk: unable to resolve handshake");
            }
        }
    }

    // B-D: satellite sync.
    let md_eligible =
        options.is_satellite && ctx.sec_fetch_dest() == Some("document") && ctx.is_get();
    let synced = ctx.query(names::CLERK_SYNCED);
    let needs_sync = synced == Some("false");
    let sync_done = synced == Some("true");
    let has_cookies = has_session_token || has_active_client;
    let skip_satellite = !options.satellite_auto_sync && !has_cookies && !needs_sync;
    if md_eligible && !sync_done {
        if skip_satellite {
            return Outcome::signed_out(AuthReason::SessionTokenAndUatMissing, "");
        }
        if !has_cookies || needs_sync {
            // C (production): through the Frontend API. D (development): to the primary's sign-in page.
            let location = if development {
                let Some(location) = options.sign_in_url.as_deref().and_then(|sign_in| {
                    let mut url = ctx
                        .info
                        .url()
                        .and_then(|current| current.join(sign_in).ok())?;
                    url.query_pairs_mut()
                        .append_pair(names::CLERK_REDIRECT_URL, ctx.info.url()?.as_str());
                    Some(String::from(url))
                }) else {
                    return Outcome::signed_out(AuthReason::SatelliteNeedsSyncing, "");
                };
                Some(location)
            } else {
                None
            };
            return handle_maybe_handshake_to(
                ctx,
                AuthReason::SatelliteNeedsSyncing,
                String::new(),
                location,
            );
        }
    }
    // E: a development primary answering a satellite's sync request.
    if development
        && !options.is_satellite
        && let Some(redirect_url) = ctx.query(names::CLERK_REDIRECT_URL)
    {
        let Ok(mut back) = Url::parse(redirect_url) else {
            return Outcome::signed_out(AuthReason::PrimaryRespondsToSyncing, "");
        };
        if let Some(dev_browser) = ctx.dev_browser_token() {
            back.query_pairs_mut()
                .append_pair(names::DEV_BROWSER, &dev_browser);
        }
        let back = crate::handshake::without_query(&back, &[names::CLERK_SYNCED]);
        let mut back = back;
        back.query_pairs_mut()
            .append_pair(names::CLERK_SYNCED, "true");
        return handle_maybe_handshake_to(
            ctx,
            AuthReason::PrimaryRespondsToSyncing,
            String::new(),
            Some(back.into()),
        );
    }
    // F-G: the development browser token.
    if development && ctx.query.iter().any(|(k, _)| k == names::DEV_BROWSER) {
        return handle_maybe_handshake(ctx, AuthReason::DevBrowserSync, String::new());
    }
    if development && !has_dev_browser {
        return handle_maybe_handshake(ctx, AuthReason::DevBrowserMissing, String::new());
    }
    // H-J
    let Some(token) = session_token else {
        if !has_active_client {
            return Outcome::signed_out(AuthReason::SessionTokenAndUatMissing, "");
        }
        return handle_maybe_handshake(ctx, AuthReason::ClientUatButNoSessionToken, String::new());
    };
    if !has_active_client {
        return handle_maybe_handshake(ctx, AuthReason::SessionTokenButNoClientUat, String::new());
    }
    // K-L
    let decoded = match DecodedJwt::decode(&token) {
        Ok(decoded) => decoded,
        Err(err) => return handle_session_token_error(ctx, &err, TokenCarrier::Cookie).await,
    };
    if decoded.is_oauth_jwt() || decoded.is_m2m_jwt() || decoded.has_non_session_category() {
        return Outcome::signed_out(AuthReason::TokenTypeMismatch, "");
    }
    // M: a token issued before the client's last sign-in/out is stale.
    let iat = decoded.payload.get("iat").and_then(Value::as_f64);
    if iat.is_some_and(|iat| iat < client_uat) {
        return handle_maybe_handshake(
            ctx,
            AuthReason::SessionTokenIatBeforeClientUat,
            String::new(),
        );
    }
    drop(decoded);
    // N-O
    let verified = match verify_session_token(options, &token).await {
        Ok(verified) => verified,
        Err(err) => return handle_session_token_error(ctx, &err, TokenCarrier::Cookie).await,
    };
    if !verified.contains_key("azp") {
        warn_missing_azp_once();
    }
    let text = || TokenText::Copied(token.as_ref().to_owned());
    let state = signed_in_or_invalid(verified, text, TokenCarrier::Cookie);
    if state.status != AuthStatus::SignedIn {
        return state;
    }
    // P: a document request arriving from another origin must sync cookies via a handshake.
    if !options.is_satellite
        && ctx.is_get()
        && ctx.sec_fetch_dest() == Some("document")
        && ctx.redirect_loop_counter() == 0.0
        && is_cross_origin_referrer(ctx)
        && !is_known_clerk_referrer(ctx)
    {
        return handle_maybe_handshake(
            ctx,
            AuthReason::PrimaryDomainCrossOriginSync,
            "Cross-origin request from satellite domain requires handshake".to_owned(),
        );
    }
    // Q: the URL names another organization than the active one.
    if let Some(claims) = &state.claims
        && let Some(handshake) = organization_sync_handshake(ctx, claims)
    {
        return handshake;
    }
    state
}

/// Spec §1.13: a handshake that activates the organization the URL names, if it differs.
fn organization_sync_handshake(ctx: &Context<'_>, claims: &SessionClaims) -> Option<Outcome> {
    let target = ctx.organization_sync_target()?;
    let must_activate = match &target {
        OrganizationSyncTarget::OrganizationSlug(slug) => claims.org_slug() != Some(slug.as_str()),
        OrganizationSyncTarget::OrganizationId(id) => claims.org_id() != Some(id.as_str()),
        OrganizationSyncTarget::PersonalAccount => claims.org_id().is_some(),
    };
    if !must_activate {
        return None;
    }
    if ctx.redirect_loop_counter() >= 3.0 {
        tracing::warn!(
            "Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation."
        );
        return None;
    }
    let outcome =
        handle_maybe_handshake(ctx, AuthReason::ActiveOrganizationMismatch, String::new());
    (outcome.status == AuthStatus::Handshake).then_some(outcome)
}

fn warn_missing_azp_once() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            "clerk-actix: session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning."
        );
    });
}

/// Spec §1.12.
async fn handle_session_token_error(
    ctx: &Context<'_>,
    err: &TokenVerificationError,
    carrier: TokenCarrier,
) -> Outcome {
    let message = err.full_message(carrier);
    let refresh_error: Cow<'static, str> = if err.reason() == TokenErrorReason::TokenExpired
        && ctx.refresh_token_in_cookie().is_some()
        && ctx.is_get()
    {
        match Box::pin(handshake::refresh(ctx)).await {
            Ok(refreshed) => {
                let token = || TokenText::Copied(refreshed.token.clone());
                let mut outcome =
                    signed_in_or_invalid(refreshed.verified, token, TokenCarrier::Cookie);
                outcome.headers.extend(refreshed.headers);
                return outcome;
            }
            Err(reason) => Cow::Owned(reason),
        }
    } else if !ctx.is_get() {
        Cow::Borrowed("non-eligible-non-get")
    } else {
        Cow::Borrowed("non-eligible-no-refresh-cookie")
    };
    let reason = match err.reason() {
        TokenErrorReason::TokenExpired => AuthReason::SessionTokenExpired { refresh_error },
        TokenErrorReason::TokenNotActiveYet => AuthReason::SessionTokenNbf,
        TokenErrorReason::TokenIatInTheFuture => AuthReason::SessionTokenIatInTheFuture,
        _ => return Outcome::token_error(err, carrier),
    };
    handle_maybe_handshake(ctx, reason, message)
}

/// Spec §1.6: a handshake for browsers that can follow one, signed out for everyone else.
fn handle_maybe_handshake(ctx: &Context<'_>, reason: AuthReason, message: String) -> Outcome {
    handle_maybe_handshake_to(ctx, reason, message, None)
}

/// Like [`handle_maybe_handshake`], redirecting to `location` instead of the Frontend API.
fn handle_maybe_handshake_to(
    ctx: &Context<'_>,
    reason: AuthReason,
    message: String,
    location: Option<String>,
) -> Outcome {
    if !ctx.eligible_for_handshake() {
        return Outcome::signed_out(reason, message);
    }
    let location = location.or_else(|| handshake::handshake_url(ctx, &reason.as_str()));
    // Without a usable request URL there is nowhere to come back to: signed out, not a loop.
    let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) else {
        return Outcome::signed_out(reason, message);
    };
    let counter = ctx.redirect_loop_counter();
    if counter == 3.0 {
        if reason == AuthReason::SatelliteNeedsSyncing {
            tracing::warn!(
                "Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Make sure the configured primary or satellite domain matches the URL the app is served on (preview deployments need their own satellite configuration)."
            );
        } else {
            tracing::warn!(
                "Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard."
            );
        }
        return Outcome::signed_out(reason, message);
    }
    let mut outcome = Outcome::signed_out(reason, message);
    outcome.status = AuthStatus::Handshake;
    let loop_cookie = format!(
        "{}={}; SameSite=Lax; HttpOnly; Max-Age=2",
        names::REDIRECT_COUNT,
        counter + 1.0
    );
    outcome.headers.push((header::LOCATION, location));
    outcome
        .headers
        .push((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if let Ok(cookie) = HeaderValue::from_str(&loop_cookie) {
        outcome.headers.push((header::SET_COOKIE, cookie));
    }
    outcome
}

/// `referer` present and of another origin than the request.
fn is_cross_origin_referrer(ctx: &Context<'_>) -> bool {
    let Some(referer) = ctx.header(header::REFERER).and_then(|r| Url::parse(r).ok()) else {
        return false;
    };
    ctx.info
        .url()
        .is_some_and(|url| referer.origin() != url.origin())
}

/// A referrer that is part of Clerk's own sign-in flow (Frontend API, Account Portal).
fn is_known_clerk_referrer(ctx: &Context<'_>) -> bool {
    let Some(referer) = ctx.header(header::REFERER).and_then(|r| Url::parse(r).ok()) else {
        return false;
    };
    let Some(host) = referer.host_str() else {
        return false;
    };
    let frontend_api = ctx.frontend_api();
    let fapi_host = if frontend_api.starts_with("http") {
        Url::parse(&frontend_api)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    } else {
        Some(frontend_api.clone())
    };
    if fapi_host.as_deref() == Some(host) {
        return true;
    }
    if ctx.instance != InstanceType::Production {
        let legacy = host.starts_with("accounts.")
            && [".lcl.dev", ".lclstage.dev", ".lclclerk.com"]
                .iter()
                .any(|s| host.ends_with(s));
        let current = [
            ".accounts.dev",
            ".accountsstage.dev",
            ".accounts.lclclerk.com",
        ]
        .iter()
        .any(|s| host.ends_with(s))
            && ![
                ".clerk.accounts.dev",
                ".clerk.accountsstage.dev",
                ".clerk.accounts.lclclerk.com",
            ]
            .iter()
            .any(|s| host.ends_with(s));
        if legacy || current {
            return true;
        }
    }
    crate::publishable_key::accounts_base_url(&frontend_api)
        .and_then(|base| Url::parse(&base).ok())
        .is_some_and(|accounts| accounts.origin() == referer.origin())
}

/// The Frontend API: the proxy URL when set, `clerk.<domain>` for production satellites, else
/// the host in the publishable key.
pub(crate) fn frontend_api(options: &ClerkOptions, info: &RequestInfo) -> String {
    if let Some(proxy) = &options.proxy_url {
        if proxy.starts_with('/')
            && let Some(url) = info.url()
        {
            return format!("{}{proxy}", url.origin().ascii_serialization());
        }
        return proxy.clone();
    }
    let Some(pk) = &options.publishable_key else {
        return String::new();
    };
    match (&options.domain, pk.instance_type()) {
        (Some(domain), InstanceType::Production) if options.is_satellite => {
            format!("clerk.{domain}")
        }
        _ => pk.frontend_api().to_owned(),
    }
}

/// Wraps an outcome into the auth object and adds the debug headers of signed-out states.
fn finish(
    clerk: Arc<Clerk>,
    options: &ClerkOptions,
    mut outcome: Outcome,
    request: RequestInfo,
) -> ClerkAuth {
    if outcome.status != AuthStatus::SignedIn {
        // Like Clerk, a value that is not a valid header value is skipped, never an error.
        // Clerk's `Headers` refuses characters beyond Latin-1 (the `http` crate would send them
        // as raw UTF-8): only plain visible ASCII goes out.
        fn visible(text: &str) -> bool {
            text.bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        }
        // The status and most reasons are constants, sent without a copy. (Visible ASCII and
        // tabs are exactly what `from_static` accepts, so it cannot panic.)
        let constant = |text: &'static str| visible(text).then(|| HeaderValue::from_static(text));
        let copied = |text: &str| {
            visible(text)
                .then(|| HeaderValue::from_str(text).ok())
                .flatten()
        };
        let message = outcome.message.as_deref().and_then(copied);
        let reason = outcome
            .reason
            .as_ref()
            .and_then(|reason| match reason.as_str() {
                Cow::Borrowed(text) => constant(text),
                Cow::Owned(text) => copied(&text),
            });
        let status = constant(outcome.status.as_str());
        for (name, value) in [
            ("x-clerk-auth-message", message),
            ("x-clerk-auth-reason", reason),
            ("x-clerk-auth-status", status),
        ] {
            if let Some(value) = value {
                outcome.headers.push((HeaderName::from_static(name), value));
            }
        }
    }
    let pending = outcome
        .claims
        .as_ref()
        .and_then(SessionClaims::session_status)
        .is_some_and(|status| *status == SessionStatus::Pending);
    let authenticated = outcome.status == AuthStatus::SignedIn
        && outcome.claims.is_some()
        && !(pending && options.treat_pending_as_signed_out);
    tracing::debug!(
        target: "clerk_actix",
        status = outcome.status.as_str(),
        reason = outcome.reason.as_ref().map(|r| r.as_str().into_owned()),
        "authenticated request"
    );
    ClerkAuth(Arc::new(AuthState {
        status: outcome.status,
        reason: outcome.reason,
        message: outcome.message,
        token_type: outcome.token_type,
        token: outcome.token,
        claims: outcome.claims,
        authenticated,
        machine: outcome.machine,
        headers: outcome.headers,
        clerk,
        request,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn byte_level_header_read_agrees_wherever_a_verified_token_can_match() {
        // A verified token is base64url and dots: only such results can ever hit the cache.
        let token_like = |t: &[u8]| {
            !t.is_empty()
                && t.iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.=".contains(b))
        };
        let pieces: [&[u8]; 12] = [
            b"Bearer",
            b"bearer",
            b"Basic",
            b" ",
            b"\t",
            b"\x0c",
            b"a.b.c",
            b"x_Y-z=",
            b"\xff",
            b"\xc3\xa9",
            b"~",
            b"",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let raw = [a, b, c, d].concat();
                        let Ok(value) = HeaderValue::from_bytes(&raw) else {
                            continue;
                        };
                        let req = TestRequest::default()
                            .insert_header((header::AUTHORIZATION, value))
                            .to_http_request();
                        let slow = match header_token(req.headers()) {
                            HeaderToken::Token(t) => Some(t.as_bytes()),
                            _ => None,
                        };
                        let fast = header_token_bytes(req.headers()).map(|(_, token)| token);
                        if slow.is_some_and(token_like) || fast.is_some_and(token_like) {
                            assert_eq!(fast, slow, "{raw:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        let req = TestRequest::default()
            .append_header((header::AUTHORIZATION, "Bearer a.b.c"))
            .append_header((header::AUTHORIZATION, "Bearer a.b.c"))
            .to_http_request();
        assert_eq!(header_token_bytes(req.headers()), None, "sent twice");
    }

    #[test]
    fn authorization_header_parsing() {
        let parse = |value: &str| {
            let req = TestRequest::default()
                .insert_header((header::AUTHORIZATION, value))
                .to_http_request();
            match header_token(req.headers()) {
                HeaderToken::Token(t) => Some(t.to_owned()),
                HeaderToken::Absent => None,
                HeaderToken::Unreadable(_) => Some("<unreadable>".into()),
            }
        };
        assert_eq!(parse("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(
            parse("bearer abc").as_deref(),
            Some("abc"),
            "case-insensitive scheme (documented deviation)"
        );
        assert_eq!(parse("BEARER abc").as_deref(), Some("abc"));
        assert_eq!(
            parse("abc").as_deref(),
            Some("abc"),
            "bare token as in Clerk"
        );
        assert_eq!(
            parse("Basic dXNlcjpwYXNzd29yZA=="),
            None,
            "other schemes are ignored"
        );
        assert_eq!(parse("Bearer "), None);
        let req = TestRequest::default()
            .append_header((header::AUTHORIZATION, "Bearer a"))
            .append_header((header::AUTHORIZATION, "Bearer b"))
            .to_http_request();
        assert!(matches!(
            header_token(req.headers()),
            HeaderToken::Unreadable(_)
        ));
        let req = TestRequest::default()
            .insert_header((
                header::AUTHORIZATION,
                HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
            ))
            .to_http_request();
        assert!(matches!(
            header_token(req.headers()),
            HeaderToken::Unreadable(_)
        ));
    }

    #[test]
    fn js_number_quirks() {
        assert_eq!(js_parse_int("12abc"), 12.0);
        assert_eq!(js_parse_int("  42"), 42.0);
        assert_eq!(js_parse_int("abc"), 0.0);
        assert_eq!(js_parse_int("-5"), -5.0);
        assert_eq!(js_parse_int(""), 0.0);
        assert_eq!(
            strip_http_schemes("https://clerk.example.com"),
            "clerk.example.com"
        );
        assert_eq!(strip_http_schemes("HTTP://a.b/https://c"), "a.b/c");
        assert_eq!(strip_http_schemes("http:whatever"), "http:whatever");
        // Multi-byte characters where a scheme could start (found by the request_headers
        // fuzz target: a string slice of the scheme's length ended inside one and panicked).
        assert_eq!(strip_http_schemes("httpsː//x"), "httpsː//x");
        assert_eq!(strip_http_schemes("h˛ttps://x"), "h˛ttps://x");
        assert_eq!(strip_http_schemes("é"), "é");
        assert_eq!(strip_http_schemes("ééééhttps://a"), "éééé".to_owned() + "a");
    }

    #[test]
    fn clerk_url_honours_forwarded_headers() {
        let url = |req: &HttpRequest| RequestInfo::from_request(req).url().map(|u| u.to_string());
        let req = TestRequest::with_uri("/path?q=1")
            .insert_header((header::HOST, "example.com"))
            .to_http_request();
        assert_eq!(url(&req).as_deref(), Some("http://example.com/path?q=1"));
        let req = TestRequest::with_uri("/path")
            .insert_header((header::HOST, "localhost:3000"))
            .insert_header(("x-forwarded-host", "myapp.example.com, proxy"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(url(&req).as_deref(), Some("https://myapp.example.com/path"));
    }
}
