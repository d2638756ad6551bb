//! Sessions, session tokens and session refresh results.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::serde_helpers::null_default;
use super::string_enum::string_enum;
use super::{Metadata, SensitiveString};

string_enum! {
    /// Lifecycle state of a session.
    ///
    /// ```
    /// use clerk_actix::models::SessionStatus;
    ///
    /// assert_eq!(SessionStatus::from("active"), SessionStatus::Active);
    /// assert_eq!(SessionStatus::from("paused").as_str(), "paused");
    /// ```
    pub enum SessionStatus {
        /// Signed in.
        Active => "active",
        /// Revoked from the backend.
        Revoked => "revoked",
        /// Signed out.
        Ended => "ended",
        /// Past its lifetime.
        Expired => "expired",
        /// Removed by the user.
        Removed => "removed",
        /// Inactive for too long.
        Abandoned => "abandoned",
        /// Replaced by another session.
        Replaced => "replaced",
        /// Signed in but with tasks left to complete.
        Pending => "pending",
    }
}

/// A session (`"object": "session"`).
///
/// ```
/// use clerk_actix::models::{Session, SessionStatus};
///
/// let session: Session = serde_json::from_str(
///     r#"{"object":"session","id":"sess_1","user_id":"user_1","client_id":"client_1","status":"active"}"#,
/// ).unwrap();
/// assert_eq!(session.status, SessionStatus::Active);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Session {
    /// Always `"session"`.
    #[serde(default)]
    pub object: String,
    /// Session id (`sess_...`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Client (browser/device) the session lives on.
    #[serde(default, deserialize_with = "null_default")]
    pub client_id: String,
    /// Impersonator, when the session was created with an actor token.
    pub actor: Option<Metadata>,
    /// Lifecycle state.
    #[serde(default)]
    pub status: SessionStatus,
    /// Active organization.
    pub last_active_organization_id: Option<String>,
    /// Last activity (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub last_active_at: i64,
    /// Device and location of the latest activity.
    pub latest_activity: Option<SessionActivity>,
    /// Expiry (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub expire_at: i64,
    /// When it will be abandoned if inactive (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub abandon_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Tasks the user must complete (pending sessions).
    #[serde(default, deserialize_with = "null_default")]
    pub tasks: Vec<SessionTask>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// Device and location of a session's latest activity.
///
/// ```
/// let activity: clerk_actix::models::SessionActivity =
///     serde_json::from_str(r#"{"id":"sess_activity_1","is_mobile":false,"city":"Berlin"}"#).unwrap();
/// assert_eq!(activity.city.as_deref(), Some("Berlin"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionActivity {
    /// Object kind.
    #[serde(default)]
    pub object: String,
    /// Activity id.
    #[serde(default)]
    pub id: String,
    /// Device type.
    pub device_type: Option<String>,
    /// Whether the device is mobile.
    #[serde(default, deserialize_with = "null_default")]
    pub is_mobile: bool,
    /// Browser name.
    pub browser_name: Option<String>,
    /// Browser version.
    pub browser_version: Option<String>,
    /// IP address.
    pub ip_address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A task a pending session must complete (`{"key": "choose-organization"}`).
///
/// ```
/// let task: clerk_actix::models::SessionTask = serde_json::from_str(r#"{"key":"reset-password"}"#).unwrap();
/// assert_eq!(task.key, "reset-password");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionTask {
    /// Task key.
    #[serde(default)]
    pub key: String,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A session token minted by `POST /sessions/{id}/tokens[/{template}]` (`"object": "token"`).
///
/// ```
/// let token: clerk_actix::models::Token =
///     serde_json::from_str(r#"{"object":"token","jwt":"eyJhbGciOi..."}"#).unwrap();
/// assert!(token.jwt.expose().starts_with("eyJ"));
/// assert!(!format!("{token:?}").contains("eyJ"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Token {
    /// Always `"token"`.
    #[serde(default)]
    pub object: String,
    /// The JWT.
    pub jwt: SensitiveString,
}

/// What `POST /sessions/{id}/refresh` answers: a token, or `Set-Cookie` directives when the
/// request asked for `format: cookie`.
///
/// ```
/// use clerk_actix::models::SessionRefresh;
///
/// let refreshed: SessionRefresh = serde_json::from_str(
///     r#"{"object":"cookies","cookies":["__session=abc; Path=/"]}"#,
/// ).unwrap();
/// match refreshed {
///     SessionRefresh::Cookies(cookies) => assert_eq!(cookies.len(), 1),
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionRefresh {
    /// `{"object": "token", "jwt": ...}`.
    Token(Token),
    /// `{"object": "cookies", "cookies": [...]}`: directives to send as `Set-Cookie`, verbatim.
    Cookies(Vec<SensitiveString>),
}

impl<'de> Deserialize<'de> for SessionRefresh {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut object = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        if let Some(cookies) = object.remove("cookies") {
            let cookies = Option::<Vec<SensitiveString>>::deserialize(cookies)
                .map_err(D::Error::custom)?
                .unwrap_or_default();
            return Ok(Self::Cookies(cookies));
        }
        if object.contains_key("jwt") {
            let token = Token::deserialize(Value::Object(object)).map_err(D::Error::custom)?;
            return Ok(Self::Token(token));
        }
        Err(D::Error::custom("expected a `jwt` or `cookies` field"))
    }
}

impl Serialize for SessionRefresh {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Cookies<'a> {
            object: &'static str,
            cookies: &'a [SensitiveString],
        }
        match self {
            Self::Token(token) => token.serialize(serializer),
            Self::Cookies(cookies) => Cookies {
                object: "cookies",
                cookies,
            }
            .serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_example_parses_with_unknown_status_and_fields() {
        let session: Session = serde_json::from_str(
            r#"{"object":"session","id":"sess_2g","user_id":"user_2g","client_id":"client_2g","actor":null,
             "status":"hibernating","last_active_organization_id":null,"last_active_at":1716883200000,
             "latest_activity":{"object":"session_activity","id":"sess_activity_2g7n","is_mobile":false,
               "browser_name":"Chrome","ip_address":"203.0.113.7","city":"Berlin","country":"DE","os":"linux"},
             "expire_at":1717488000000,"abandon_at":1719475200000,"updated_at":1716883200000,
             "created_at":1716883200000,"tasks":null,"factor_verification_age":[0,-1]}"#,
        )
        .unwrap();
        assert_eq!(session.status, SessionStatus::Unknown("hibernating".into()));
        assert_eq!(session.expire_at, 1_717_488_000_000);
        let activity = session.latest_activity.unwrap();
        assert_eq!(activity.country.as_deref(), Some("DE"));
        assert_eq!(activity.extra["os"], "linux");
        assert!(session.extra.contains_key("factor_verification_age"));
    }

    #[test]
    fn refresh_token_shape_parses_and_round_trips() {
        let json = r#"{"object":"token","jwt":"a.b.c"}"#;
        let refreshed: SessionRefresh = serde_json::from_str(json).unwrap();
        let SessionRefresh::Token(token) = &refreshed else {
            panic!("expected a token");
        };
        assert_eq!(token.jwt.expose(), "a.b.c");
        assert!(!format!("{refreshed:?}").contains("a.b.c"));
        assert_eq!(serde_json::to_string(&refreshed).unwrap(), json);
        assert!(serde_json::from_str::<SessionRefresh>(r#"{"object":"other"}"#).is_err());
    }
}
