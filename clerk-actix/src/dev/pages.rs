//! Plain server-rendered pages: sign in, sign up, sign out, organization switch.
//!
//! No JavaScript. Inputs and buttons have stable `id`s and `name`s so a headless browser can
//! drive them. Every value shown is HTML-escaped; POSTs from another origin are refused.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::api_error::ApiError;
use super::bapi::Params;
use super::handshake::{handshake_url, identify_client, set_client_cookie};
use super::instance::Instance;
use super::store::{Client, NewUser, Store, now_ms};

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A stable element id from free text: `demo@example.com` → `demo-example-com`.
fn id_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .body(format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} · Clerk dev instance</title>\
             <style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}\
             form{{margin:1rem 0}}label{{display:block;margin:.5rem 0 .2rem}}\
             button{{margin:.25rem 0;padding:.4rem .8rem}}.error{{color:#b00020}}</style></head>\
             <body><main><h1>{title}</h1>{body}</main>\
             <footer><p><small>clerk-actix dev instance: local test data, not a real Clerk account.</small></p></footer>\
             </body></html>",
            title = esc(title),
        ))
}

fn error_text(message: &str) -> String {
    format!(
        "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>",
        esc(message)
    )
}

/// The parameters that travel through every page: where to return and the browser's client.
struct Flow {
    redirect_url: Option<Url>,
    dev_browser: Option<String>,
}

impl Flow {
    /// `None` if `redirect_url` is not a URL the flow may return to.
    fn read(params: &Params, instance: &Instance) -> Option<Self> {
        let redirect_url = match params.get("redirect_url").filter(|r| !r.is_empty()) {
            None => None,
            Some(url) => Some(instance.allowed_redirect(url)?),
        };
        Some(Self {
            redirect_url,
            dev_browser: params.get("__clerk_db_jwt").map(str::to_owned),
        })
    }

    /// Hidden inputs carrying the flow into a form.
    fn hidden(&self, client: &Client) -> String {
        let mut html = String::new();
        if let Some(url) = &self.redirect_url {
            html.push_str(&format!(
                "<input type=\"hidden\" name=\"redirect_url\" value=\"{}\">",
                esc(url.as_str())
            ));
        }
        if let Some(token) = &client.dev_browser {
            html.push_str(&format!(
                "<input type=\"hidden\" name=\"__clerk_db_jwt\" value=\"{}\">",
                esc(token)
            ));
        }
        html
    }

    /// `?redirect_url=..&__clerk_db_jwt=..` for links to the other pages.
    fn query(&self, client: &Client) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(url) = &self.redirect_url {
            query.append_pair("redirect_url", url.as_str());
        }
        if let Some(token) = &client.dev_browser {
            query.append_pair("__clerk_db_jwt", token);
        }
        format!("?{}", query.finish())
    }

    /// After a change: back to the app through the handshake (so it gets the new cookies), or
    /// a confirmation page when there is no app to return to.
    fn finish(&self, instance: &Instance, client: &Client, done: &str) -> HttpResponse {
        let response = match &self.redirect_url {
            Some(url) => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, handshake_url(instance, client, url)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish(),
            None => page(
                StatusCode::OK,
                "Done",
                &format!(
                    "<p id=\"done\">{}</p><p><a href=\"/\">Back to the dev instance</a></p>",
                    esc(done)
                ),
            ),
        };
        with_client_cookie(response, instance, client)
    }
}

fn bad_redirect() -> HttpResponse {
    page(
        StatusCode::BAD_REQUEST,
        "Cannot continue",
        &error_text(
            "redirect_url must be an absolute http(s) URL on a loopback host or an allowed origin.",
        ),
    )
}

/// Refuses a form POST sent from another origin (login CSRF): browsers always send `Origin`
/// with a form POST; tools that send none are accepted.
fn cross_origin(req: &HttpRequest, instance: &Instance) -> Option<HttpResponse> {
    let origin = req.headers().get(header::ORIGIN)?;
    (origin.as_bytes() != instance.origin.as_bytes()).then(|| {
        page(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &error_text("This form can only be submitted from the dev instance's own pages."),
        )
    })
}

