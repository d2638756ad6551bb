//! Clerk's webhook event envelope and its typed `data`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::WebhookError;
use crate::models::{
    DeletedObject, Metadata, Organization, OrganizationInvitation, OrganizationMembership, Session,
    User,
};

/// A verified webhook delivery: Clerk's event envelope with its `data` parsed by event type.
///
/// ```
/// use clerk_actix::webhooks::{WebhookEvent, WebhookEventData};
///
/// fn on_event(event: &WebhookEvent) -> String {
///     match &event.data {
///         WebhookEventData::UserCreated(user) | WebhookEventData::UserUpdated(user) => {
///             format!("upsert {}", user.id)
///         }
///         WebhookEventData::UserDeleted(deleted) => format!("delete {:?}", deleted.id),
///         WebhookEventData::Unknown { event_type, .. } => format!("not handled: {event_type}"),
///         _ => format!("not handled: {}", event.event_type),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The delivery's `svix-id`. Retries of one event keep it: deduplicate on it.
    pub message_id: String,
    /// The event type, e.g. `user.created` (the envelope's `type`).
    pub event_type: String,
    /// The event's resource, typed for the event types this crate knows.
    pub data: WebhookEventData,
    /// Always `"event"`.
    pub object: String,
    /// When Clerk created the event, as Clerk sends it (Unix milliseconds in live deliveries;
    /// the published examples show seconds). `0` if absent.
    pub timestamp: i64,
    /// The Clerk instance (`ins_...`) the event belongs to; empty if absent.
    pub instance_id: String,
    /// Context of the request that caused the event (`http_request.client_ip`,
    /// `http_request.user_agent`...), as sent.
    pub event_attributes: Metadata,
}

/// The `data` of an event, by event type.
///
/// Types without a variant here (emails, SMS, roles, domains, billing, waitlist, and any type
/// Clerk adds later) arrive as [`Unknown`](Self::Unknown) with the raw JSON, so a new event type
/// never breaks verification. A type gaining a variant in a later version moves out of
/// `Unknown`, hence `#[non_exhaustive]`.
///
/// `Unknown` data is printed verbatim by `Debug`; some of it (the body of `email.created`)
/// holds one-time codes, so do not log it wholesale.
///
/// ```
/// use clerk_actix::webhooks::WebhookEventData;
///
/// fn user_id(data: &WebhookEventData) -> Option<&str> {
///     match data {
///         WebhookEventData::UserCreated(user) => Some(&user.id),
///         WebhookEventData::SessionCreated(created) => Some(&created.session.user_id),
///         WebhookEventData::OrganizationMembershipCreated(membership) => {
///             membership.public_user_data.as_ref().map(|data| data.user_id.as_str())
///         }
///         _ => None,
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEventData {
    /// `user.created`.
    UserCreated(User),
    /// `user.updated`.
    UserUpdated(User),
    /// `user.deleted`: only the id (and `external_id`) remain.
    UserDeleted(DeletedObject),
    /// `session.created`.
    SessionCreated(SessionWithUser),
    /// `session.pending`: signed in with tasks left (e.g. choosing an organization).
    SessionPending(SessionWithUser),
    /// `session.ended`: the user signed out.
    SessionEnded(SessionWithUser),
    /// `session.removed`.
    SessionRemoved(SessionWithUser),
    /// `session.revoked`: revoked from the Dashboard or the Backend API.
    SessionRevoked(SessionWithUser),
    /// `organization.created`.
    OrganizationCreated(Organization),
    /// `organization.updated`.
    OrganizationUpdated(Organization),
    /// `organization.deleted`: only the id (and slug) remain.
    OrganizationDeleted(DeletedObject),
    /// `organizationMembership.created`.
    OrganizationMembershipCreated(OrganizationMembership),
    /// `organizationMembership.updated`.
    OrganizationMembershipUpdated(OrganizationMembership),
    /// `organizationMembership.deleted`: the membership as it was.
    OrganizationMembershipDeleted(OrganizationMembership),
    /// `organizationInvitation.created`.
    OrganizationInvitationCreated(OrganizationInvitation),
    /// `organizationInvitation.accepted` (the accepting user's id is in `extra["user_id"]`).
    OrganizationInvitationAccepted(OrganizationInvitation),
    /// `organizationInvitation.revoked`.
    OrganizationInvitationRevoked(OrganizationInvitation),
    /// Any other event type, with its `data` as sent.
    Unknown {
        /// The event type.
        event_type: String,
        /// The raw `data`.
        data: Value,
    },
}

