//! The Frontend API side of Clerk's handshake (spec §1.10-§1.12): `GET /v1/client/handshake`
//! computes the app's cookies for the browser's client and sends the browser back with them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::bapi::Params;
use super::instance::Instance;
use super::store::{Client, Store, now_ms};
use crate::cookies::Cookies;

const SESSION: &str = "__session";
const CLIENT_UAT: &str = "__client_uat";
const REFRESH: &str = "__refresh";
const DEV_BROWSER: &str = "__clerk_db_jwt";
/// `__client_uat` and the dev browser cookie outlive browser restarts, as Clerk's do.
const LONG_LIVED: &str = "Max-Age=315360000";

/// The origin (`http://host:port`) of an http(s) URL.
pub(crate) fn request_origin(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .map(|u| u.origin().ascii_serialization())
}

/// `name=value` (and `name_<suffix>=value` when `suffixed`), with `attributes`.
fn both(name: &str, value: &str, attributes: &str, suffix: &str, suffixed: bool) -> Vec<String> {
    let mut cookies = vec![format!("{name}={value}; {attributes}")];
    if suffixed {
        cookies.push(format!("{name}_{suffix}={value}; {attributes}"));
    }
    cookies
}

/// The `__session` cookies carrying `token` (what a refresh returns).
pub(crate) fn session_cookies(token: &str, suffix: &str, suffixed: bool) -> Vec<String> {
    both(SESSION, token, "Path=/; SameSite=Lax", suffix, suffixed)
}

/// The cookie directives for an app whose browser is `client`: a fresh session token, the
/// client's `__client_uat` and a refresh token when signed in; cleared ones when not. The
/// `__session` directives come last, as the SDK takes the last one as the session token.
pub(crate) fn directives(
    instance: &Instance,
    store: &mut Store,
    client: &Client,
    azp: &str,
    suffixed: bool,
    now: i64,
) -> Vec<String> {
    let suffix = instance.cookie_suffix.as_str();
    let mut cookies = Vec::new();
    if let Some(dev_browser) = &client.dev_browser {
        let attributes = format!("Path=/; {LONG_LIVED}; SameSite=Lax");
        cookies.extend(both(
            DEV_BROWSER,
            dev_browser,
            &attributes,
            suffix,
            suffixed,
        ));
    }
    let signed_in = store.active_session(client, now).and_then(|session| {
        let token = instance
            .session_token(store, &session.id, Some(azp), None, now)
            .ok()?;
        Some((session.id.clone(), session.refresh_token.clone(), token))
    });
    let uat_attributes = format!("Path=/; {LONG_LIVED}; SameSite=Lax");
    match signed_in {
        Some((session_id, refresh_token, token)) => {
            if let Ok(session) = store.session_mut(&session_id) {
                session.azp = Some(azp.to_owned());
                session.last_active_at = now;
            }
            let uat = client.uat.max(1).to_string();
            cookies.extend(both(CLIENT_UAT, &uat, &uat_attributes, suffix, suffixed));
            cookies.push(format!(
                "{REFRESH}_{suffix}={refresh_token}; Path=/; HttpOnly; SameSite=Lax"
            ));
            cookies.extend(session_cookies(&token, suffix, suffixed));
        }
        None => {
            cookies.extend(both(CLIENT_UAT, "0", &uat_attributes, suffix, suffixed));
            cookies.push(format!(
                "{REFRESH}_{suffix}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
            ));
            cookies.extend(both(
                SESSION,
                "",
                "Path=/; Max-Age=0; SameSite=Lax",
                suffix,
                suffixed,
            ));
        }
    }
    cookies
}

/// The browser's client: the one named by `dev_browser` (the app's `__clerk_db_jwt`), else by
/// the instance's own cookie, else a new one.
pub(crate) fn identify_client(
    instance: &Instance,
    store: &mut Store,
    req: &HttpRequest,
    dev_browser: Option<&str>,
    now: i64,
) -> Client {
    let from_cookie = client_cookie_value(instance, req);
    [dev_browser, from_cookie.as_deref()]
        .into_iter()
        .flatten()
        .filter(|token| !token.is_empty())
        .find_map(|token| store.client_by_dev_browser(token).cloned())
        .unwrap_or_else(|| store.new_client(true, now))
}

fn client_cookie_value(instance: &Instance, req: &HttpRequest) -> Option<String> {
    let mut cookies = Cookies::default();
    let headers: Vec<&str> = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .collect();
    for value in &headers {
        cookies.extend(value);
    }
    cookies.get(&instance.client_cookie).map(|v| v.into_owned())
}

/// `Set-Cookie` for the instance's own client cookie (never one of Clerk's names: browsers
/// share cookies between the ports of one host, so the app sees it too).
pub(crate) fn set_client_cookie(instance: &Instance, client: &Client) -> String {
    format!(
        "{}={}; Path=/; {LONG_LIVED}; HttpOnly; SameSite=Lax",
        instance.client_cookie,
        client.dev_browser.as_deref().unwrap_or_default()
    )
}

/// The handshake URL that brings the browser back to `redirect_url` with the client's cookies.
pub(crate) fn handshake_url(instance: &Instance, client: &Client, redirect_url: &Url) -> String {
    let mut url = format!("{}/v1/client/handshake?", instance.origin);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("redirect_url", redirect_url.as_str())
        .append_pair("suffixed_cookies", "true")
        .append_pair("__clerk_hs_reason", "dev-instance-sign-in")
        .append_pair("format", "nonce");
    if let Some(dev_browser) = &client.dev_browser {
        query.append_pair(DEV_BROWSER, dev_browser);
    }
    url.push_str(&query.finish());
    url
}

