//! Publishable keys: the Frontend API host, the instance type and the cookie suffix.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sha1::{Digest as _, Sha1};

/// Development or production, as encoded in the publishable key prefix.
///
/// ```
/// use clerk_actix::{InstanceType, PublishableKey};
/// let pk = PublishableKey::parse("pk_live_Y2xlcmsuY2xlcmsuZGV2JA").unwrap();
/// assert_eq!(pk.instance_type(), InstanceType::Production);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceType {
    /// `pk_test_…`
    Development,
    /// `pk_live_…`
    Production,
}

/// A parsed Clerk publishable key (`pk_test_…` or `pk_live_…`).
///
/// Parsing follows Clerk's `parsePublishableKey`: the part after the prefix is base64 of the
/// Frontend API host followed by exactly one `$`.
///
/// ```
/// use clerk_actix::PublishableKey;
/// let pk = PublishableKey::parse("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA").unwrap();
/// assert_eq!(pk.frontend_api(), "clerk.inspired.puma-74.lcl.dev");
/// assert_eq!(pk.cookie_suffix(), "vWCgMp3A");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishableKey {
    key: String,
    frontend_api: String,
    instance_type: InstanceType,
    cookie_suffix: String,
}

/// Why a publishable key was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublishableKeyError {
    /// It does not start with `pk_test_` or `pk_live_`.
    #[error("the key must start with `pk_test_` or `pk_live_`")]
    Prefix,
    /// It is not `pk_<env>_<base64>`.
    #[error("the key must have the form `pk_<test|live>_<base64>`")]
    Shape,
    /// The base64 part does not decode.
    #[error("the part after the prefix is not valid base64")]
    Base64,
    /// The decoded host does not end with exactly one `$` or has no `.`.
    #[error("the decoded Frontend API host is malformed")]
    Host,
}

// WHATWG `atob`: standard alphabet, padding optional, non-zero trailing bits tolerated.
const ATOB: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl PublishableKey {
    /// Parses and validates a publishable key.
    pub fn parse(key: &str) -> Result<Self, PublishableKeyError> {
        let key = key.trim();
        let instance_type = if key.starts_with("pk_live_") {
            InstanceType::Production
        } else if key.starts_with("pk_test_") {
            InstanceType::Development
        } else {
            return Err(PublishableKeyError::Prefix);
        };
        let parts: Vec<&str> = key.split('_').collect();
        if parts.len() != 3 {
            return Err(PublishableKeyError::Shape);
        }
        let decoded = ATOB
            .decode(parts[2])
            .map_err(|_| PublishableKeyError::Base64)?;
        let decoded = String::from_utf8(decoded).map_err(|_| PublishableKeyError::Host)?;
        let host = decoded
            .strip_suffix('$')
            .filter(|host| !host.contains('$') && host.contains('.'))
            .ok_or(PublishableKeyError::Host)?;
        Ok(Self {
            key: key.to_owned(),
            frontend_api: host.to_owned(),
            instance_type,
            cookie_suffix: cookie_suffix(key),
        })
    }

    /// The key as given (publishable keys are public, so this is not a secret).
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The Frontend API host, e.g. `clerk.example.com` or `foo-bar-13.clerk.accounts.dev`.
    pub fn frontend_api(&self) -> &str {
        &self.frontend_api
    }

    /// Development (`pk_test_`) or production (`pk_live_`).
    pub fn instance_type(&self) -> InstanceType {
        self.instance_type
    }

    /// The 8-character suffix of this instance's cookies (`__session_<suffix>`).
    pub fn cookie_suffix(&self) -> &str {
        &self.cookie_suffix
    }
}

/// Clerk's `getCookieSuffix`: base64url-ish of SHA-1 of the full key, first 8 characters.
fn cookie_suffix(publishable_key: &str) -> String {
    let digest = Sha1::digest(publishable_key.as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
    b64.chars()
        .take(8)
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

/// Clerk's `buildAccountsBaseUrl`: the Account Portal origin for a Frontend API host.
pub(crate) fn accounts_base_url(frontend_api: &str) -> Option<String> {
    if frontend_api.is_empty() {
        return None;
    }
    let host = frontend_api.replacen("clerk.accountsstage.", "accountsstage.", 1);
    let host = if host.contains("clerk.accounts.") {
        host.replacen("clerk.accounts.", "accounts.", 1)
    } else {
        host.replacen("clerk.", "accounts.", 1)
    };
    Some(format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_suffix_vectors_from_the_spec() {
        let vectors = [
            ("pk_live_Y2xlcmsuY2xlcmsuZGV2JA", "1Z8AzTQD"),
            ("pk_test_Y2xlcmsuY2xlcmsuZGV2JA", "QvfNY2dr"),
            (
                "pk_test_ZW5vdWdoLWFscGFjYS04Mi5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k",
                "jtYvyt_H",
            ),
            (
                "pk_test_eHh4eHh4LXhhYWFhYS1hYS5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k",
                "tZJdb-5s",
            ),
            (
                "pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=",
                "qReyu04C",
            ),
            (
                "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA",
                "vWCgMp3A",
            ),
            (
                "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA",
                "MqCvchyS",
            ),
        ];
        for (key, suffix) in vectors {
            let pk = PublishableKey::parse(key).expect(key);
            assert_eq!(pk.cookie_suffix(), suffix, "{key}");
        }
    }

    #[test]
    fn parses_host_and_instance_type() {
        let pk =
            PublishableKey::parse("pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA").unwrap();
        assert_eq!(pk.frontend_api(), "clerk.inspired.puma-74.lcl.dev");
        assert_eq!(pk.instance_type(), InstanceType::Production);
        let pk = PublishableKey::parse("pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=")
            .unwrap();
        assert_eq!(pk.frontend_api(), "fake-clerk-test.clerk.accounts.dev");
    }

    #[test]
    fn rejects_malformed_keys() {
        use base64::engine::general_purpose::STANDARD;
        let enc = |s: &str| STANDARD.encode(s);
        let cases = [
            ("", PublishableKeyError::Prefix),
            (
                "sk_test_Y2xlcmsuY2xlcmsuZGV2JA",
                PublishableKeyError::Prefix,
            ),
            ("pk_test", PublishableKeyError::Prefix),
            ("pk_test_a_b", PublishableKeyError::Shape),
            ("pk_test_!!!!", PublishableKeyError::Base64),
            (
                &*format!("pk_test_{}", enc("clerk.example.com")),
                PublishableKeyError::Host,
            ),
            (
                &*format!("pk_test_{}", enc("clerk.example.com$$")),
                PublishableKeyError::Host,
            ),
            (
                &*format!("pk_test_{}", enc("cl$erk.example.com$")),
                PublishableKeyError::Host,
            ),
            (
                &*format!("pk_test_{}", enc("localhost$")),
                PublishableKeyError::Host,
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(PublishableKey::parse(key), Err(expected), "{key:?}");
        }
    }

    #[test]
    fn accounts_base_url_vectors() {
        let cases = [
            ("clerk.example.com", "https://accounts.example.com"),
            (
                "foo-bar-13.clerk.accounts.dev",
                "https://foo-bar-13.accounts.dev",
            ),
            ("x.clerk.accountsstage.dev", "https://x.accountsstage.dev"),
            (
                "clerk.inspired.puma-74.lcl.dev",
                "https://accounts.inspired.puma-74.lcl.dev",
            ),
        ];
        for (fapi, expected) in cases {
            assert_eq!(accounts_base_url(fapi).as_deref(), Some(expected), "{fapi}");
        }
    }
}
