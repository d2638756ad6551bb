//! Invitations (instance and organization), sign-in tokens and testing tokens.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::{Call, Outcome, page_array, paginated, sort_by_field};
use crate::dev::api_error::ApiError;
use crate::dev::store::{Invitation, SignInToken, new_id, normalize_email, random_chars};

const DAY_MS: i64 = 24 * 3600 * 1000;

fn org_id(call: &Call<'_>, org: Option<&str>) -> Result<Option<String>, ApiError> {
    org.map(|id| call.store.organization(id).map(|o| o.id.clone()))
        .transpose()
}

/// Instance invitations (bare array unless `paginated=true`), or an organization's
/// (`{data, total_count}`; `pending_only` for `/invitations/pending`).
pub(super) fn list(call: &mut Call<'_>, org: Option<&str>, pending_only: bool) -> Outcome {
    let org = org_id(call, org)?;
    let statuses = call.query.all("status");
    let query = call.query.get("query").map(str::to_lowercase);
    let emails = call.query.all("email_address");
    let now = call.now;
    let store = &*call.store;
    let mut items: Vec<Value> = store
        .invitations
        .iter()
        .filter(|i| {
            let status = i.effective_status(now);
            i.organization_id == org
                && (!pending_only || status == "pending")
                && (statuses.is_empty() || statuses.contains(&status))
                && (emails.is_empty()
                    || emails
                        .iter()
                        .any(|e| e.eq_ignore_ascii_case(&i.email_address)))
                && query.as_deref().is_none_or(|q| i.email_address.contains(q))
        })
        .map(|i| store.render_invitation(i, &call.instance.origin, now))
        .collect();
    sort_by_field(&mut items, "created_at", true);
    if org.is_some() || call.query.flag("paginated")?.unwrap_or(false) {
        paginated(items, &call.query)
    } else {
        page_array(items, &call.query)
    }
}

fn find(call: &Call<'_>, org: Option<&str>, id: &str) -> Result<usize, ApiError> {
    let org = org_id(call, org)?;
    call.store
        .invitations
        .iter()
        .position(|i| i.id == id && i.organization_id == org)
        .ok_or_else(|| ApiError::not_found("Invitation"))
}

pub(super) fn get(call: &mut Call<'_>, org: Option<&str>, id: &str) -> Outcome {
    let index = find(call, org, id)?;
    Ok(call.store.render_invitation(
        &call.store.invitations[index],
        &call.instance.origin,
        call.now,
    ))
}

pub(super) fn create(call: &mut Call<'_>, org: Option<&str>) -> Outcome {
    let body = call.body()?;
    let org = org_id(call, org)?;
    let email = normalize_email(&body.required_string("email_address")?).ok_or_else(|| {
        ApiError::invalid(
            "email_address",
            "email_address must be a valid email address.",
        )
    })?;
    let role = match &org {
        Some(_) => {
            let role = body.required_string("role")?;
            if call.store.role(&role).is_none() {
                return Err(ApiError::invalid(
                    "role",
                    format!("{role} is not a role of this instance."),
                ));
            }
            Some(role)
        }
        None => None,
    };
    let inviter = body.string("inviter_user_id")?;
    if let Some(inviter) = &inviter {
        call.store.user(inviter)?;
    }
    let existing = call.store.user_by_email(&email).map(|u| u.id.clone());
    match (&org, existing) {
        (None, Some(_)) => return Err(ApiError::taken("email_address", "email address")),
        (Some(org), Some(user)) if call.store.membership(org, &user).is_some() => {
            return Err(ApiError::conflict(
                "already_a_member_in_organization",
                format!("{email} is already a member of this organization."),
            ));
        }
        _ => {}
    }
    let now = call.now;
    let pending = call.store.invitations.iter().any(|i| {
        i.organization_id == org && i.email_address == email && i.effective_status(now) == "pending"
    });
    if pending && !body.bool("ignore_existing")?.unwrap_or(false) {
        return Err(ApiError::conflict(
            "duplicate_record",
            format!("There is already a pending invitation for {email}."),
        ));
    }
    let days = body.int("expires_in_days")?.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::invalid(
            "expires_in_days",
            "expires_in_days must be between 1 and 365.",
        ));
    }
    let invitation = Invitation {
        id: new_id(if org.is_some() { "orginv" } else { "inv" }),
        organization_id: org,
        email_address: email,
        role,
        inviter_id: inviter,
        status: "pending".into(),
        public_metadata: body.object("public_metadata")?.unwrap_or_default(),
        private_metadata: body.object("private_metadata")?.unwrap_or_default(),
        redirect_url: body.string("redirect_url")?,
        ticket: random_chars(40),
        expires_at: Some(now + days * DAY_MS),
        created_at: now,
        updated_at: now,
    };
    let value = call
        .store
        .render_invitation(&invitation, &call.instance.origin, now);
    call.store.invitations.push(invitation);
    Ok(value)
}