/// `GET /v1/client/handshake?redirect_url=..&suffixed_cookies=..&format=..[&__clerk_db_jwt=..][&organization_id=..]`
pub(crate) async fn handshake(req: HttpRequest, instance: web::Data<Instance>) -> HttpResponse {
    let query = Params::parse(req.query_string());
    let Some(redirect) = query.get("redirect_url") else {
        return bad_request("redirect_url is missing.");
    };
    let Some(mut redirect) = instance.allowed_redirect(redirect) else {
        return bad_request(
            "redirect_url must be an absolute http(s) URL on a loopback host or an origin allowed with DevInstanceConfig::allow_redirect_origin.",
        );
    };
    let suffixed = query.get("suffixed_cookies") == Some("true");
    let now = now_ms();
    let mut store = instance.lock();
    let client = identify_client(&instance, &mut store, &req, query.get(DEV_BROWSER), now);
    // Organization sync (spec §1.13): activate the requested organization (id or slug;
    // empty = personal account) if the user belongs to it.
    if let Some(org) = query.get("organization_id")
        && let Some(session) = store.active_session(&client, now).map(|s| s.id.clone())
    {
        let _ = store.set_active_organization(&session, Some(org).filter(|o| !o.is_empty()), now);
    }
    // The organization switch may have bumped `__client_uat`.
    let client = store
        .clients
        .iter()
        .find(|c| c.id == client.id)
        .cloned()
        .unwrap_or(client);
    let azp = redirect.origin().ascii_serialization();
    let directives = directives(&instance, &mut store, &client, &azp, suffixed, now);
    instance.persist(&store);
    drop(store);
    if query.get("format") == Some("nonce") {
        let nonce = instance.put_nonce(directives);
        redirect
            .query_pairs_mut()
            .append_pair("__clerk_handshake_nonce", &nonce);
    } else {
        let token = instance.handshake_token(&directives, now);
        redirect
            .query_pairs_mut()
            .append_pair("__clerk_handshake", &token);
    }
    HttpResponse::TemporaryRedirect()
        .insert_header((header::LOCATION, redirect.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::SET_COOKIE, set_client_cookie(&instance, &client)))
        .finish()
}

fn bad_request(message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .body(message.to_owned())
}

/// `GET /.well-known/jwks.json`: the Frontend API's public JWKS (no secret key needed).
pub(crate) async fn jwks(instance: web::Data<Instance>) -> HttpResponse {
    HttpResponse::Ok().json(instance.key.jwks())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev::DevInstanceConfig;

    fn names(directives: &[String]) -> Vec<&str> {
        directives
            .iter()
            .filter_map(|d| d.split_once('=').map(|(n, _)| n))
            .collect()
    }

    #[test]
    fn signed_out_directives_clear_the_session() {
        let instance = Instance::for_tests(DevInstanceConfig::in_memory());
        let mut store = instance.lock();
        let client = store.new_client(true, 0);
        let sfx = instance.cookie_suffix.clone();
        let directives = directives(
            &instance,
            &mut store,
            &client,
            "http://localhost:3000",
            false,
            0,
        );
        assert_eq!(
            names(&directives),
            [
                "__clerk_db_jwt",
                "__client_uat",
                &format!("__refresh_{sfx}"),
                "__session"
            ]
        );
        assert!(directives[1].starts_with("__client_uat=0;"));
        assert!(directives[3].starts_with("__session=;") && directives[3].contains("Max-Age=0"));
    }

    #[test]
    fn signed_in_directives_carry_a_fresh_token_last() {
        let instance = Instance::for_tests(DevInstanceConfig::in_memory());
        let mut store = instance.lock();
        let demo = store.user_by_email("demo@example.com").unwrap().id.clone();
        let client = store.new_client(true, 0);
        let now = 1_700_000_000_000;
        let session = store
            .sign_in(&client.id, &demo, false, now)
            .unwrap()
            .id
            .clone();
        let client = store
            .client_by_dev_browser(client.dev_browser.as_deref().unwrap())
            .unwrap()
            .clone();
        let sfx = instance.cookie_suffix.clone();
        let directives = directives(
            &instance,
            &mut store,
            &client,
            "http://localhost:3000",
            true,
            now,
        );
        let session_names = [format!("__session_{sfx}")];
        assert_eq!(
            names(&directives),
            [
                "__clerk_db_jwt",
                &format!("__clerk_db_jwt_{sfx}"),
                "__client_uat",
                &format!("__client_uat_{sfx}"),
                &format!("__refresh_{sfx}"),
                "__session",
                &session_names[0],
            ]
        );
        assert!(directives[2].starts_with("__client_uat=1700000000;"));
        assert!(directives[4].contains("HttpOnly"));
        let token = directives[6]
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1;
        let claims = instance.key.verify(token).unwrap();
        assert_eq!(claims["sid"], serde_json::json!(session));
        assert_eq!(claims["azp"], "http://localhost:3000");
        assert_eq!(
            store.session(&session).unwrap().azp.as_deref(),
            Some("http://localhost:3000")
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            request_origin("http://localhost:3000/a?b").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(request_origin("ftp://x/"), None);
        assert_eq!(request_origin("nope"), None);
    }
}
