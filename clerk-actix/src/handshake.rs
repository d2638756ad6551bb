//! Clerk's handshake (spec §1.10, §1.11) and session refresh (§1.12).
//!
//! A handshake sends the browser to the Frontend API, which answers with a redirect back carrying
//! signed cookie directives (a handshake token, or a nonce to fetch them with). A refresh trades an
//! expired session token and the `__refresh` cookie for new cookies through the Backend API.

use std::collections::BTreeMap;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::claims::Verified;
use crate::client::{RefreshFormat, RefreshSessionParams};
use crate::error::{TokenErrorReason, TokenVerificationError};
use crate::jwks::BAPI_VERSION;
use crate::jwt::{DecodedJwt, category};
use crate::models::{SensitiveString, SessionRefresh};
use crate::organization_sync::OrganizationSyncTarget;
use crate::publishable_key::InstanceType;
use crate::request::{Context, Outcome, names, verify_session_token_with};
use crate::verify::{self, HeaderType};

/// Query parameters removed from the URL the handshake returns to.
const HANDSHAKE_QUERY: [&str; 4] = [
    names::HANDSHAKE,
    "__clerk_help",
    names::DEV_BROWSER,
    names::HANDSHAKE_NONCE,
];

/// `url` with the given query parameters removed, re-serialised as `URLSearchParams` does.
pub(crate) fn without_query(url: &Url, remove: &[&str]) -> Url {
    let mut url = url.clone();
    if url.query().is_none() {
        return url;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !remove.contains(&name.as_ref()))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url
}

/// Clerk's `buildRedirectToHandshake`: the Frontend API handshake URL for this request.
pub(crate) fn handshake_url(ctx: &Context<'_>, reason: &str) -> Option<String> {
    let current = ctx.info.url()?;
    let redirect = without_query(current, &[names::DEV_BROWSER, "__dev_session"]);
    let frontend_api = ctx.frontend_api();
    let base = if frontend_api.starts_with("http") {
        frontend_api
    } else {
        format!("https://{frontend_api}")
    };
    let base = Url::parse(&format!("{}/", base.trim_end_matches('/'))).ok()?;
    let mut url = base.join("v1/client/handshake").ok()?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("redirect_url", redirect.as_str());
        query.append_pair("__clerk_api_version", BAPI_VERSION);
        query.append_pair(
            "suffixed_cookies",
            if ctx.suffixed { "true" } else { "false" },
        );
        query.append_pair("__clerk_hs_reason", reason);
        query.append_pair("format", "nonce");
        if let Some(token) = ctx.session_token() {
            query.append_pair(names::SESSION, &token);
        }
        if ctx.instance == InstanceType::Development
            && let Some(dev_browser) = ctx.dev_browser_token()
        {
            query.append_pair(names::DEV_BROWSER, &dev_browser);
        }
        match ctx.organization_sync_target() {
            Some(OrganizationSyncTarget::OrganizationId(id)) => {
                query.append_pair("organization_id", &id);
            }
            Some(OrganizationSyncTarget::OrganizationSlug(slug)) => {
                query.append_pair("organization_id", &slug);
            }
            Some(OrganizationSyncTarget::PersonalAccount) => {
                query.append_pair("organization_id", "");
            }
            None => {}
        }
    }
    Some(url.into())
}

/// Why a handshake could not be resolved.
pub(crate) enum HandshakeFailure {
    /// Development instance and a bad handshake token: report it (Clerk fails the request).
    Development(TokenVerificationError),
    /// Anything else: logged, and the cookie flow continues as if there were no handshake.
    Continue(String),
}

