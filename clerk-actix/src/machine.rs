//! Machine tokens (spec §4): API keys (`ak_`), M2M tokens (`mt_` or JWTs whose `sub` starts with
//! `mch_`) and OAuth access tokens (`oat_` or RFC 9068 JWTs).
//!
//! Opaque tokens are verified by the Backend API; JWT-form M2M and OAuth tokens are verified
//! locally with the instance's keys, like session tokens.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::auth::TokenType;
use crate::client::ApiError;
use crate::config::ClerkOptions;
use crate::jwt::{DecodedJwt, category, is_jwt_format};
use crate::verify::{self, HeaderType};

/// Which tokens a [`Clerk`](crate::Clerk) accepts in the `Authorization` header (Clerk's
/// `acceptsToken`). The default is session tokens only.
///
/// ```
/// use clerk_actix::{AcceptsToken, Clerk, TokenType};
/// # let pem = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/clerk-js/pem_public_signing_key.pem"));
/// let clerk = Clerk::builder()
///     .publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA")
///     .jwt_key(pem)
///     .secret_key("sk_test_example") // API keys are verified by the Backend API
///     .accepts_token(AcceptsToken::AnyOf(vec![TokenType::SessionToken, TokenType::ApiKey]))
///     .build();
/// assert!(clerk.is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptsToken {
    /// Exactly this kind of token (`'session_token'`, `'api_key'`, ...).
    Only(TokenType),
    /// Any of these kinds (`['session_token', 'api_key']`).
    AnyOf(Vec<TokenType>),
    /// Every kind (`'any'`).
    Any,
}

impl Default for AcceptsToken {
    fn default() -> Self {
        Self::Only(TokenType::SessionToken)
    }
}

impl AcceptsToken {
    /// Whether a token of kind `token_type` is accepted.
    pub(crate) fn accepts(&self, token_type: TokenType) -> bool {
        match self {
            Self::Only(only) => *only == token_type,
            Self::AnyOf(list) => list.contains(&token_type),
            Self::Any => true,
        }
    }
}

/// Clerk's `isMachineToken` and `getMachineTokenType`: the kind of machine token, or `None`
/// for anything else (session tokens, garbage).
pub(crate) fn machine_token_type(token: &str) -> Option<TokenType> {
    if token.starts_with("mt_") {
        return Some(TokenType::M2mToken);
    }
    if token.starts_with("oat_") {
        return Some(TokenType::OAuthToken);
    }
    if token.starts_with("ak_") {
        return Some(TokenType::ApiKey);
    }
    if !is_jwt_format(token) {
        return None;
    }
    let jwt = DecodedJwt::decode(token).ok()?;
    if jwt.is_m2m_jwt() {
        Some(TokenType::M2mToken)
    } else if jwt.is_oauth_jwt() {
        Some(TokenType::OAuthToken)
    } else {
        None
    }
}

/// A verified machine token: Clerk's machine auth objects.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct MachineAuth {
    /// The kind of token.
    pub token_type: TokenType,
    /// Token id (`ak_…`, `mt_…`, `oat_…`; empty when a JWT has no `jti`).
    pub id: String,
    /// Who the token acts for: a user (`user_…`), an organization (`org_…`) or a machine (`mch_…`).
    pub subject: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Custom claims (API keys and M2M tokens).
    pub claims: Option<Map<String, Value>>,
    /// The API key's name.
    pub name: Option<String>,
    /// The OAuth client id.
    pub client_id: Option<String>,
}

impl MachineAuth {
    /// The user an API key or OAuth token belongs to.
    pub fn user_id(&self) -> Option<&str> {
        match self.token_type {
            TokenType::OAuthToken => Some(&self.subject),
            TokenType::ApiKey => self
                .subject
                .starts_with("user_")
                .then_some(self.subject.as_str()),
            _ => None,
        }
    }

    /// The organization an API key belongs to.
    pub fn org_id(&self) -> Option<&str> {
        (self.token_type == TokenType::ApiKey && self.subject.starts_with("org_"))
            .then_some(self.subject.as_str())
    }

    /// The machine an M2M token belongs to.
    pub fn machine_id(&self) -> Option<&str> {
        (self.token_type == TokenType::M2mToken).then_some(self.subject.as_str())
    }
}

