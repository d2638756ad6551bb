//! Organizations and memberships.

use serde::{Deserialize, Serialize};

use super::Metadata;
use super::serde_helpers::null_default;

/// An organization (`"object": "organization"`).
///
/// ```
/// let org: clerk_actix::models::Organization = serde_json::from_str(
///     r#"{"object":"organization","id":"org_1","name":"Acme","slug":"acme","members_count":3}"#,
/// ).unwrap();
/// assert_eq!(org.slug, "acme");
/// assert_eq!(org.members_count, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organization {
    /// Always `"organization"`.
    #[serde(default)]
    pub object: String,
    /// Organization id (`org_...`).
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// URL-friendly unique slug.
    #[serde(default, deserialize_with = "null_default")]
    pub slug: String,
    /// Logo URL.
    pub image_url: Option<String>,
    /// Whether a logo was uploaded.
    #[serde(default, deserialize_with = "null_default")]
    pub has_image: bool,
    /// Member count; only sent when asked for with `include_members_count`.
    pub members_count: Option<u64>,
    /// Whether no member holds an elevated role; only sent when asked for.
    pub missing_member_with_elevated_permissions: Option<bool>,
    /// Pending invitations, where Clerk includes it.
    pub pending_invitations_count: Option<u64>,
    /// Membership limit (`0` means unlimited).
    #[serde(default, deserialize_with = "null_default")]
    pub max_allowed_memberships: u64,
    /// Whether admins may delete the organization.
    #[serde(default, deserialize_with = "null_default")]
    pub admin_delete_enabled: bool,
    /// Public metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Private metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub private_metadata: Metadata,
    /// Id of the creating user.
    pub created_by: Option<String>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Last activity (Unix ms).
    pub last_active_at: Option<i64>,
    /// Role set the organization uses.
    pub role_set_key: Option<String>,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A user's membership in an organization (`"object": "organization_membership"`).
///
/// ```
/// let membership: clerk_actix::models::OrganizationMembership = serde_json::from_str(r#"{
///     "object": "organization_membership", "id": "orgmem_1", "role": "org:admin",
///     "permissions": ["org:sys_memberships:manage"],
///     "organization": {"object": "organization", "id": "org_1", "name": "Acme", "slug": "acme"},
///     "public_user_data": {"user_id": "user_1", "identifier": "ada@example.com"}
/// }"#).unwrap();
/// assert_eq!(membership.role, "org:admin");
/// assert_eq!(membership.public_user_data.unwrap().user_id, "user_1");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationMembership {
    /// Always `"organization_membership"`.
    #[serde(default)]
    pub object: String,
    /// Membership id (`orgmem_...`).
    pub id: String,
    /// Role key, e.g. `org:admin`.
    #[serde(default, deserialize_with = "null_default")]
    pub role: String,
    /// Role display name.
    pub role_name: Option<String>,
    /// Permission keys granted by the role (`org:<feature>:<permission>`).
    #[serde(default, deserialize_with = "null_default")]
    pub permissions: Vec<String>,
    /// Public metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub public_metadata: Metadata,
    /// Private metadata.
    #[serde(default, deserialize_with = "null_default")]
    pub private_metadata: Metadata,
    /// The organization.
    pub organization: Organization,
    /// Public data of the member.
    pub public_user_data: Option<PublicUserData>,
    /// Creation time (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub created_at: i64,
    /// Last update (Unix ms).
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at: i64,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// Public data of a user, as embedded in memberships and invitations.
///
/// ```
/// let data: clerk_actix::models::PublicUserData =
///     serde_json::from_str(r#"{"user_id":"user_1","first_name":null,"has_image":false}"#).unwrap();
/// assert_eq!(data.first_name, None);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicUserData {
    /// User id.
    #[serde(default)]
    pub user_id: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Image URL.
    #[serde(default, deserialize_with = "null_default")]
    pub image_url: String,
    /// Whether the user uploaded an image.
    #[serde(default, deserialize_with = "null_default")]
    pub has_image: bool,
    /// The user's primary identifier (email, phone or username).
    pub identifier: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// Whether the user is banned.
    #[serde(default, deserialize_with = "null_default")]
    pub banned: bool,
    /// Whether the user was deprovisioned.
    #[serde(default, deserialize_with = "null_default")]
    pub deprovisioned: bool,
    /// Fields this version of the crate does not model.
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_membership_example_parses() {
        let json = r#"{"object":"organization_membership","id":"orgmem_2g7n","role":"org:member",
         "role_name":"Member","permissions":["org:posts:read","org:posts:write"],"public_metadata":{},
         "private_metadata":{},"organization":{"object":"organization","id":"org_2g7n",
         "name":"Acme Corp","slug":"acme-corp","image_url":"https://img.clerk.com/xxxxxx","has_image":true,
         "members_count":2,"missing_member_with_elevated_permissions":false,"pending_invitations_count":0,
         "max_allowed_memberships":5,"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},
         "created_by":"user_2g7n","created_at":1716883200000,"updated_at":1716883200000},
         "public_user_data":{"user_id":"user_2h8o","first_name":"Jane","last_name":"Doe",
         "profile_image_url":"https://img.clerk.com/yyyyy","image_url":"https://img.clerk.com/yyyyy","has_image":true,
         "identifier":"jane.doe@acme.com"},"created_at":1716883200000,"updated_at":1716883200000}"#;
        let membership: OrganizationMembership = serde_json::from_str(json).unwrap();
        assert_eq!(
            membership.permissions,
            ["org:posts:read", "org:posts:write"]
        );
        assert_eq!(membership.organization.max_allowed_memberships, 5);
        let user = membership.public_user_data.unwrap();
        assert_eq!(user.identifier.as_deref(), Some("jane.doe@acme.com"));
        assert!(user.extra.contains_key("profile_image_url"));
    }
}
