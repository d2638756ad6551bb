//! A string that never shows up in `Debug` output or logs.

use std::fmt;
use std::sync::Arc;

/// A secret value (secret key, machine secret key, PEM, webhook secret).
///
/// `Debug` and `Display` print only a redacted marker, so a secret cannot leak through
/// `{:?}` of a config struct or a `tracing` field.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(value: impl Into<Arc<str>>) -> Self {
        Self(value.into())
    }

    /// The secret itself: call only where it is put on the wire or hashed.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"[redacted]\")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("sk_test_very_secret");
        let shown = format!("{s:?}");
        assert!(!shown.contains("very_secret"), "{shown}");
        assert_eq!(s.expose(), "sk_test_very_secret");
    }
}