impl fmt::Debug for MachineAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MachineAuth")
            .field("token_type", &self.token_type)
            .field("id", &self.id)
            .field("subject", &self.subject)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A machine token that failed verification: Clerk's `MachineTokenVerificationError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MachineError {
    pub(crate) token_type: TokenType,
    /// `token-invalid`, `secret-key-invalid`, `unexpected-error` or `token-verification-failed`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) status: Option<u16>,
}

impl MachineError {
    fn new(
        token_type: TokenType,
        code: &'static str,
        message: impl Into<String>,
        status: Option<u16>,
    ) -> Self {
        Self {
            token_type,
            code,
            message: message.into(),
            status,
        }
    }

    /// `"<message> (code=<code>, status=<status|n/a>)"`
    pub(crate) fn full_message(&self) -> String {
        let status = self
            .status
            .map_or(Cow::Borrowed("n/a"), |s| Cow::Owned(s.to_string()));
        format!("{} (code={}, status={status})", self.message, self.code)
    }
}

/// Verifies a machine token of type `token_type` (as returned by [`machine_token_type`]).
pub(crate) async fn verify(
    options: &ClerkOptions,
    token: &str,
    token_type: TokenType,
) -> Result<MachineAuth, MachineError> {
    if is_jwt_format(token) {
        return verify_jwt(options, token).await;
    }
    verify_opaque(options, token, token_type).await
}

