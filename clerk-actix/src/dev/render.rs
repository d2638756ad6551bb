//! Stored records rendered as the Backend API's JSON resources (`object` field, ms timestamps).

use serde_json::{Value, json};

use super::store::{Invitation, Membership, Organization, Session, Store, User};

impl Store {
    fn image_url(&self, id: &str) -> String {
        // Clerk always returns an image URL (a generated avatar when none was uploaded).
        format!("https://img.clerk.com/dev/{id}")
    }

    pub(crate) fn render_user(&self, user: &User, now: i64) -> Value {
        let emails: Vec<Value> = user
            .emails
            .iter()
            .map(|e| {
                json!({
                    "id": e.id,
                    "object": "email_address",
                    "email_address": e.address,
                    "reserved": false,
                    "verification": {
                        "object": "verification_admin",
                        "status": "verified",
                        "strategy": "admin",
                        "attempts": null,
                        "expire_at": null,
                    },
                    "linked_to": [],
                    "matches_sso_connection": false,
                    "created_at": e.created_at,
                    "updated_at": e.created_at,
                })
            })
            .collect();
        let locked = user.is_locked(now);
        let mut user_json = json!({
            "object": "user",
            "id": user.id,
            "external_id": user.external_id,
            "primary_email_address_id": user.primary_email_id,
            "primary_phone_number_id": null,
            "primary_web3_wallet_id": null,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "locale": user.locale,
            "profile_image_url": self.image_url(&user.id),
            "image_url": self.image_url(&user.id),
            "has_image": false,
            "public_metadata": user.public_metadata,
            "private_metadata": user.private_metadata,
            "unsafe_metadata": user.unsafe_metadata,
            "email_addresses": emails,
            "phone_numbers": [],
            "web3_wallets": [],
            "passkeys": [],
            "password_enabled": user.password_enabled,
            "two_factor_enabled": false,
            "totp_enabled": false,
            "backup_code_enabled": false,
            "mfa_enabled_at": null,
            "mfa_disabled_at": null,
        });
        // Two literals: one would exceed `json!`'s macro recursion limit.
        let rest = json!({
            "external_accounts": [],
            "saml_accounts": [],
            "enterprise_accounts": [],
            "last_sign_in_at": user.last_sign_in_at,
            "banned": user.banned,
            "locked": locked,
            "deprovisioned": false,
            "bypass_client_trust": false,
            "lockout_expires_in_seconds": user
                .locked_until
                .filter(|_| locked)
                .map(|until| (until - now) / 1000),
            "verification_attempts_remaining": null,
            "updated_at": user.updated_at,
            "created_at": user.created_at,
            "delete_self_enabled": user.delete_self_enabled,
            "create_organization_enabled": user.create_organization_enabled,
            "create_organizations_limit": user.create_organizations_limit,
            "last_active_at": user.last_active_at,
            "legal_accepted_at": null,
        });
        if let (Some(map), Value::Object(rest)) = (user_json.as_object_mut(), rest) {
            map.extend(rest);
        }
        user_json
    }

    pub(crate) fn render_organization(&self, org: &Organization, with_counts: bool) -> Value {
        let mut value = json!({
            "object": "organization",
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "image_url": self.image_url(&org.id),
            "has_image": false,
            "max_allowed_memberships": org.max_allowed_memberships,
            "admin_delete_enabled": org.admin_delete_enabled,
            "public_metadata": org.public_metadata,
            "private_metadata": org.private_metadata,
            "created_by": org.created_by.clone().unwrap_or_default(),
            "created_at": org.created_at,
            "updated_at": org.updated_at,
        });
        if with_counts {
            let members = self
                .memberships
                .iter()
                .filter(|m| m.organization_id == org.id)
                .count();
            let pending = self
                .invitations
                .iter()
                .filter(|i| i.organization_id.as_deref() == Some(&org.id) && i.status == "pending")
                .count();
            value["members_count"] = json!(members);
            value["pending_invitations_count"] = json!(pending);
        }
        value
    }

    pub(crate) fn role_name(&self, key: &str) -> String {
        self.role(key).map_or_else(
            || key.trim_start_matches("org:").to_owned(),
            |r| r.name.clone(),
        )
    }

    pub(crate) fn render_membership(&self, membership: &Membership) -> Value {
        let organization = self
            .organization(&membership.organization_id)
            .map(|o| self.render_organization(o, true))
            .unwrap_or(Value::Null);
        let user = self.user(&membership.user_id).ok();
        json!({
            "object": "organization_membership",
            "id": membership.id,
            "role": membership.role,
            "role_name": self.role_name(&membership.role),
            "permissions": self.role(&membership.role).map(|r| r.permissions.clone()).unwrap_or_default(),
            "public_metadata": membership.public_metadata,
            "private_metadata": membership.private_metadata,
            "organization": organization,
            "public_user_data": {
                "user_id": membership.user_id,
                "first_name": user.and_then(|u| u.first_name.clone()),
                "last_name": user.and_then(|u| u.last_name.clone()),
                "profile_image_url": self.image_url(&membership.user_id),
                "image_url": self.image_url(&membership.user_id),
                "has_image": false,
                "identifier": user.and_then(|u| u.primary_email()),
                "username": user.and_then(|u| u.username.clone()),
                "banned": user.is_some_and(|u| u.banned),
            },
            "created_at": membership.created_at,
            "updated_at": membership.updated_at,
        })
    }

