//! The endpoint's signing secret (`whsec_<base64>`), parsed once at start-up.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit};
use sha2::Sha256;

use crate::ConfigError;

pub(crate) type HmacSha256 = Hmac<Sha256>;

const ENV_VAR: &str = "CLERK_WEBHOOK_SIGNING_SECRET";
const PREFIX: &str = "whsec_";
const HELP: &str = "Copy the endpoint's Signing Secret (it starts with `whsec_`) from the Webhooks page of the Clerk Dashboard.";

/// Standard base64; padding optional, since a secret pasted without its trailing `=` is still
/// unambiguous.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A webhook endpoint's signing secret, as shown in the Clerk Dashboard (`whsec_...`).
///
/// Parsing happens once, so a wrong secret is a start-up error rather than a 400 on every
/// delivery. `Debug` never shows the key.
///
/// ```
/// use clerk_actix::webhooks::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_Y2xlcmstYWN0aXggd2ViaG9vayB0ZXN0")?;
/// assert_eq!(format!("{secret:?}"), "WebhookSecret([redacted])");
///
/// let err = WebhookSecret::new("sk_test_123").unwrap_err();
/// assert!(err.to_string().contains("whsec_"));
/// # Ok::<(), clerk_actix::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    // The key is absorbed into the HMAC state once; each verification clones this state instead
    // of re-deriving the padded keys.
    mac: HmacSha256,
}

impl WebhookSecret {
    /// Parses `whsec_<base64 key>`; surrounding whitespace (a pasted newline) is ignored.
    ///
    /// Errors name `CLERK_WEBHOOK_SIGNING_SECRET` and say what is wrong, never the value.
    ///
    /// ```
    /// use clerk_actix::webhooks::WebhookSecret;
    ///
    /// assert!(WebhookSecret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\n").is_ok());
    /// assert!(WebhookSecret::new("whsec_not base64!").is_err());
    /// assert!(WebhookSecret::new("").is_err());
    /// ```
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(ConfigError::Missing {
                name: ENV_VAR,
                help: HELP,
            });
        }
        let invalid = |reason: &str| ConfigError::Invalid {
            name: ENV_VAR,
            reason: reason.to_owned(),
            help: HELP,
        };
        let encoded = secret
            .strip_prefix(PREFIX)
            .ok_or_else(|| invalid("it does not start with `whsec_`"))?;
        let key = SECRET_BASE64
            .decode(encoded)
            .map_err(|_| invalid("the part after `whsec_` is not base64"))?;
        if key.is_empty() {
            return Err(invalid("the key after `whsec_` is empty"));
        }
        let mac = HmacSha256::new_from_slice(&key)
            .map_err(|_| invalid("the key cannot be used for HMAC-SHA256"))?;
        Ok(Self { mac })
    }

    /// Reads `CLERK_WEBHOOK_SIGNING_SECRET`, the variable Clerk's own SDKs use.
    ///
    /// An unset or empty variable is [`ConfigError::Missing`]; a malformed one
    /// [`ConfigError::Invalid`].
    ///
    /// ```no_run
    /// use clerk_actix::webhooks::WebhookSecret;
    ///
    /// let secret = WebhookSecret::from_env()?;
    /// # Ok::<(), clerk_actix::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(ENV_VAR) {
            Ok(value) => Self::new(&value),
            Err(std::env::VarError::NotPresent) => Self::new(""),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::Invalid {
                name: ENV_VAR,
                reason: "it is not valid UTF-8".to_owned(),
                help: HELP,
            }),
        }
    }

    /// A fresh HMAC keyed with this secret.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use hmac::Mac;

    use super::*;

    fn reason(secret: &str) -> String {
        WebhookSecret::new(secret).unwrap_err().to_string()
    }

    #[test]
    fn the_key_is_the_base64_part_after_the_prefix() {
        // HMAC-SHA256 with key b"key" over b"msg", from Python's hmac module.
        let secret = WebhookSecret::new("whsec_a2V5").unwrap();
        let tag = secret.mac().chain_update(b"msg").finalize().into_bytes();
        assert_eq!(
            tag.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628"
        );
    }

    #[test]
    fn padding_and_surrounding_whitespace_are_tolerated() {
        let padded = WebhookSecret::new("whsec_a2V5MQ==").unwrap();
        let unpadded = WebhookSecret::new("  whsec_a2V5MQ\n").unwrap();
        assert_eq!(
            padded.mac().chain_update(b"x").finalize(),
            unpadded.mac().chain_update(b"x").finalize()
        );
    }

    #[test]
    fn malformed_secrets_are_start_up_errors_that_hide_the_value() {
        assert!(reason("").starts_with("CLERK_WEBHOOK_SIGNING_SECRET is missing"));
        assert!(reason(" \n").starts_with("CLERK_WEBHOOK_SIGNING_SECRET is missing"));
        assert!(reason("sk_live_hunter2").contains("does not start with `whsec_`"));
        assert!(reason("whsec_").contains("empty"));
        let not_base64 = reason("whsec_hunter2*");
        assert!(not_base64.contains("not base64"), "{not_base64}");
        for message in [
            reason("sk_live_hunter2"),
            not_base64,
            format!("{:?}", WebhookSecret::new("whsec_hunter2*")),
        ] {
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let secret = WebhookSecret::new("whsec_a2V5").unwrap();
        assert_eq!(format!("{secret:?}"), "WebhookSecret([redacted])");
        assert!(!format!("{secret:#?}").contains("a2V5"));
    }
}