async fn verify_jwt(options: &ClerkOptions, token: &str) -> Result<MachineAuth, MachineError> {
    let Ok(jwt) = DecodedJwt::decode(token) else {
        return Err(MachineError::new(
            TokenType::M2mToken,
            "token-invalid",
            "Invalid JWT. The token could not be decoded.",
            None,
        ));
    };
    let (token_type, header_type) = if jwt.is_m2m_jwt() {
        if jwt.category().is_some_and(|cat| cat != category::M2M_TOKEN) {
            return Err(MachineError::new(
                TokenType::M2mToken,
                "token-invalid",
                "Invalid M2M JWT category.",
                None,
            ));
        }
        (TokenType::M2mToken, HeaderType::M2mJwt)
    } else if jwt.is_oauth_jwt() {
        (TokenType::OAuthToken, HeaderType::OAuthAccessToken)
    } else {
        let typ = jwt.header_str("typ").unwrap_or("missing");
        return Err(MachineError::new(
            TokenType::OAuthToken,
            "token-verification-failed",
            format!(
                "Invalid JWT type: {typ}. Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M"
            ),
            None,
        ));
    };
    let failed = |err: crate::TokenVerificationError| {
        MachineError::new(
            token_type,
            "token-verification-failed",
            err.to_string(),
            None,
        )
    };
    let (jwt, alg) = verify::precheck(token, &options.validation, header_type).map_err(failed)?;
    let key = options
        .keys
        .resolve(jwt.header_str("kid"))
        .await
        .map_err(failed)?;
    // Machine tokens are not issued to a browser origin: `azp` rules do not apply to them.
    let validation = verify::TokenValidation {
        authorized_parties: Vec::new(),
        ..options.validation.clone()
    };
    let payload = verify::verify_signature_and_claims(
        jwt,
        alg,
        &key,
        &validation,
        verify::now_ms(options.now()),
    )
    .map_err(failed)?
    .into_map();
    let string = |name: &str| payload.get(name).and_then(Value::as_str).map(str::to_owned);
    let split = |s: &str| {
        s.split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let scopes = match token_type {
        TokenType::M2mToken => match payload.get("scopes") {
            Some(Value::String(s)) => split(s),
            _ => match payload.get("aud") {
                Some(Value::Array(aud)) => aud
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                Some(Value::String(aud)) => vec![aud.clone()],
                _ => Vec::new(),
            },
        },
        _ => match payload.get("scp") {
            Some(Value::Array(scp)) => scp
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => string("scope").map(|s| split(&s)).unwrap_or_default(),
        },
    };
    let claims = (token_type == TokenType::M2mToken).then(|| {
        payload
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "iss" | "sub" | "exp" | "nbf" | "iat" | "jti"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Map<String, Value>>()
    });
    Ok(MachineAuth {
        token_type,
        id: string("jti").unwrap_or_default(),
        subject: string("sub").unwrap_or_default(),
        scopes,
        claims: claims.filter(|c| !c.is_empty()),
        name: None,
        client_id: string("client_id").filter(|_| token_type == TokenType::OAuthToken),
    })
}

async fn verify_opaque(
    options: &ClerkOptions,
    token: &str,
    token_type: TokenType,
) -> Result<MachineAuth, MachineError> {
    let Some(client) = &options.client else {
        return Err(MachineError::new(
            token_type,
            "secret-key-invalid",
            "Machine token authentication requires either a Machine secret key or a Clerk secret key. Ensure a Clerk secret key or Machine secret key is set.",
            None,
        ));
    };
    let as_object = |claims: Option<Value>| match claims {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    let (result, not_found) = match token_type {
        TokenType::M2mToken => (
            client
                .m2m_tokens()
                .verify(token)
                .await
                .map(|t| MachineAuth {
                    token_type,
                    id: t.id,
                    subject: t.subject,
                    scopes: t.scopes,
                    claims: as_object(t.claims),
                    name: None,
                    client_id: None,
                }),
            "Machine token not found",
        ),
        TokenType::OAuthToken => (
            match client.oauth_access_tokens().verify(token).await {
                Ok(Some(t)) => Ok(MachineAuth {
                    token_type,
                    id: t.id,
                    subject: t.subject,
                    scopes: t.scopes,
                    claims: None,
                    name: None,
                    client_id: Some(t.client_id),
                }),
                // Clerk reports an inactive token as not found.
                Ok(None) => Err(ApiError::Api {
                    status: 404,
                    errors: Vec::new(),
                    trace_id: None,
                    retry_after: None,
                }),
                Err(err) => Err(err),
            },
            "OAuth token not found",
        ),
        _ => (
            client.api_keys().verify(token).await.map(|k| MachineAuth {
                token_type,
                id: k.id,
                subject: k.subject,
                scopes: k.scopes,
                claims: as_object(k.claims),
                name: Some(k.name),
                client_id: None,
            }),
            "API key not found",
        ),
    };
    result.map_err(|err| match err {
        ApiError::Api {
            status: 401,
            errors,
            ..
        } => {
            let message = errors
                .first()
                .map_or_else(|| "Invalid secret key".to_owned(), |e| e.message.clone());
            MachineError::new(token_type, "secret-key-invalid", message, Some(401))
        }
        ApiError::Api { status: 404, .. } => {
            MachineError::new(token_type, "token-invalid", not_found, Some(404))
        }
        ApiError::Api { status, .. } => MachineError::new(
            token_type,
            "unexpected-error",
            "Unexpected error",
            Some(status),
        ),
        _ => MachineError::new(token_type, "unexpected-error", "Unexpected error", None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_clerk() {
        assert_eq!(machine_token_type("mt_123"), Some(TokenType::M2mToken));
        assert_eq!(machine_token_type("oat_123"), Some(TokenType::OAuthToken));
        assert_eq!(machine_token_type("ak_123"), Some(TokenType::ApiKey));
        assert_eq!(
            machine_token_type("AK_123"),
            None,
            "prefixes are case-sensitive"
        );
        assert_eq!(machine_token_type(""), None);
        assert_eq!(machine_token_type("a.b.c"), None);
        let b64 = |s: &str| {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
        };
        let m2m = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"sub":"mch_1"}"#),
            b64("s")
        );
        assert_eq!(machine_token_type(&m2m), Some(TokenType::M2mToken));
        let oauth = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","typ":"at+jwt"}"#),
            b64(r#"{"sub":7}"#),
            b64("s")
        );
        assert_eq!(
            machine_token_type(&oauth),
            Some(TokenType::OAuthToken),
            "numeric sub is still OAuth"
        );
        for payload in [r#"{}"#, r#"{"sub":null}"#, r#"{"sub":{"id":1}}"#] {
            let oauth = format!(
                "{}.{}.{}",
                b64(r#"{"alg":"RS256","typ":"application/at+jwt"}"#),
                b64(payload),
                b64("s")
            );
            assert_eq!(
                machine_token_type(&oauth),
                Some(TokenType::OAuthToken),
                "{payload}"
            );
        }
    }

    #[test]
    fn full_message_format() {
        let err = MachineError::new(
            TokenType::ApiKey,
            "token-invalid",
            "API key not found",
            Some(404),
        );
        assert_eq!(
            err.full_message(),
            "API key not found (code=token-invalid, status=404)"
        );
        let err = MachineError::new(
            TokenType::ApiKey,
            "unexpected-error",
            "Unexpected error",
            None,
        );
        assert_eq!(
            err.full_message(),
            "Unexpected error (code=unexpected-error, status=n/a)"
        );
    }
}