/// A form POST of one of the pages: refused when cross-origin or when its `redirect_url` is not
/// one the flow may return to.
// The refusal is the response itself, returned once per form POST: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn read_form(
    req: &HttpRequest,
    body: &[u8],
    instance: &Instance,
) -> Result<(Params, Flow), HttpResponse> {
    if let Some(refused) = cross_origin(req, instance) {
        return Err(refused);
    }
    let form = Params::parse(std::str::from_utf8(body).unwrap_or_default());
    let flow = Flow::read(&form, instance).ok_or_else(bad_redirect)?;
    Ok((form, flow))
}

/// `response` with the browser's client cookie set.
fn with_client_cookie(
    mut response: HttpResponse,
    instance: &Instance,
    client: &Client,
) -> HttpResponse {
    if let Ok(cookie) = header::HeaderValue::from_str(&set_client_cookie(instance, client)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Runs `f` with the store and the browser's client, then persists and sets the client cookie.
fn with_client<T>(
    instance: &Instance,
    req: &HttpRequest,
    flow: &Flow,
    f: impl FnOnce(&mut Store, &Client, i64) -> T,
) -> (T, Client) {
    let now = now_ms();
    let mut store = instance.lock();
    let client = identify_client(instance, &mut store, req, flow.dev_browser.as_deref(), now);
    let out = f(&mut store, &client, now);
    let client = store
        .clients
        .iter()
        .find(|c| c.id == client.id)
        .cloned()
        .unwrap_or(client);
    instance.persist(&store);
    (out, client)
}

fn signed_in_as(store: &Store, client: &Client, now: i64) -> String {
    store
        .active_session(client, now)
        .and_then(|s| store.user(&s.user_id).ok())
        .map(|u| {
            format!(
                "<p id=\"current-user\">Signed in as <strong>{}</strong> ({}).</p>",
                esc(&u.display_name()),
                esc(u.primary_email().unwrap_or(&u.id))
            )
        })
        .unwrap_or_default()
}

/// `GET /`: what this instance is and who is in it.
pub(crate) async fn home(instance: web::Data<Instance>) -> HttpResponse {
    let store = instance.lock();
    let users: String = store
        .users
        .iter()
        .map(|u| {
            format!(
                "<li>{} — {}</li>",
                esc(&u.display_name()),
                esc(u.primary_email().unwrap_or(&u.id))
            )
        })
        .collect();
    let orgs: String = store
        .organizations
        .iter()
        .map(|o| format!("<li>{} ({})</li>", esc(&o.name), esc(&o.slug)))
        .collect();
    page(
        StatusCode::OK,
        "Clerk dev instance",
        &format!(
            "<p>Publishable key: <code id=\"publishable-key\">{pk}</code></p>\
             <p>API and proxy URL: <code>{origin}</code></p>\
             <p><a href=\"/sign-in\">Sign in</a> · <a href=\"/sign-up\">Sign up</a> · \
             <a href=\"/organizations\">Organizations</a> · <a href=\"/sign-out\">Sign out</a></p>\
             <h2>Users</h2><ul>{users}</ul><h2>Organizations</h2><ul>{orgs}</ul>",
            pk = esc(&instance.publishable_key),
            origin = esc(&instance.origin),
        ),
    )
}

fn sign_in_html(
    store: &Store,
    instance: &Instance,
    flow: &Flow,
    client: &Client,
    now: i64,
    error: Option<&str>,
) -> String {
    let buttons: String = store
        .users
        .iter()
        .map(|u| {
            let email = u.primary_email().unwrap_or(&u.id);
            format!(
                "<li><button type=\"submit\" name=\"user_id\" value=\"{id}\" id=\"sign-in-as-{key}\" data-email=\"{email}\">\
                 Continue as {name} ({email})</button></li>",
                id = esc(&u.id),
                key = id_part(email),
                name = esc(&u.display_name()),
                email = esc(email),
            )
        })
        .collect();
    let hidden = flow.hidden(client);
    format!(
        "{error}{current}\
         <form method=\"post\" action=\"/sign-in\" aria-label=\"Choose a user\">{hidden}<ul>{buttons}</ul></form>\
         <form method=\"post\" action=\"/sign-in\" aria-label=\"Sign in with an email address\">{hidden}\
         <label for=\"email_address\">Email address (a new user is created if none has it)</label>\
         <input type=\"email\" id=\"email_address\" name=\"email_address\" required autocomplete=\"email\">\
         <button type=\"submit\" id=\"sign-in-with-email\">Sign in</button></form>\
         <p><a id=\"sign-up-link\" href=\"/sign-up{query}\">Create an account</a> · <a href=\"{origin}/\">Dev instance</a></p>",
        error = error.map(error_text).unwrap_or_default(),
        current = signed_in_as(store, client, now),
        query = esc(&flow.query(client)),
        origin = esc(&instance.origin),
    )
}

/// `GET /sign-in?redirect_url=..&__clerk_db_jwt=..[&__clerk_ticket=..]`
pub(crate) async fn sign_in_page(req: HttpRequest, instance: web::Data<Instance>) -> HttpResponse {
    let params = Params::parse(req.query_string());
    let Some(flow) = Flow::read(&params, &instance) else {
        return bad_redirect();
    };
    if let Some(ticket) = params.get("__clerk_ticket") {
        let (result, client) = with_client(&instance, &req, &flow, |store, client, now| {
            let index = store
                .sign_in_tokens
                .iter()
                .position(|t| t.token == ticket && t.status == "pending" && t.expires_at > now)
                .ok_or_else(|| ApiError::not_found("Sign in token"))?;
            let user = store.sign_in_tokens[index].user_id.clone();
            store.sign_in(&client.id, &user, instance.require_organization, now)?;
            store.sign_in_tokens[index].status = "accepted".into();
            store.sign_in_tokens[index].updated_at = now;
            Ok::<_, ApiError>(())
        });
        return match result {
            Ok(()) => flow.finish(&instance, &client, "You are signed in."),
            Err(err) => page(
                err.status,
                "Sign in",
                &error_text(&format!(
                    "This sign-in link cannot be used: {}",
                    err.long_message
                )),
            ),
        };
    }
    let (html, client) = with_client(&instance, &req, &flow, |store, client, now| {
        sign_in_html(store, &instance, &flow, client, now, None)
    });
    let response = page(StatusCode::OK, "Sign in", &html);
    with_client_cookie(response, &instance, &client)
}

/// `POST /sign-in` with `user_id` or `email_address` (created if unknown).
pub(crate) async fn sign_in(
    req: HttpRequest,
    body: web::Bytes,
    instance: web::Data<Instance>,
) -> HttpResponse {
    let (form, flow) = match read_form(&req, &body, &instance) {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let (result, client) = with_client(&instance, &req, &flow, |store, client, now| {
        let user = match (form.get("user_id"), form.get("email_address")) {
            (Some(id), _) if !id.is_empty() => store.user(id)?.id.clone(),
            (_, Some(email)) if !email.trim().is_empty() => match store.user_by_email(email.trim())
            {
                Some(user) => user.id.clone(),
                None => {
                    let new = NewUser {
                        emails: vec![email.to_owned()],
                        ..NewUser::default()
                    };
                    store.create_user(new, now)?.id.clone()
                }
            },
            _ => return Err(ApiError::missing("email_address")),
        };
        store.sign_in(&client.id, &user, instance.require_organization, now)?;
        Ok(())
    });
    match result {
        Ok(()) => flow.finish(&instance, &client, "You are signed in."),
        Err(err) => {
            let store = instance.lock();
            let html = sign_in_html(
                &store,
                &instance,
                &flow,
                &client,
                now_ms(),
                Some(&err.long_message),
            );
            page(err.status, "Sign in", &html)
        }
    }
}

fn sign_up_html(
    flow: &Flow,
    client: &Client,
    ticket: Option<(&str, &str, Option<&str>)>,
    error: Option<&str>,
) -> String {
    let (email_attrs, invited, ticket_input) = match ticket {
        Some((ticket, email, org)) => (
            format!(" value=\"{}\" readonly", esc(email)),
            format!(
                "<p id=\"invitation\">You were invited{}.</p>",
                org.map(|o| format!(" to {}", esc(o))).unwrap_or_default()
            ),
            format!(
                "<input type=\"hidden\" name=\"__clerk_ticket\" value=\"{}\">",
                esc(ticket)
            ),
        ),
        None => Default::default(),
    };
    format!(
        "{error}{invited}<form method=\"post\" action=\"/sign-up\" aria-label=\"Create an account\">{hidden}{ticket_input}\
         <label for=\"email_address\">Email address</label>\
         <input type=\"email\" id=\"email_address\" name=\"email_address\" required autocomplete=\"email\"{email_attrs}>\
         <label for=\"first_name\">First name</label>\
         <input type=\"text\" id=\"first_name\" name=\"first_name\" autocomplete=\"given-name\">\
         <label for=\"last_name\">Last name</label>\
         <input type=\"text\" id=\"last_name\" name=\"last_name\" autocomplete=\"family-name\">\
         <p><button type=\"submit\" id=\"sign-up\">Create account</button></p></form>\
         <p><a id=\"sign-in-link\" href=\"/sign-in{query}\">I already have an account</a></p>",
        error = error.map(error_text).unwrap_or_default(),
        hidden = flow.hidden(client),
        query = esc(&flow.query(client)),
    )
}

/// The pending invitation a `__clerk_ticket` names: (index, email, organization name).
fn invitation(store: &Store, ticket: &str, now: i64) -> Option<(usize, String, Option<String>)> {
    let index = store
        .invitations
        .iter()
        .position(|i| i.ticket == ticket && i.effective_status(now) == "pending")?;
    let invitation = &store.invitations[index];
    let org = invitation
        .organization_id
        .as_deref()
        .and_then(|id| store.organization(id).ok())
        .map(|o| o.name.clone());
    Some((index, invitation.email_address.clone(), org))
}

/// `GET /sign-up?redirect_url=..&__clerk_db_jwt=..[&__clerk_ticket=..]`
pub(crate) async fn sign_up_page(req: HttpRequest, instance: web::Data<Instance>) -> HttpResponse {
    let params = Params::parse(req.query_string());
    let Some(flow) = Flow::read(&params, &instance) else {
        return bad_redirect();
    };
    let ticket = params.get("__clerk_ticket");
    let (html, client) = with_client(&instance, &req, &flow, |store, client, now| {
        let invited =
            ticket.and_then(|t| invitation(store, t, now).map(|(_, email, org)| (t, email, org)));
        if ticket.is_some() && invited.is_none() {
            return Err(());
        }
        let invited = invited
            .as_ref()
            .map(|(t, email, org)| (*t, email.as_str(), org.as_deref()));
        Ok(sign_up_html(&flow, client, invited, None))
    });
    let response = match html {
        Ok(html) => page(StatusCode::OK, "Sign up", &html),
        Err(()) => page(
            StatusCode::BAD_REQUEST,
            "Sign up",
            &error_text("This invitation is no longer valid."),
        ),
    };
    with_client_cookie(response, &instance, &client)
}

/// `POST /sign-up`: creates the user (accepting an invitation ticket) and signs them in.
pub(crate) async fn sign_up(
    req: HttpRequest,
    body: web::Bytes,
    instance: web::Data<Instance>,
) -> HttpResponse {
    let (form, flow) = match read_form(&req, &body, &instance) {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let text = |name: &str| {
        form.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let ticket = text("__clerk_ticket");
    let (result, client) = with_client(&instance, &req, &flow, |store, client, now| {
        let email = text("email_address").ok_or_else(|| ApiError::missing("email_address"))?;
        let invited = match &ticket {
            Some(ticket) => {
                let (index, invited_email, _) = invitation(store, ticket, now)
                    .ok_or_else(|| ApiError::not_found("Invitation"))?;
                if !invited_email.eq_ignore_ascii_case(&email) {
                    return Err(ApiError::invalid(
                        "email_address",
                        "Use the email address the invitation was sent to.",
                    ));
                }
                Some(index)
            }
            None => None,
        };
        let new = NewUser {
            emails: vec![email],
            first_name: text("first_name"),
            last_name: text("last_name"),
            ..NewUser::default()
        };
        let user = store.create_user(new, now)?.id.clone();
        if let Some(index) = invited {
            let invitation = &mut store.invitations[index];
            invitation.status = "accepted".into();
            invitation.updated_at = now;
            if let Some(public) = Some(invitation.public_metadata.clone()).filter(|m| !m.is_empty())
            {
                store.user_mut(&user)?.public_metadata = public;
            }
            let invitation = store.invitations[index].clone();
            if let (Some(org), Some(role)) = (invitation.organization_id, invitation.role) {
                store.add_member(&org, &user, &role, now)?;
                store.user_mut(&user)?.last_active_organization_id = Some(org);
            }
        }
        store.sign_in(&client.id, &user, instance.require_organization, now)?;
        Ok(())
    });
    match result {
        Ok(()) => flow.finish(
            &instance,
            &client,
            "Your account was created and you are signed in.",
        ),
        Err(err) => {
            let store = instance.lock();
            let now = now_ms();
            let invited = ticket
                .as_deref()
                .and_then(|t| invitation(&store, t, now).map(|(_, email, org)| (t, email, org)));
            let invited = invited
                .as_ref()
                .map(|(t, email, org)| (*t, email.as_str(), org.as_deref()));
            page(
                err.status,
                "Sign up",
                &sign_up_html(&flow, &client, invited, Some(&err.long_message)),
            )
        }
    }
}

/// `GET` or `POST /sign-out?redirect_url=..`: ends the client's session and returns via the
/// handshake, which clears the app's cookies.
pub(crate) async fn sign_out(
    req: HttpRequest,
    body: web::Bytes,
    instance: web::Data<Instance>,
) -> HttpResponse {
    if req.method() == actix_web::http::Method::POST
        && let Some(refused) = cross_origin(&req, &instance)
    {
        return refused;
    }
    let mut params = Params::parse(req.query_string());
    if params.get("redirect_url").is_none() {
        params = Params::parse(std::str::from_utf8(&body).unwrap_or_default());
    }
    let Some(flow) = Flow::read(&params, &instance) else {
        return bad_redirect();
    };
    let ((), client) = with_client(&instance, &req, &flow, |store, client, now| {
        if let Some(session) = store.active_session(client, now).map(|s| s.id.clone()) {
            let _ = store.end_session(&session, "ended", now);
        }
    });
    flow.finish(&instance, &client, "You are signed out.")
}

fn organizations_html(
    store: &Store,
    flow: &Flow,
    client: &Client,
    now: i64,
    error: Option<&str>,
) -> Option<String> {
    let session = store.active_session(client, now)?;
    let user = store.user(&session.user_id).ok()?;
    let active = session.active_organization_id.as_deref();
    let options: String = store
        .memberships
        .iter()
        .filter(|m| m.user_id == user.id)
        .filter_map(|m| Some((m, store.organization(&m.organization_id).ok()?)))
        .map(|(m, org)| {
            format!(
                "<p><input type=\"radio\" name=\"organization_id\" id=\"org-{slug}\" value=\"{id}\"{checked}>\
                 <label for=\"org-{slug}\">{name} ({slug_text}) — your role: <span class=\"role\">{role}</span></label></p>",
                slug = id_part(&org.slug),
                slug_text = esc(&org.slug),
                id = esc(&org.id),
                name = esc(&org.name),
                role = esc(&m.role),
                checked = if active == Some(org.id.as_str()) { " checked" } else { "" },
            )
        })
        .collect();
    let pending = if session.effective_status(now) == "pending" {
        "<p id=\"task\">Choose an organization to continue.</p>".to_owned()
    } else {
        Default::default()
    };
    let hidden = flow.hidden(client);
    Some(format!(
        "{error}{current}{pending}\
         <form method=\"post\" action=\"/organizations\" aria-label=\"Choose the active organization\">{hidden}\
         <fieldset><legend>Active organization</legend>{options}\
         <p><input type=\"radio\" name=\"organization_id\" id=\"org-personal\" value=\"\"{personal}>\
         <label for=\"org-personal\">Personal account</label></p></fieldset>\
         <button type=\"submit\" id=\"set-active-organization\">Continue</button></form>\
         <form method=\"post\" action=\"/organizations\" aria-label=\"Create an organization\">{hidden}\
         <label for=\"organization-name\">New organization name</label>\
         <input type=\"text\" id=\"organization-name\" name=\"name\" required>\
         <button type=\"submit\" id=\"create-organization\">Create and switch</button></form>",
        error = error.map(error_text).unwrap_or_default(),
        current = signed_in_as(store, client, now),
        personal = if active.is_none() { " checked" } else { "" },
    ))
}

/// `GET /organizations?redirect_url=..&__clerk_db_jwt=..`: pick the active organization.
pub(crate) async fn organizations_page(
    req: HttpRequest,
    instance: web::Data<Instance>,
) -> HttpResponse {
    let params = Params::parse(req.query_string());
    let Some(flow) = Flow::read(&params, &instance) else {
        return bad_redirect();
    };
    let (html, client) = with_client(&instance, &req, &flow, |store, client, now| {
        organizations_html(store, &flow, client, now, None)
    });
    let response = match html {
        Some(html) => page(StatusCode::OK, "Organizations", &html),
        None => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/sign-in{}", flow.query(&client))))
            .finish(),
    };
    with_client_cookie(response, &instance, &client)
}

/// `POST /organizations` with `organization_id` (empty = personal account) or `name` (create).
pub(crate) async fn organizations(
    req: HttpRequest,
    body: web::Bytes,
    instance: web::Data<Instance>,
) -> HttpResponse {
    let (form, flow) = match read_form(&req, &body, &instance) {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let (result, client) = with_client(&instance, &req, &flow, |store, client, now| {
        let session = store
            .active_session(client, now)
            .map(|s| (s.id.clone(), s.user_id.clone()))
            .ok_or_else(|| ApiError::forbidden("signed_out", "Sign in first."))?;
        let org = match form.get("name").map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => {
                let user = store.user(&session.1)?;
                if !user.create_organization_enabled {
                    return Err(ApiError::forbidden(
                        "not_allowed_access",
                        "This user may not create organizations.",
                    ));
                }
                Some(
                    store
                        .create_organization(name, None, Some(&session.1), 0, now)?
                        .id
                        .clone(),
                )
            }
            None => form
                .get("organization_id")
                .filter(|o| !o.is_empty())
                .map(str::to_owned),
        };
        store.set_active_organization(&session.0, org.as_deref(), now)
    });
    match result {
        Ok(()) => flow.finish(&instance, &client, "Your active organization was changed."),
        Err(err) => {
            let store = instance.lock();
            match organizations_html(&store, &flow, &client, now_ms(), Some(&err.long_message)) {
                Some(html) => page(err.status, "Organizations", &html),
                None => page(err.status, "Organizations", &error_text(&err.long_message)),
            }
        }
    }
}

/// `/tasks`, `/sign-in/tasks`, `/sign-up/tasks`: the only session task is choosing an
/// organization.
pub(crate) async fn tasks(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let location = if query.is_empty() {
        "/organizations".to_owned()
    } else {
        format!("/organizations?{query}")
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub(crate) async fn not_found() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "<p>There is no such page on the dev instance.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_ids() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(id_part("demo@example.com"), "demo-example-com");
    }
}
