//! Token verification errors with Clerk's reason strings.

use std::borrow::Cow;
use std::fmt;

/// Builds what a path that verification almost never takes returns (an error), out of line and
/// marked unlikely. The compiler then lays such paths, with the messages they format and the
/// values they drop, after the usual path instead of among it: a token the cache has not seen
/// runs the usual path once, through code the RSA check has just pushed out of the instruction
/// cache, so every line of code it no longer passes through is one fewer to fetch again.
#[cold]
#[inline(never)]
pub(crate) fn unlikely<T>(make: impl FnOnce() -> T) -> T {
    make()
}

/// Why a token failed verification: Clerk's `TokenVerificationErrorReason`.
///
/// [`as_str`](Self::as_str) gives the exact string Clerk's SDKs use (for example in the
/// `x-clerk-auth-reason` header), so logs and dashboards read the same for every SDK.
///
/// ```
/// use clerk_actix::TokenErrorReason;
/// assert_eq!(TokenErrorReason::TokenExpired.as_str(), "token-expired");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenErrorReason {
    /// `exp` is in the past (beyond the clock skew).
    TokenExpired,
    /// The token is malformed, of the wrong type or category.
    TokenInvalid,
    /// The `alg` header is not RS256, RS384 or RS512.
    TokenInvalidAlgorithm,
    /// `azp` is missing or not one of the configured authorized parties.
    TokenInvalidAuthorizedParties,
    /// The signature does not verify with the key named by `kid`.
    TokenInvalidSignature,
    /// `nbf` is in the future (beyond the clock skew).
    TokenNotActiveYet,
    /// `iat` is in the future (beyond the clock skew).
    TokenIatInTheFuture,
    /// A claim has the wrong type or value, or the key could not be used.
    TokenVerificationFailed,
    /// The Backend API rejected the secret key while loading the JWKS.
    SecretKeyInvalid,
    /// No local (PEM) key is configured.
    JwkLocalMissing,
    /// The JWKS could not be loaded from the Backend API.
    JwkRemoteFailedToLoad,
    /// The JWKS from the Backend API is invalid.
    JwkRemoteInvalid,
    /// The JWKS from the Backend API is missing.
    JwkRemoteMissing,
    /// Neither a PEM key nor a secret key is available to resolve a key.
    JwkFailedToResolve,
    /// No key in the JWKS matches the token's `kid`.
    JwkKidMismatch,
}

impl TokenErrorReason {
    /// The reason string exactly as Clerk's SDKs spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TokenExpired => "token-expired",
            Self::TokenInvalid => "token-invalid",
            Self::TokenInvalidAlgorithm => "token-invalid-algorithm",
            Self::TokenInvalidAuthorizedParties => "token-invalid-authorized-parties",
            Self::TokenInvalidSignature => "token-invalid-signature",
            Self::TokenNotActiveYet => "token-not-active-yet",
            Self::TokenIatInTheFuture => "token-iat-in-the-future",
            Self::TokenVerificationFailed => "token-verification-failed",
            Self::SecretKeyInvalid => "secret-key-invalid",
            Self::JwkLocalMissing => "jwk-local-missing",
            Self::JwkRemoteFailedToLoad => "jwk-remote-failed-to-load",
            Self::JwkRemoteInvalid => "jwk-remote-invalid",
            Self::JwkRemoteMissing => "jwk-remote-missing",
            Self::JwkFailedToResolve => "jwk-failed-to-resolve",
            Self::JwkKidMismatch => "jwk-kid-mismatch",
        }
    }
}

impl fmt::Display for TokenErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the token came from; part of Clerk's full error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenCarrier {
    /// The `Authorization` header.
    Header,
    /// The `__session` cookie.
    Cookie,
}

impl TokenCarrier {
    /// `header` or `cookie`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

/// What to do about a verification error: Clerk's `TokenVerificationErrorAction` texts.
pub(crate) mod action {
    pub(crate) const CONTACT_SUPPORT: &str = "Contact support@clerk.com";
    pub(crate) const ENSURE_CLERK_JWT: &str = "Make sure that this is a valid Clerk-generated JWT.";
    pub(crate) const KID_MISMATCH: &str = "Go to your Dashboard and validate your secret and public keys are correct. Contact support@clerk.com if the issue persists.";
}

/// A token failed verification.
///
/// `Display` prints Clerk's message and action; [`full_message`](Self::full_message) adds the
/// reason and the token carrier in Clerk's format. Neither ever contains the token.
///
/// ```
/// use clerk_actix::{TokenCarrier, TokenErrorReason, TokenVerificationError};
///
/// let err = TokenVerificationError::new(TokenErrorReason::TokenInvalidSignature, "JWT signature is invalid.");
/// assert_eq!(
///     err.full_message(TokenCarrier::Header),
///     "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=header)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenVerificationError {
    reason: TokenErrorReason,
    message: Cow<'static, str>,
    action: Option<&'static str>,
}

impl TokenVerificationError {
    /// An error with a reason and a message, without an action.
    pub fn new(reason: TokenErrorReason, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            reason,
            message: message.into(),
            action: None,
        }
    }

    pub(crate) fn with_action(mut self, action: &'static str) -> Self {
        self.action = Some(action);
        self
    }

    /// Why verification failed.
    pub fn reason(&self) -> TokenErrorReason {
        self.reason
    }

    /// Clerk's message for this failure.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, when Clerk suggests something.
    pub fn action(&self) -> Option<&'static str> {
        self.action
    }

    /// Clerk's `getFullMessage()`: `"<message> <action> (reason=<reason>, token-carrier=<carrier>)"`.
    pub fn full_message(&self, carrier: TokenCarrier) -> String {
        format!(
            "{self} (reason={}, token-carrier={})",
            self.reason,
            carrier.as_str()
        )
    }
}

impl fmt::Display for TokenVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(action) = self.action {
            write!(f, " {action}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenVerificationError {}