/// The `data` of `session.*` events: the session, plus the user it belongs to.
///
/// ```
/// use clerk_actix::webhooks::SessionWithUser;
///
/// let data: SessionWithUser = serde_json::from_str(r#"{
///     "object": "session", "id": "sess_1", "user_id": "user_1", "status": "active",
///     "user": {"object": "user", "id": "user_1", "first_name": "Ada"}
/// }"#)?;
/// assert_eq!(data.session.id, "sess_1");
/// assert_eq!(data.user.unwrap().first_name.as_deref(), Some("Ada"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionWithUser {
    /// The session.
    #[serde(flatten)]
    pub session: Session,
    /// The session's user; Clerk includes it in session events.
    pub user: Option<User>,
}

/// Clerk's envelope, before `data` is typed. Only `type` and `data` are required: the rest is
/// informational, and a missing field should not turn a signed event into a 400.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    event_type: String,
    data: Value,
    object: Option<String>,
    timestamp: Option<i64>,
    instance_id: Option<String>,
    event_attributes: Option<Metadata>,
}

impl WebhookEvent {
    /// Parses a body whose signature has been verified.
    pub(crate) fn from_verified(message_id: String, body: &[u8]) -> Result<Self, WebhookError> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|source| WebhookError::MalformedPayload {
                reason: envelope_problem(&source),
                source,
            })?;
        let data = WebhookEventData::parse(&envelope.event_type, envelope.data)?;
        Ok(Self {
            message_id,
            event_type: envelope.event_type,
            data,
            object: envelope.object.unwrap_or_default(),
            timestamp: envelope.timestamp.unwrap_or_default(),
            instance_id: envelope.instance_id.unwrap_or_default(),
            event_attributes: envelope.event_attributes.unwrap_or_default(),
        })
    }
}

