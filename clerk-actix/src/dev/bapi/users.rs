//! `/v1/users`.

use serde_json::{Value, json};

use super::{Call, Outcome, Params, page_array, sort_by_field};
use crate::dev::api_error::ApiError;
use crate::dev::render::deleted;
use crate::dev::store::{LOCKOUT_MS, NewUser, Store, User, merge_metadata};

const ORDER_FIELDS: &[&str] = &[
    "created_at",
    "updated_at",
    "email_address",
    "first_name",
    "last_name",
    "username",
    "last_sign_in_at",
    "last_active_at",
];

/// The users matching `GET /users`' filters, rendered.
fn matching(store: &Store, params: &Params, now: i64) -> Result<Vec<Value>, ApiError> {
    let emails: Vec<String> = params
        .all("email_address")
        .iter()
        .map(|e| e.trim().to_ascii_lowercase())
        .collect();
    let ids = params.all("user_id");
    let (include, exclude): (Vec<&str>, Vec<&str>) =
        ids.iter().partition(|id| !id.starts_with('-'));
    let include: Vec<&str> = include
        .iter()
        .map(|id| id.trim_start_matches('+'))
        .collect();
    let exclude: Vec<&str> = exclude.iter().map(|id| &id[1..]).collect();
    let orgs = params.all("organization_id");
    let external = params.all("external_id");
    let usernames = params.all("username");
    let banned = params.flag("banned")?;
    let query = params.get("query").map(str::to_lowercase);
    let email_query = params.get("email_address_query").map(str::to_lowercase);
    let name_query = params.get("name_query").map(str::to_lowercase);
    let contains = |field: &Option<String>, needle: &str| {
        field
            .as_deref()
            .is_some_and(|f| f.to_lowercase().contains(needle))
    };
    let users = store.users.iter().filter(|u: &&User| {
        (emails.is_empty() || emails.iter().any(|e| u.has_email(e)))
            && (include.is_empty() || include.contains(&u.id.as_str()))
            && !exclude.contains(&u.id.as_str())
            && (orgs.is_empty()
                || orgs
                    .iter()
                    .any(|org| store.membership(org, &u.id).is_some()))
            && (external.is_empty()
                || u.external_id
                    .as_deref()
                    .is_some_and(|x| external.contains(&x)))
            && (usernames.is_empty()
                || u.username
                    .as_deref()
                    .is_some_and(|x| usernames.contains(&x)))
            && banned.is_none_or(|b| u.banned == b)
            && email_query
                .as_deref()
                .is_none_or(|q| u.emails.iter().any(|e| e.address.contains(q)))
            && name_query
                .as_deref()
                .is_none_or(|q| contains(&u.first_name, q) || contains(&u.last_name, q))
            && query.as_deref().is_none_or(|q| {
                u.id.to_lowercase().contains(q)
                    || u.emails.iter().any(|e| e.address.contains(q))
                    || contains(&u.first_name, q)
                    || contains(&u.last_name, q)
                    || contains(&u.username, q)
            })
    });
    Ok(users.map(|u| store.render_user(u, now)).collect())
}

pub(super) fn list(call: &mut Call<'_>) -> Outcome {
    let (field, descending) = call.query.order(ORDER_FIELDS, "-created_at")?;
    let mut users = matching(call.store, &call.query, call.now)?;
    if field == "email_address" {
        for user in &mut users {
            user["email_address"] = user["email_addresses"][0]["email_address"].clone();
        }
    }
    sort_by_field(&mut users, field, descending);
    if field == "email_address" {
        for user in &mut users {
            if let Some(map) = user.as_object_mut() {
                map.remove("email_address");
            }
        }
    }
    page_array(users, &call.query)
}

pub(super) fn count(call: &mut Call<'_>) -> Outcome {
    let users = matching(call.store, &call.query, call.now)?;
    Ok(json!({ "object": "total_count", "total_count": users.len() }))
}

pub(super) fn get(call: &mut Call<'_>, id: &str) -> Outcome {
    let user = call.store.user(id)?;
    Ok(call.store.render_user(user, call.now))
}

pub(super) fn create(call: &mut Call<'_>) -> Outcome {
    let body = call.body()?;
    let new = NewUser {
        emails: body.strings("email_address")?,
        first_name: body.string("first_name")?,
        last_name: body.string("last_name")?,
        username: body.string("username")?,
        external_id: body.string("external_id")?,
        locale: body.string("locale")?,
        password_enabled: body.string("password")?.is_some()
            || body.string("password_digest")?.is_some(),
        public_metadata: body.object("public_metadata")?.unwrap_or_default(),
        private_metadata: body.object("private_metadata")?.unwrap_or_default(),
        unsafe_metadata: body.object("unsafe_metadata")?.unwrap_or_default(),
    };
    // Like an instance with email or username sign-in, a user needs one of them.
    if new.emails.is_empty()
        && new.username.is_none()
        && !body.bool("skip_user_requirement")?.unwrap_or(false)
    {
        return Err(ApiError::missing("email_address"));
    }
    let banned = body.bool("banned")?.unwrap_or(false);
    let locked = body.bool("locked")?.unwrap_or(false);
    let flags = (
        body.bool("delete_self_enabled")?,
        body.bool("create_organization_enabled")?,
        body.int("create_organizations_limit")?,
    );
    let now = call.now;
    let id = call.store.create_user(new, now)?.id.clone();
    let user = call.store.user_mut(&id)?;
    user.banned = banned;
    user.locked_until = locked.then_some(now + LOCKOUT_MS);
    if let Some(enabled) = flags.0 {
        user.delete_self_enabled = enabled;
    }
    if let Some(enabled) = flags.1 {
        user.create_organization_enabled = enabled;
    }
    user.create_organizations_limit = flags.2;
    get(call, &id)
}

