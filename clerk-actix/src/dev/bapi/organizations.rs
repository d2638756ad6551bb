//! `/v1/organizations`, their memberships, and `/v1/users/{id}/organization_memberships`.

use serde_json::Value;

use super::{Body, Call, Outcome, paginated, sort_by_field};
use crate::dev::api_error::ApiError;
use crate::dev::render::deleted;
use crate::dev::store::merge_metadata;

/// `max_allowed_memberships`: 0 (no limit) or more.
fn membership_limit(body: &Body) -> Result<Option<i64>, ApiError> {
    match body.int("max_allowed_memberships")? {
        Some(max) if max < 0 => Err(ApiError::invalid(
            "max_allowed_memberships",
            "max_allowed_memberships must be 0 (no limit) or more.",
        )),
        max => Ok(max),
    }
}

pub(super) fn list(call: &mut Call<'_>) -> Outcome {
    let (field, descending) = call
        .query
        .order(&["created_at", "name", "members_count"], "-created_at")?;
    let query = call.query.get("query").map(str::to_lowercase);
    let users = call.query.all("user_id");
    let ids = call.query.all("organization_id");
    let counts =
        call.query.flag("include_members_count")?.unwrap_or(false) || field == "members_count";
    let store = &*call.store;
    let mut orgs: Vec<Value> = store
        .organizations
        .iter()
        .filter(|o| {
            query.as_deref().is_none_or(|q| {
                o.name.to_lowercase().contains(q)
                    || o.slug.contains(q)
                    || o.id.to_lowercase().contains(q)
            }) && (users.is_empty() || users.iter().any(|u| store.membership(&o.id, u).is_some()))
                && (ids.is_empty() || ids.contains(&o.id.as_str()))
        })
        .map(|o| store.render_organization(o, counts))
        .collect();
    sort_by_field(&mut orgs, field, descending);
    paginated(orgs, &call.query)
}

pub(super) fn get(call: &mut Call<'_>, id: &str) -> Outcome {
    let counts = call.query.flag("include_members_count")?.unwrap_or(false);
    let org = call.store.organization(id)?;
    Ok(call.store.render_organization(org, counts))
}

pub(super) fn create(call: &mut Call<'_>) -> Outcome {
    let body = call.body()?;
    let name = body.required_string("name")?;
    let slug = body.string("slug")?;
    let created_by = body.string("created_by")?;
    let max = membership_limit(&body)?.unwrap_or(0);
    let public = body.object("public_metadata")?;
    let private = body.object("private_metadata")?;
    let org = call.store.create_organization(
        &name,
        slug.as_deref(),
        created_by.as_deref(),
        max,
        call.now,
    )?;
    let id = org.id.clone();
    let org = call.store.organization_mut(&id)?;
    org.public_metadata = public.unwrap_or_default();
    org.private_metadata = private.unwrap_or_default();
    get(call, &id)
}

pub(super) fn update(call: &mut Call<'_>, id: &str) -> Outcome {
    let body = call.body()?;
    let id = call.store.organization(id)?.id.clone();
    if let Some(slug) = body.string("slug")? {
        let valid = !slug.is_empty()
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(ApiError::invalid(
                "slug",
                "slug must contain only lowercase letters, digits, dashes and underscores.",
            ));
        }
        if call
            .store
            .organizations
            .iter()
            .any(|o| o.id != id && o.slug == slug)
        {
            return Err(ApiError::taken("slug", "slug"));
        }
        call.store.organization_mut(&id)?.slug = slug;
    }
    let org = call.store.organization_mut(&id)?;
    if let Some(name) = body.string("name")? {
        if name.trim().is_empty() {
            return Err(ApiError::invalid("name", "name must not be empty."));
        }
        org.name = name.trim().to_owned();
    }
    if let Some(max) = membership_limit(&body)? {
        org.max_allowed_memberships = max;
    }
    if let Some(enabled) = body.bool("admin_delete_enabled")? {
        org.admin_delete_enabled = enabled;
    }
    org.updated_at = call.now;
    get(call, &id)
}

pub(super) fn metadata(call: &mut Call<'_>, id: &str, replace: bool) -> Outcome {
    let body = call.body()?;
    let fields = [
        body.object("public_metadata")?,
        body.object("private_metadata")?,
    ];
    let id = call.store.organization(id)?.id.clone();
    let org = call.store.organization_mut(&id)?;
    for (target, patch) in [&mut org.public_metadata, &mut org.private_metadata]
        .into_iter()
        .zip(fields)
    {
        match patch {
            Some(patch) if replace => *target = patch,
            Some(patch) => merge_metadata(target, &patch),
            None => {}
        }
    }
    org.updated_at = call.now;
    get(call, &id)
}