/// Describes a JSON error by kind and position only: serde's own message may quote the payload.
fn envelope_problem(error: &serde_json::Error) -> String {
    match error.classify() {
        serde_json::error::Category::Data => {
            "the body is not an event object with a string `type` and a `data`".to_owned()
        }
        _ => format!(
            "the body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    }
}

impl WebhookEventData {
    fn parse(event_type: &str, data: Value) -> Result<Self, WebhookError> {
        Ok(match event_type {
            "user.created" => Self::UserCreated(typed(event_type, data)?),
            "user.updated" => Self::UserUpdated(typed(event_type, data)?),
            "user.deleted" => Self::UserDeleted(typed(event_type, data)?),
            "session.created" => Self::SessionCreated(typed(event_type, data)?),
            "session.pending" => Self::SessionPending(typed(event_type, data)?),
            "session.ended" => Self::SessionEnded(typed(event_type, data)?),
            "session.removed" => Self::SessionRemoved(typed(event_type, data)?),
            "session.revoked" => Self::SessionRevoked(typed(event_type, data)?),
            "organization.created" => Self::OrganizationCreated(typed(event_type, data)?),
            "organization.updated" => Self::OrganizationUpdated(typed(event_type, data)?),
            "organization.deleted" => Self::OrganizationDeleted(typed(event_type, data)?),
            "organizationMembership.created" => {
                Self::OrganizationMembershipCreated(typed(event_type, data)?)
            }
            "organizationMembership.updated" => {
                Self::OrganizationMembershipUpdated(typed(event_type, data)?)
            }
            "organizationMembership.deleted" => {
                Self::OrganizationMembershipDeleted(typed(event_type, data)?)
            }
            "organizationInvitation.created" => {
                Self::OrganizationInvitationCreated(typed(event_type, data)?)
            }
            "organizationInvitation.accepted" => {
                Self::OrganizationInvitationAccepted(typed(event_type, data)?)
            }
            "organizationInvitation.revoked" => {
                Self::OrganizationInvitationRevoked(typed(event_type, data)?)
            }
            _ => Self::Unknown {
                event_type: event_type.to_owned(),
                data,
            },
        })
    }
}

fn typed<T: DeserializeOwned>(event_type: &str, data: Value) -> Result<T, WebhookError> {
    T::deserialize(data).map_err(|source| WebhookError::MalformedPayload {
        reason: format!("the `data` of this `{event_type}` event does not have Clerk's shape"),
        source,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every example of Clerk's webhooks spec (`webhooks_2025-04-15.yml`), by event type.
    fn spec_examples() -> serde_json::Map<String, Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/webhooks/spec_examples.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn parse(example: &Value) -> Result<WebhookEvent, WebhookError> {
        WebhookEvent::from_verified("msg_1".to_owned(), example.to_string().as_bytes())
    }

    /// The variant's name, checked against the event type it came from.
    fn variant(data: &WebhookEventData) -> &'static str {
        use WebhookEventData as D;
        match data {
            D::UserCreated(_) => "user.created",
            D::UserUpdated(_) => "user.updated",
            D::UserDeleted(_) => "user.deleted",
            D::SessionCreated(_) => "session.created",
            D::SessionPending(_) => "session.pending",
            D::SessionEnded(_) => "session.ended",
            D::SessionRemoved(_) => "session.removed",
            D::SessionRevoked(_) => "session.revoked",
            D::OrganizationCreated(_) => "organization.created",
            D::OrganizationUpdated(_) => "organization.updated",
            D::OrganizationDeleted(_) => "organization.deleted",
            D::OrganizationMembershipCreated(_) => "organizationMembership.created",
            D::OrganizationMembershipUpdated(_) => "organizationMembership.updated",
            D::OrganizationMembershipDeleted(_) => "organizationMembership.deleted",
            D::OrganizationInvitationCreated(_) => "organizationInvitation.created",
            D::OrganizationInvitationAccepted(_) => "organizationInvitation.accepted",
            D::OrganizationInvitationRevoked(_) => "organizationInvitation.revoked",
            D::Unknown { .. } => "unknown",
        }
    }

    #[test]
    fn every_spec_example_parses_into_its_variant() {
        let examples = spec_examples();
        assert_eq!(examples.len(), 45, "the spec's 45 event types");
        let mut typed = 0;
        for (event_type, example) in &examples {
            let event = parse(example).unwrap_or_else(|e| panic!("{event_type}: {e:?}"));
            assert_eq!(&event.event_type, event_type);
            assert_eq!(event.object, "event");
            assert!(event.instance_id.starts_with("ins_"), "{event_type}");
            assert_eq!(event.timestamp, 1_716_883_200, "{event_type}");
            assert!(
                event.event_attributes["http_request"]["client_ip"].is_string(),
                "{event_type}"
            );
            match &event.data {
                WebhookEventData::Unknown {
                    event_type: raw_type,
                    data,
                } => {
                    assert_eq!(raw_type, event_type);
                    assert_eq!(data, &example["data"], "{event_type}: data kept verbatim");
                }
                known => {
                    typed += 1;
                    assert_eq!(variant(known), event_type);
                }
            }
        }
        assert_eq!(typed, 17, "user.* 3, session.* 5, organization* 9");
    }

    #[test]
    fn typed_variants_carry_the_example_fields() {
        let examples = spec_examples();
        let data = |event_type: &str| parse(&examples[event_type]).unwrap().data;

        let WebhookEventData::UserCreated(user) = data("user.created") else {
            panic!("user.created")
        };
        assert_eq!(user.id, "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
        assert_eq!(user.first_name.as_deref(), Some("John"));

        let WebhookEventData::UserDeleted(deleted) = data("user.deleted") else {
            panic!("user.deleted")
        };
        assert!(deleted.deleted);
        assert_eq!(deleted.external_id.as_deref(), Some("ex_123456789"));

        let WebhookEventData::OrganizationUpdated(org) = data("organization.updated") else {
            panic!("organization.updated")
        };
        assert_eq!(org.slug, "acme-corp-updated");
        assert_eq!(org.private_metadata["internal_id"], "ORG-123");

        let WebhookEventData::OrganizationDeleted(deleted) = data("organization.deleted") else {
            panic!("organization.deleted")
        };
        assert_eq!(deleted.slug.as_deref(), Some("acme-corp"));

        let WebhookEventData::OrganizationMembershipDeleted(membership) =
            data("organizationMembership.deleted")
        else {
            panic!("organizationMembership.deleted")
        };
        assert_eq!(membership.role, "org:member");
        assert_eq!(
            membership.organization.id,
            "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S"
        );

        let WebhookEventData::OrganizationInvitationCreated(invitation) =
            data("organizationInvitation.created")
        else {
            panic!("organizationInvitation.created")
        };
        assert_eq!(invitation.email_address, "jane.doe@acme.com");
        // The acceptance link embeds a ticket: redacted in Debug.
        assert!(!format!("{invitation:?}").contains("token=abc123"));
    }

    #[test]
    fn session_events_carry_the_session_and_its_user() {
        let examples = spec_examples();
        for event_type in [
            "session.created",
            "session.pending",
            "session.ended",
            "session.removed",
            "session.revoked",
        ] {
            let event = parse(&examples[event_type]).unwrap();
            let (WebhookEventData::SessionCreated(data)
            | WebhookEventData::SessionPending(data)
            | WebhookEventData::SessionEnded(data)
            | WebhookEventData::SessionRemoved(data)
            | WebhookEventData::SessionRevoked(data)) = event.data
            else {
                panic!("{event_type}")
            };
            let user = data.user.unwrap_or_else(|| panic!("{event_type}: user"));
            assert_eq!(user.id, data.session.user_id, "{event_type}");
            assert!(data.session.id.starts_with("sess_"), "{event_type}");
            assert!(
                !data.session.extra.contains_key("user"),
                "{event_type}: the user is typed, not left in extra"
            );
        }
    }

    #[test]
    fn a_missing_session_user_is_none() {
        let event = parse(&json!({
            "type": "session.ended",
            "data": {"id": "sess_1", "user_id": "user_1", "status": "ended"}
        }))
        .unwrap();
        let WebhookEventData::SessionEnded(data) = event.data else {
            panic!("session.ended")
        };
        assert_eq!(data.user, None);
        assert_eq!(data.session.status, crate::models::SessionStatus::Ended);
    }

    #[test]
    fn unknown_types_keep_their_data_verbatim_even_when_odd() {
        for data in [
            json!(null),
            json!([1, 2]),
            json!("text"),
            json!({"nested": {"a": 1}}),
        ] {
            let event = parse(&json!({"type": "billing.somethingNew", "data": data})).unwrap();
            assert_eq!(
                event.data,
                WebhookEventData::Unknown {
                    event_type: "billing.somethingNew".to_owned(),
                    data,
                }
            );
        }
    }

    #[test]
    fn optional_envelope_fields_default() {
        let event = parse(&json!({"type": "user.deleted", "data": {"id": "user_1"}})).unwrap();
        assert_eq!(event.object, "");
        assert_eq!(event.timestamp, 0);
        assert_eq!(event.instance_id, "");
        assert!(event.event_attributes.is_empty());
        let event = parse(&json!({
            "type": "user.deleted", "data": {"id": "user_1"}, "event_attributes": null,
            "instance_id": null, "timestamp": null, "object": null
        }))
        .unwrap();
        assert!(event.event_attributes.is_empty());
    }

    #[test]
    fn payload_errors_describe_the_problem_without_quoting_it() {
        let cases = [
            (
                &b"{\"type\": \"user.created\", \"data\": {\"id\": \"PRIVATE\""[..],
                "not valid JSON",
            ),
            (b"{\"type\": 5, \"data\": \"PRIVATE\"}", "string `type`"),
            (
                b"{\"type\": \"user.updated\", \"data\": {\"id\": [\"PRIVATE\"]}}",
                "`user.updated` event",
            ),
        ];
        for (body, expected) in cases {
            let err = WebhookEvent::from_verified("msg".to_owned(), body).unwrap_err();
            let message = err.to_string();
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains("PRIVATE"), "{message}");
            assert_eq!(err.code(), "webhook_malformed_payload");
        }
    }
}