    pub(crate) fn render_invitation(
        &self,
        invitation: &Invitation,
        origin: &str,
        now: i64,
    ) -> Value {
        let status = invitation.effective_status(now);
        let url = (status == "pending")
            .then(|| format!("{origin}/sign-up?__clerk_ticket={}", invitation.ticket));
        match &invitation.organization_id {
            None => json!({
                "object": "invitation",
                "id": invitation.id,
                "email_address": invitation.email_address,
                "public_metadata": invitation.public_metadata,
                "revoked": status == "revoked",
                "status": status,
                "url": url,
                "expires_at": invitation.expires_at,
                "created_at": invitation.created_at,
                "updated_at": invitation.updated_at,
            }),
            Some(org) => {
                let inviter = invitation
                    .inviter_id
                    .as_deref()
                    .and_then(|id| self.user(id).ok());
                let role = invitation.role.clone().unwrap_or_default();
                json!({
                    "object": "organization_invitation",
                    "id": invitation.id,
                    "email_address": invitation.email_address,
                    "role": role,
                    "role_name": self.role_name(&role),
                    "organization_id": org,
                    "inviter_id": invitation.inviter_id,
                    "public_inviter_data": inviter.map(|u| json!({
                        "user_id": u.id,
                        "first_name": u.first_name,
                        "last_name": u.last_name,
                        "image_url": self.image_url(&u.id),
                        "has_image": false,
                        "identifier": u.primary_email(),
                    })),
                    "status": status,
                    "public_metadata": invitation.public_metadata,
                    "private_metadata": invitation.private_metadata,
                    "url": url,
                    "expires_at": invitation.expires_at,
                    "created_at": invitation.created_at,
                    "updated_at": invitation.updated_at,
                })
            }
        }
    }

    pub(crate) fn render_session(&self, session: &Session, now: i64) -> Value {
        let tasks = (session.effective_status(now) == "pending")
            .then(|| json!([{ "key": "choose-organization" }]));
        json!({
            "object": "session",
            "id": session.id,
            "user_id": session.user_id,
            "client_id": session.client_id,
            "actor": null,
            "status": session.effective_status(now),
            "last_active_organization_id": session.active_organization_id,
            "last_active_at": session.last_active_at,
            "latest_activity": {
                "object": "session_activity",
                "id": format!("sess_activity_{}", session.id.trim_start_matches("sess_")),
                "is_mobile": false,
            },
            "expire_at": session.expire_at,
            "abandon_at": session.abandon_at,
            "updated_at": session.updated_at,
            "created_at": session.created_at,
            "tasks": tasks,
        })
    }
}

/// `{"object": "<kind>", "id": .., "deleted": true}` (and `slug` for organizations).
pub(crate) fn deleted(object: &str, id: &str, slug: Option<&str>) -> Value {
    let mut value = json!({ "object": object, "id": id, "deleted": true });
    if let Some(slug) = slug {
        value["slug"] = json!(slug);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The required fields of Clerk's schemas (resource_schemas_2026-05-12.txt).
    const USER_REQUIRED: &[&str] = &[
        "id",
        "object",
        "username",
        "first_name",
        "last_name",
        "has_image",
        "primary_email_address_id",
        "primary_phone_number_id",
        "primary_web3_wallet_id",
        "password_enabled",
        "two_factor_enabled",
        "totp_enabled",
        "backup_code_enabled",
        "email_addresses",
        "phone_numbers",
        "web3_wallets",
        "passkeys",
        "external_accounts",
        "saml_accounts",
        "enterprise_accounts",
        "public_metadata",
        "external_id",
        "last_sign_in_at",
        "banned",
        "locked",
        "lockout_expires_in_seconds",
        "verification_attempts_remaining",
        "created_at",
        "updated_at",
        "delete_self_enabled",
        "create_organization_enabled",
        "last_active_at",
        "mfa_enabled_at",
        "mfa_disabled_at",
        "legal_accepted_at",
    ];

    #[test]
    fn resources_carry_clerks_required_fields() {
        let (store, _) = Store::generate(true).unwrap();
        let admin = store.user_by_email("admin@example.com").unwrap();
        let user = store.render_user(admin, 0);
        for field in USER_REQUIRED {
            assert!(user.get(*field).is_some(), "user.{field}");
        }
        assert_eq!(
            user["email_addresses"][0]["email_address"],
            "admin@example.com"
        );
        assert_eq!(
            user["primary_email_address_id"],
            user["email_addresses"][0]["id"]
        );
        let acme = store.organization("acme").unwrap();
        let membership = store.membership(&acme.id, &admin.id).unwrap();
        let rendered = store.render_membership(membership);
        assert_eq!(rendered["object"], "organization_membership");
        assert_eq!(rendered["role_name"], "Admin");
        assert_eq!(rendered["organization"]["slug"], "acme");
        assert_eq!(rendered["organization"]["members_count"], 2);
        assert_eq!(
            rendered["public_user_data"]["identifier"],
            "admin@example.com"
        );
        assert!(
            rendered["permissions"]
                .as_array()
                .unwrap()
                .contains(&json!("org:sys_memberships:manage"))
        );
    }
}