/// Clerk's `resolveHandshake`: applies the cookie directives and returns the resulting state.
pub(crate) async fn resolve(ctx: &Context<'_>) -> Result<Outcome, HandshakeFailure> {
    let options = ctx.options;
    let development = ctx.instance == InstanceType::Development;
    let mut headers = vec![
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("null"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
    ];
    let directives = if let Some(nonce) = ctx.handshake_nonce() {
        match &options.client {
            Some(client) => match client.clients().handshake_payload(&nonce).await {
                Ok(payload) => payload
                    .directives
                    .into_iter()
                    .map(SensitiveString::into_inner)
                    .collect(),
                Err(err) => {
                    tracing::error!(error = %err, "clerk-actix: fetching the handshake payload failed");
                    Vec::new()
                }
            },
            None => Vec::new(),
        }
    } else if let Some(token) = ctx.handshake_token() {
        match verify_handshake_token(ctx, &token).await {
            Ok(directives) => directives,
            Err(err) if development => return Err(HandshakeFailure::Development(err)),
            Err(err) => return Err(HandshakeFailure::Continue(err.to_string())),
        }
    } else {
        Vec::new()
    };
    let mut session_token = String::new();
    for directive in &directives {
        if let Ok(value) = HeaderValue::from_str(directive) {
            headers.push((header::SET_COOKIE, value));
        }
        let (name, rest) = directive.split_once('=').unwrap_or((directive, ""));
        if name.trim().starts_with(names::SESSION) {
            session_token = rest.split(';').next().unwrap_or_default().to_owned();
        }
    }
    if development && let Some(url) = ctx.info.url() {
        let clean = without_query(url, &HANDSHAKE_QUERY);
        if let Ok(location) = HeaderValue::from_str(clean.as_str()) {
            headers.push((header::LOCATION, location));
            headers.push((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        }
    }
    if session_token.is_empty() {
        let mut outcome = Outcome::signed_out(crate::auth::AuthReason::SessionTokenMissing, "");
        outcome.headers = headers;
        return Ok(outcome);
    }
    let verified = match verify_session_token_with(options, &session_token, None).await {
        Err(err)
            if development
                && matches!(
                    err.reason(),
                    TokenErrorReason::TokenExpired
                        | TokenErrorReason::TokenNotActiveYet
                        | TokenErrorReason::TokenIatInTheFuture
                ) =>
        {
            tracing::warn!(
                "Clerk: Clock skew detected. This usually means that your system clock is inaccurate. Retrying the handshake with a 24 hour tolerance."
            );
            verify_session_token_with(
                options,
                &session_token,
                Some(std::time::Duration::from_secs(86_400)),
            )
            .await
        }
        other => other,
    };
    match verified {
        Ok(verified) => {
            let mut outcome = crate::request::signed_in_or_invalid(
                verified,
                || crate::auth::TokenText::Copied(session_token.clone()),
                crate::error::TokenCarrier::Cookie,
            );
            outcome.headers.extend(headers);
            Ok(outcome)
        }
        Err(err) => Err(HandshakeFailure::Continue(err.to_string())),
    }
}

/// Clerk's `verifyHandshakeToken`: key, type, algorithm, category and signature; no time checks.
async fn verify_handshake_token(
    ctx: &Context<'_>,
    token: &str,
) -> Result<Vec<String>, TokenVerificationError> {
    let decoded = DecodedJwt::decode(token)?;
    if let Some(cat) = decoded.category()
        && cat != category::SESSION_TOKEN
        && cat != category::IGNORE
    {
        return Err(TokenVerificationError::new(
            TokenErrorReason::TokenInvalid,
            "Invalid handshake token category.",
        ));
    }
    let (jwt, alg) = verify::precheck(token, &ctx.options.validation, HeaderType::Jwt)?;
    let key = ctx.options.keys.resolve(jwt.header_str("kid")).await?;
    verify::verify_signature(&jwt, alg, &key)?;
    Ok(match jwt.payload.get("handshake") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    })
}

/// A successful refresh: the new token's verified claims and the cookies to set.
pub(crate) struct Refreshed {
    pub(crate) verified: Verified,
    pub(crate) token: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

/// Clerk's `attemptRefresh`. `Err` is the refresh error reason (`RefreshTokenErrorReason`).
pub(crate) async fn refresh(ctx: &Context<'_>) -> Result<Refreshed, String> {
    let Some(client) = &ctx.options.client else {
        return Err("missing-api-client".into());
    };
    let Some(expired) = ctx.session_token() else {
        return Err("missing-session-token".into());
    };
    let Some(refresh_token) = ctx.refresh_token_in_cookie() else {
        return Err("missing-refresh-token".into());
    };
    let Ok(decoded) = DecodedJwt::decode(&expired) else {
        return Err("expired-session-token-decode-failed".into());
    };
    let Some(sid) = decoded
        .payload
        .get("sid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err("expired-session-token-missing-sid-claim".into());
    };
    let mut request_headers: BTreeMap<String, Vec<SensitiveString>> = BTreeMap::new();
    for (name, value) in ctx.req.headers() {
        if let Ok(value) = value.to_str() {
            request_headers
                .entry(name.as_str().to_owned())
                .or_default()
                .push(SensitiveString::from(value));
        }
    }
    let params = RefreshSessionParams {
        expired_token: SensitiveString::from(expired.as_ref()),
        refresh_token: SensitiveString::from(refresh_token.as_ref()),
        request_origin: ctx
            .info
            .url()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default(),
        request_headers: Some(request_headers),
        format: Some(RefreshFormat::Cookie),
        suffixed_cookies: Some(ctx.suffixed),
        ..RefreshSessionParams::default()
    };
    let cookies = match client.sessions().refresh(sid, &params).await {
        Ok(SessionRefresh::Cookies(cookies)) if !cookies.is_empty() => cookies,
        Ok(_) => return Err("unexpected-sdk-error".into()),
        Err(err) => {
            return Err(match err.clerk_errors().first() {
                Some(first) if first.code == "unexpected_error" => "fetch-error".into(),
                Some(first) => first.code.clone(),
                None => "unexpected-bapi-error".into(),
            });
        }
    };
    let mut headers = Vec::new();
    let mut token = String::new();
    for cookie in cookies {
        let cookie = cookie.into_inner();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.push((header::SET_COOKIE, value));
        }
        let (name, rest) = cookie.split_once('=').unwrap_or((&cookie, ""));
        if name.trim().starts_with(names::SESSION) {
            token = rest.split(';').next().unwrap_or_default().to_owned();
        }
    }
    match verify_session_token_with(ctx.options, &token, None).await {
        Ok(verified) => Ok(Refreshed {
            verified,
            token,
            headers,
        }),
        Err(_) => Err("invalid-session-token".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_removal_keeps_other_parameters_and_fragment() {
        let url = Url::parse(
            "https://example.com/page?__clerk_handshake=x&keep=a%20b&__clerk_db_jwt=y#frag",
        )
        .unwrap();
        let clean = without_query(&url, &HANDSHAKE_QUERY);
        assert_eq!(clean.as_str(), "https://example.com/page?keep=a+b#frag");
        let url = Url::parse("https://example.com/page?__clerk_handshake_nonce=n&__clerk_help=1")
            .unwrap();
        assert_eq!(
            without_query(&url, &HANDSHAKE_QUERY).as_str(),
            "https://example.com/page"
        );
    }
}
