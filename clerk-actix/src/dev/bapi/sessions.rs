//! `/v1/sessions` (tokens and refresh included) and `/v1/clients`.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Call, Outcome, constant_time_eq, page_array, paginated, sort_by_field};
use crate::dev::api_error::ApiError;
use crate::dev::handshake::{request_origin, session_cookies};

pub(super) fn list(call: &mut Call<'_>) -> Outcome {
    let user = call.query.get("user_id").filter(|v| !v.is_empty());
    let client = call.query.get("client_id").filter(|v| !v.is_empty());
    if user.is_none() && client.is_none() {
        return Err(ApiError::missing("user_id"));
    }
    let status = call.query.get("status");
    let now = call.now;
    let store = &*call.store;
    let mut items: Vec<Value> = store
        .sessions
        .iter()
        .filter(|s| {
            user.is_none_or(|u| s.user_id == u)
                && client.is_none_or(|c| s.client_id == c)
                && status.is_none_or(|st| s.effective_status(now) == st)
        })
        .map(|s| store.render_session(s, now))
        .collect();
    sort_by_field(&mut items, "created_at", true);
    if call.query.flag("paginated")?.unwrap_or(false) {
        paginated(items, &call.query)
    } else {
        page_array(items, &call.query)
    }
}

pub(super) fn get(call: &mut Call<'_>, id: &str) -> Outcome {
    let session = call.store.session(id)?;
    Ok(call.store.render_session(session, call.now))
}

/// `POST /sessions {user_id, active_organization_id?}`: a session on a new API client.
pub(super) fn create(call: &mut Call<'_>) -> Outcome {
    let body = call.body()?;
    let user = body.required_string("user_id")?;
    let org = body.string("active_organization_id")?;
    call.store.user(&user)?;
    if let Some(org) = &org {
        let org = call.store.organization(org)?.id.clone();
        if call.store.membership(&org, &user).is_none() {
            return Err(ApiError::invalid(
                "active_organization_id",
                "The user is not a member of this organization.",
            ));
        }
    }
    let client = call.store.new_client(false, call.now);
    let session = call
        .store
        .sign_in(
            &client.id,
            &user,
            call.instance.require_organization,
            call.now,
        )?
        .id
        .clone();
    if org.is_some() {
        call.store
            .set_active_organization(&session, org.as_deref(), call.now)?;
    }
    get(call, &session)
}

pub(super) fn revoke(call: &mut Call<'_>, id: &str) -> Outcome {
    call.store.end_session(id, "revoked", call.now)?;
    get(call, id)
}

/// `POST /sessions/{id}/tokens[/{template}]`, body `{expires_in_seconds?}`.
pub(super) fn token(call: &mut Call<'_>, id: &str, template: Option<&str>) -> Outcome {
    let body = call.body()?;
    let lifetime = match body.int("expires_in_seconds")? {
        Some(seconds) if seconds > 0 => Some(Duration::from_secs(seconds.unsigned_abs())),
        Some(_) => {
            return Err(ApiError::invalid(
                "expires_in_seconds",
                "expires_in_seconds must be positive.",
            ));
        }
        None => None,
    };
    let jwt = match template {
        None => call
            .instance
            .session_token(call.store, id, None, lifetime, call.now)?,
        Some(name) => call
            .instance
            .template_token(call.store, id, name, lifetime, call.now)?,
    };
    Ok(json!({ "object": "token", "jwt": jwt }))
}

/// `POST /sessions/{id}/refresh` (spec §1.12): a new session token for an expired one, given
/// the session's refresh token. Validation failures are 401s, which the SDK answers with a
/// handshake.
pub(super) fn refresh(call: &mut Call<'_>, id: &str) -> Outcome {
    let body = call.body()?;
    let expired = body.required_string("expired_token")?;
    let refresh_token = body.required_string("refresh_token")?;
    let origin = request_origin(&body.required_string("request_origin")?).ok_or_else(|| {
        ApiError::invalid(
            "request_origin",
            "request_origin must be an http(s) origin.",
        )
    })?;
    let format = body.string("format")?.unwrap_or_else(|| "token".into());
    if !matches!(format.as_str(), "token" | "cookie") {
        return Err(ApiError::invalid(
            "format",
            "format must be token or cookie.",
        ));
    }
    let suffixed = call.query.flag("suffixed_cookies")?.unwrap_or(false);
    let now = call.now;
    let session = call.store.session(id)?;
    if !session.is_live(now) {
        return Err(ApiError::refresh_rejected(
            "session_not_active",
            "The session is no longer active.",
        ));
    }
    if !constant_time_eq(refresh_token.as_bytes(), session.refresh_token.as_bytes()) {
        return Err(ApiError::refresh_rejected(
            "refresh_token_invalid",
            "The refresh token does not belong to this session.",
        ));
    }
    let claims = call.instance.key.verify(&expired).ok_or_else(|| {
        ApiError::refresh_rejected(
            "expired_token_invalid",
            "The expired token was not issued by this instance.",
        )
    })?;
    let belongs = claims.get("sid").and_then(Value::as_str) == Some(session.id.as_str())
        && claims.get("sub").and_then(Value::as_str) == Some(session.user_id.as_str());
    if !belongs {
        return Err(ApiError::refresh_rejected(
            "expired_token_invalid",
            "The expired token does not belong to this session.",
        ));
    }
    let jwt = call
        .instance
        .session_token(call.store, id, Some(&origin), None, now)?;
    let session = call.store.session_mut(id)?;
    session.azp = Some(origin);
    session.last_active_at = now;
    if format == "cookie" {
        let cookies = session_cookies(&jwt, &call.instance.cookie_suffix, suffixed);
        Ok(json!({ "object": "cookies", "cookies": cookies }))
    } else {
        Ok(json!({ "object": "token", "jwt": jwt }))
    }
}

/// `GET /clients/handshake_payload?nonce=`: the cookie directives stored for a handshake nonce
/// (each nonce answers once).
pub(super) fn handshake_payload(call: &mut Call<'_>) -> Outcome {
    let nonce = call
        .query
        .get("nonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::missing("nonce"))?;
    let directives = call
        .instance
        .take_nonce(nonce)
        .ok_or_else(|| ApiError::not_found("Handshake payload"))?;
    Ok(json!({ "directives": directives }))
}

pub(super) fn client(call: &mut Call<'_>, id: &str) -> Outcome {
    let store = &*call.store;
    let client = store
        .clients
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("Client"))?;
    let sessions: Vec<Value> = store
        .sessions
        .iter()
        .filter(|s| s.client_id == client.id)
        .map(|s| store.render_session(s, call.now))
        .collect();
    let ids: Vec<Value> = sessions.iter().map(|s| s["id"].clone()).collect();
    Ok(json!({
        "object": "client",
        "id": client.id,
        "session_ids": ids,
        "sessions": sessions,
        "sign_in_id": null,
        "sign_up_id": null,
        "last_active_session_id": store.active_session(client, call.now).map(|s| s.id.clone()),
        "last_authentication_strategy": null,
        "updated_at": client.updated_at,
        "created_at": client.created_at,
    }))
}
