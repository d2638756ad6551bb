//! Clients (a browser or device holding sessions) and handshake payloads.

use serde::{Deserialize, Serialize};

use super::serde_helpers::null_default;
use super::{Metadata, SensitiveString, Session};

/// A client: one browser or device and its sessions (`"object": "client"`).
///
/// ```
/// let client: clerk_actix::models::Client = serde_json::from_str(
///     r#"{"object":"client","id":"client_1","session_ids":["sess_1"],"sessions":[]}"#,
/// ).unwrap();
/// assert_eq!(client.session_ids, ["sess_1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Client {
    /// Always `"client"`.
    #[serde(default)]
    pub object: String,
    /// Client id (`client_...`).
    pub id: String,
    /// Ids of its sessions.
    #[serde(default, deserialize_with = "null_default")]
    pub session_ids: Vec<String>,
    /// Its sessions.
    #[serde(default, deserialize_with = "null_default")]
    pub sessions: Vec<Session>,
    /// Sign-in in progress.
    pub sign_in_id: Option<String>,
    /// Sign-up in progress.
    pub sign_up_id: Option<String>,
    /// Last active session.
    pub last_active_session_id: Option<String>,
    /// Strategy of the last authentication.
    pub last_authentication_strategy: Option<String>,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// What `GET /clients/handshake_payload?nonce=` answers: `Set-Cookie` directives to apply
/// verbatim after a handshake.
///
/// ```
/// let payload: clerk_actix::models::HandshakePayload =
///     serde_json::from_str(r#"{"directives":["__session=x; Path=/"]}"#).unwrap();
/// assert_eq!(payload.directives[0].expose(), "__session=x; Path=/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HandshakePayload {
    /// Cookie directives (they carry session tokens, hence redacted in `Debug`).
    #[serde(default, deserialize_with = "null_default")]
    pub directives: Vec<SensitiveString>,
}
