//! A string from or for Clerk that must not show up in logs.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A token, password, ticket URL or cookie directive exchanged with Clerk.
///
/// `Debug` prints a redacted marker and there is no `Display`, so a `{:?}` of a response or of
/// request parameters (or a `tracing` field) cannot leak it. Serialises as the plain string.
///
/// ```
/// use clerk_actix::models::SensitiveString;
///
/// let password = SensitiveString::from("correct horse battery staple");
/// assert_eq!(format!("{password:?}"), "SensitiveString(\"[redacted]\")");
/// assert_eq!(password.expose(), "correct horse battery staple");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SensitiveString(String);

impl SensitiveString {
    /// Wraps a value.
    ///
    /// ```
    /// let token = clerk_actix::models::SensitiveString::new("jwt");
    /// assert_eq!(token.expose(), "jwt");
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself: call it only where it is used (put on the wire, set as a cookie...).
    ///
    /// ```
    /// let token = clerk_actix::models::SensitiveString::from("jwt");
    /// assert_eq!(token.expose().len(), 3);
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Unwraps the value.
    ///
    /// ```
    /// let token = clerk_actix::models::SensitiveString::from("jwt");
    /// assert_eq!(token.into_inner(), "jwt");
    /// ```
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for SensitiveString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SensitiveString(\"[redacted]\")")
    }
}

impl From<String> for SensitiveString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SensitiveString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_and_serde_is_transparent() {
        let secret: SensitiveString = serde_json::from_str("\"sk_live_abc\"").unwrap();
        assert!(!format!("{secret:?}").contains("abc"));
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"sk_live_abc\"");
        let nested = vec![Some(secret)];
        assert!(!format!("{nested:?}").contains("abc"));
    }
}