pub(super) fn delete(call: &mut Call<'_>, id: &str) -> Outcome {
    let org = call.store.delete_organization(id, call.now)?;
    Ok(deleted("organization", &org.id, Some(&org.slug)))
}

/// Memberships of one organization, or of the whole instance (`GET /organization_memberships`).
pub(super) fn memberships(call: &mut Call<'_>, org: Option<&str>) -> Outcome {
    let org_id = org
        .map(|id| call.store.organization(id).map(|o| o.id.clone()))
        .transpose()?;
    let (field, descending) = call
        .query
        .order(&["created_at", "updated_at"], "-created_at")?;
    let users = call.query.all("user_id");
    let roles = call.query.all("role");
    let store = &*call.store;
    let mut items: Vec<Value> = store
        .memberships
        .iter()
        .filter(|m| {
            org_id.as_deref().is_none_or(|o| m.organization_id == o)
                && (users.is_empty() || users.contains(&m.user_id.as_str()))
                && (roles.is_empty() || roles.contains(&m.role.as_str()))
        })
        .map(|m| store.render_membership(m))
        .collect();
    sort_by_field(&mut items, field, descending);
    paginated(items, &call.query)
}

pub(super) fn user_memberships(call: &mut Call<'_>, user: &str) -> Outcome {
    call.store.user(user)?;
    let store = &*call.store;
    let mut items: Vec<Value> = store
        .memberships
        .iter()
        .filter(|m| m.user_id == user)
        .map(|m| store.render_membership(m))
        .collect();
    sort_by_field(&mut items, "created_at", true);
    paginated(items, &call.query)
}

fn membership_id(call: &Call<'_>, org: &str, user: &str) -> Result<(String, String), ApiError> {
    let org = call.store.organization(org)?.id.clone();
    let membership = call
        .store
        .membership(&org, user)
        .ok_or_else(|| ApiError::not_found("Organization membership"))?;
    Ok((org, membership.id.clone()))
}

fn render_membership(call: &Call<'_>, id: &str) -> Outcome {
    call.store
        .memberships
        .iter()
        .find(|m| m.id == id)
        .map(|m| call.store.render_membership(m))
        .ok_or_else(|| ApiError::not_found("Organization membership"))
}

pub(super) fn add_member(call: &mut Call<'_>, org: &str) -> Outcome {
    let body = call.body()?;
    let user = body.required_string("user_id")?;
    let role = body.required_string("role")?;
    let public = body.object("public_metadata")?;
    let private = body.object("private_metadata")?;
    let id = call
        .store
        .add_member(org, &user, &role, call.now)?
        .id
        .clone();
    if let Some(membership) = call.store.memberships.iter_mut().find(|m| m.id == id) {
        membership.public_metadata = public.unwrap_or_default();
        membership.private_metadata = private.unwrap_or_default();
    }
    render_membership(call, &id)
}

pub(super) fn update_member(call: &mut Call<'_>, org: &str, user: &str) -> Outcome {
    let role = call.body()?.required_string("role")?;
    if call.store.role(&role).is_none() {
        return Err(ApiError::invalid(
            "role",
            format!("{role} is not a role of this instance."),
        ));
    }
    let (_, id) = membership_id(call, org, user)?;
    let now = call.now;
    if let Some(membership) = call.store.memberships.iter_mut().find(|m| m.id == id) {
        membership.role = role;
        membership.updated_at = now;
    }
    render_membership(call, &id)
}

pub(super) fn member_metadata(call: &mut Call<'_>, org: &str, user: &str) -> Outcome {
    let body = call.body()?;
    let fields = [
        body.object("public_metadata")?,
        body.object("private_metadata")?,
    ];
    let (_, id) = membership_id(call, org, user)?;
    let now = call.now;
    if let Some(membership) = call.store.memberships.iter_mut().find(|m| m.id == id) {
        for (target, patch) in [
            &mut membership.public_metadata,
            &mut membership.private_metadata,
        ]
        .into_iter()
        .zip(fields)
        {
            if let Some(patch) = patch {
                merge_metadata(target, &patch);
            }
        }
        membership.updated_at = now;
    }
    render_membership(call, &id)
}

pub(super) fn remove_member(call: &mut Call<'_>, org: &str, user: &str) -> Outcome {
    let (org, _) = membership_id(call, org, user)?;
    // Rendered before removal: Clerk returns the deleted membership.
    let membership = call
        .store
        .membership(&org, user)
        .map(|m| call.store.render_membership(m));
    call.store.remove_member(&org, user, call.now)?;
    membership.ok_or_else(|| ApiError::not_found("Organization membership"))
}