pub(super) fn revoke(call: &mut Call<'_>, org: Option<&str>, id: &str) -> Outcome {
    let index = find(call, org, id)?;
    let now = call.now;
    let invitation = &mut call.store.invitations[index];
    if invitation.effective_status(now) != "pending" {
        return Err(ApiError::status(
            StatusCode::BAD_REQUEST,
            "invitation_not_pending",
            "Only pending invitations can be revoked.",
        ));
    }
    invitation.status = "revoked".into();
    invitation.updated_at = now;
    get(call, org, id)
}

fn render_sign_in_token(token: &SignInToken, origin: &str, with_secret: bool) -> Value {
    let mut value = json!({
        "object": "sign_in_token",
        "id": token.id,
        "status": token.status,
        "user_id": token.user_id,
        "url": (token.status == "pending").then(|| format!("{origin}/sign-in?__clerk_ticket={}", token.token)),
        "created_at": token.created_at,
        "updated_at": token.updated_at,
    });
    if with_secret {
        value["token"] = json!(token.token);
    }
    value
}

pub(super) fn create_sign_in_token(call: &mut Call<'_>) -> Outcome {
    let body = call.body()?;
    let user = body.required_string("user_id")?;
    call.store.user(&user)?;
    let seconds = body.int("expires_in_seconds")?.unwrap_or(30 * 24 * 3600);
    if seconds <= 0 {
        return Err(ApiError::invalid(
            "expires_in_seconds",
            "expires_in_seconds must be positive.",
        ));
    }
    let token = SignInToken {
        id: new_id("sit"),
        user_id: user,
        token: random_chars(48),
        status: "pending".into(),
        expires_at: call.now.saturating_add(seconds.saturating_mul(1000)),
        created_at: call.now,
        updated_at: call.now,
    };
    let value = render_sign_in_token(&token, &call.instance.origin, true);
    call.store.sign_in_tokens.push(token);
    Ok(value)
}

pub(super) fn revoke_sign_in_token(call: &mut Call<'_>, id: &str) -> Outcome {
    let now = call.now;
    let token = call
        .store
        .sign_in_tokens
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("Sign in token"))?;
    if token.status != "pending" {
        return Err(ApiError::status(
            StatusCode::BAD_REQUEST,
            "sign_in_token_not_pending",
            "Only pending sign-in tokens can be revoked.",
        ));
    }
    token.status = "revoked".into();
    token.updated_at = now;
    Ok(render_sign_in_token(token, &call.instance.origin, false))
}

/// A testing token (`<issued at>-<random>`, valid for an hour). The dev instance has no bot
/// protection to bypass, so it is only recorded by its shape.
pub(super) fn testing_token(now: i64) -> Value {
    let issued = now / 1000;
    json!({
        "object": "testing_token",
        "token": format!("{issued}-c_{}", random_chars(40)),
        "expires_at": issued + 3600,
    })
}