pub(super) fn update(call: &mut Call<'_>, id: &str) -> Outcome {
    let body = call.body()?;
    call.store.user(id)?;
    if let Some(username) = body.string("username")?
        && call
            .store
            .users
            .iter()
            .any(|u| u.id != id && u.username.as_deref() == Some(username.as_str()))
    {
        return Err(ApiError::taken("username", "username"));
    }
    let primary = body.string("primary_email_address_id")?;
    let user = call.store.user_mut(id)?;
    if let Some(primary) = primary {
        if !user.emails.iter().any(|e| e.id == primary) {
            return Err(ApiError::invalid(
                "primary_email_address_id",
                "primary_email_address_id must be one of the user's email addresses.",
            ));
        }
        user.primary_email_id = Some(primary);
    }
    for (name, field) in [
        ("first_name", &mut user.first_name),
        ("last_name", &mut user.last_name),
        ("username", &mut user.username),
        ("external_id", &mut user.external_id),
        ("locale", &mut user.locale),
    ] {
        if body.has(name) {
            *field = body.string(name)?;
        }
    }
    if body.string("password")?.is_some() || body.string("password_digest")?.is_some() {
        user.password_enabled = true;
    }
    if let Some(enabled) = body.bool("delete_self_enabled")? {
        user.delete_self_enabled = enabled;
    }
    if let Some(enabled) = body.bool("create_organization_enabled")? {
        user.create_organization_enabled = enabled;
    }
    if body.has("create_organizations_limit") {
        user.create_organizations_limit = body.int("create_organizations_limit")?;
    }
    user.updated_at = call.now;
    get(call, id)
}

/// `PATCH` merges deeply (`null` deletes); `PUT` replaces each metadata object it names.
pub(super) fn metadata(call: &mut Call<'_>, id: &str, replace: bool) -> Outcome {
    let body = call.body()?;
    let fields = [
        body.object("public_metadata")?,
        body.object("private_metadata")?,
        body.object("unsafe_metadata")?,
    ];
    let user = call.store.user_mut(id)?;
    let targets = [
        &mut user.public_metadata,
        &mut user.private_metadata,
        &mut user.unsafe_metadata,
    ];
    for (target, patch) in targets.into_iter().zip(fields) {
        match patch {
            Some(patch) if replace => *target = patch,
            Some(patch) => merge_metadata(target, &patch),
            None => {}
        }
    }
    user.updated_at = call.now;
    get(call, id)
}

pub(super) fn delete(call: &mut Call<'_>, id: &str) -> Outcome {
    call.store.delete_user(id, call.now)?;
    Ok(deleted("user", id, None))
}

/// Ban (ends the user's sessions, as Clerk does), unban, lock (for Clerk's default lockout
/// period) and unlock.
pub(super) fn restrict(call: &mut Call<'_>, id: &str, action: &str) -> Outcome {
    let now = call.now;
    let user = call.store.user_mut(id)?;
    match action {
        "ban" => user.banned = true,
        "unban" => user.banned = false,
        "lock" => user.locked_until = Some(now + LOCKOUT_MS),
        _ => user.locked_until = None,
    }
    user.updated_at = now;
    if action == "ban" {
        call.store.end_user_sessions(id, "revoked", now);
    }
    get(call, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(users: &[Value]) -> Vec<&str> {
        users
            .iter()
            .map(|u| {
                u["email_addresses"][0]["email_address"]
                    .as_str()
                    .unwrap_or("")
            })
            .collect()
    }

    #[test]
    fn filters() {
        let (store, _) = Store::generate(true).unwrap();
        let acme = store.organization("acme").unwrap().id.clone();
        let demo = store.user_by_email("demo@example.com").unwrap().id.clone();
        let found = |q: &str| matching(&store, &Params::parse(q), 0).unwrap();
        assert_eq!(
            emails(&found("email_address=ADMIN%40example.com")),
            ["admin@example.com"]
        );
        assert_eq!(found(&format!("user_id=-{demo}")).len(), 1);
        assert_eq!(found(&format!("user_id={demo}")).len(), 1);
        assert_eq!(found(&format!("organization_id={acme}")).len(), 2);
        assert_eq!(found("query=ada").len(), 1);
        assert_eq!(found("banned=true").len(), 0);
        assert!(matching(&store, &Params::parse("banned=maybe"), 0).is_err());
    }
}
