//! Quickstart: a server-rendered actix-web app with Clerk sign-in.
//!
//! `cargo run --example quickstart`, then open the printed URL.
//!
//! - With `CLERK_PUBLISHABLE_KEY` and `CLERK_SECRET_KEY` set, it runs against your Clerk instance
//!   (sign-in on the Account Portal, ClerkJS's UserButton and OrganizationSwitcher on the pages).
//! - Without them it starts the embedded dev instance on `127.0.0.1` (no account, no network):
//!   sign in as `demo@example.com` (member of "Acme") or `admin@example.com` (its admin).
//!
//! Routes: `/` (public), `/dashboard` (`#[require_auth]`, shows the user from the Backend API),
//! `/admin` (`#[require_org_role("admin")]`), `/organization`, `/sign-out`.
//! Environment: `PORT` (default 3000); dev instance only: `CLERK_DEV_PORT` (default PORT + 1),
//! `CLERK_DEV_TOKEN_LIFETIME` (seconds, default 60, as Clerk's session tokens).

use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, get, web};
use clerk_actix::dev::{DevInstance, DevInstanceConfig};
use clerk_actix::ui::{self, Component};
use clerk_actix::{
    Auth, Clerk, ClerkAuth, ClerkMiddleware, CurrentOrganization, CurrentUser, require_auth,
    require_org_role,
};

/// Where the sign-out and organization pages live: the dev instance's pages, or ClerkJS.
#[derive(Clone)]
struct Site {
    dev_url: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(site: &Site, auth: &ClerkAuth, title: &str, body: &str) -> HttpResponse {
    let clerk_js = match site.dev_url {
        // The dev instance renders its own pages; ClerkJS is for real Clerk instances.
        Some(_) => String::new(),
        None => format!(
            "{}{}",
            ui::clerk_js_script(auth),
            ui::mount(Component::UserButton, "user-button")
        ),
    };
    let nav = if auth.is_signed_in() {
        r#"<a href="/">Home</a> · <a href="/dashboard">Dashboard</a> · <a href="/organization">Organization</a> · <a href="/admin">Admin</a> · <a id="sign-out" href="/sign-out">Sign out</a>"#
    } else {
        r#"<a href="/">Home</a> · <a href="/dashboard">Dashboard</a> · <a id="sign-in" href="/dashboard">Sign in</a>"#
    };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · clerk-actix</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;line-height:1.5}} nav{{margin-bottom:1.5rem}} code{{background:#f3f3f3;padding:0 .2rem}}</style>
{clerk_js}</head><body><nav>{nav}</nav><h1>{title}</h1>{body}{state}</body></html>"#,
        title = escape(title),
        state = ui::auth_state_script(auth),
    ))
}

#[get("/")]
async fn home(site: web::Data<Site>, auth: Auth) -> HttpResponse {
    let body = match auth.user_id() {
        Some(user) => format!(r#"<p id="status">Signed in as <code>{}</code>.</p>"#, escape(user)),
        None => r#"<p id="status">You are signed out. Open the <a href="/dashboard">dashboard</a> to sign in.</p>"#.to_owned(),
    };
    page(&site, &auth, "clerk-actix quickstart", &body)
}

#[get("/dashboard")]
#[require_auth]
async fn dashboard(site: web::Data<Site>, auth: Auth, user: CurrentUser) -> HttpResponse {
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let email = user
        .email_addresses
        .iter()
        .find(|e| Some(&e.id) == user.primary_email_address_id.as_ref())
        .map(|e| e.email_address.clone())
        .unwrap_or_default();
    let body = format!(
        r#"<p id="greeting">Hello, <strong id="user-name">{}</strong>!</p>
<ul><li>Email: <span id="user-email">{}</span></li><li>User id: <code>{}</code></li>
<li>Active organization: <code id="org-id">{}</code> (role <code id="org-role">{}</code>)</li></ul>"#,
        escape(if name.is_empty() { &email } else { &name }),
        escape(&email),
        escape(&user.id),
        escape(auth.org_id().unwrap_or("none")),
        escape(auth.org_role().unwrap_or("none")),
    );
    page(&site, &auth, "Dashboard", &body)
}

#[get("/admin")]
#[require_org_role("admin")]
async fn admin(site: web::Data<Site>, auth: Auth) -> HttpResponse {
    let body = format!(
        r#"<p id="admin">Welcome to the admin area of <code>{}</code>.</p>"#,
        escape(auth.org_slug().unwrap_or_default())
    );
    page(&site, &auth, "Admin", &body)
}

#[get("/organization")]
#[require_auth]
async fn organization(
    site: web::Data<Site>,
    auth: Auth,
    req: HttpRequest,
    org: Option<CurrentOrganization>,
) -> HttpResponse {
    let current = org.map_or_else(
        || "<p>No active organization.</p>".to_owned(),
        |org| {
            format!(
                r#"<p id="org-name">Active organization: <strong>{}</strong></p>"#,
                escape(&org.name)
            )
        },
    );
    let switch = match &site.dev_url {
        Some(dev) => {
            let back = format!(
                "{}://{}/organization",
                req.connection_info().scheme(),
                req.connection_info().host()
            );
            let url = url::Url::parse_with_params(
                &format!("{dev}/organizations"),
                [("redirect_url", back.as_str())],
            )
            .map(String::from)
            .unwrap_or_default();
            format!(
                r#"<p><a id="switch-org" href="{}">Switch organization</a></p>"#,
                escape(&url)
            )
        }
        None => ui::mount(Component::OrganizationSwitcher, "organization-switcher"),
    };
    page(&site, &auth, "Organization", &format!("{current}{switch}"))
}

#[get("/sign-out")]
async fn sign_out(site: web::Data<Site>, auth: Auth, req: HttpRequest) -> HttpResponse {
    let home_url = format!(
        "{}://{}/",
        req.connection_info().scheme(),
        req.connection_info().host()
    );
    match &site.dev_url {
        // The dev instance ends the session and clears the cookies through the handshake.
        Some(dev) => {
            let url = url::Url::parse_with_params(
                &format!("{dev}/sign-out"),
                [("redirect_url", home_url.as_str())],
            )
            .map(String::from)
            .unwrap_or_default();
            HttpResponse::SeeOther()
                .insert_header(("location", url))
                .finish()
        }
        // With real Clerk: revoke the session; the next request learns it through the handshake.
        None => {
            if let (Some(sid), Ok(client)) = (auth.session_id(), clerk_actix::clerk_client(&req))
                && let Err(err) = client.sessions().revoke(sid).await
            {
                eprintln!("quickstart: revoking the session failed: {err}");
            }
            HttpResponse::SeeOther()
                .insert_header(("location", home_url))
                .finish()
        }
    }
}

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    let value = std::env::var(name).ok()?;
    match value.parse() {
        Ok(number) => Some(number),
        Err(_) => {
            eprintln!("quickstart: {name} must be a number, got {value:?}");
            std::process::exit(2);
        }
    }
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = env_number("PORT").unwrap_or(3000);
    let has_keys = [
        "CLERK_SECRET_KEY",
        "CLERK_PUBLISHABLE_KEY",
        "PUBLIC_CLERK_PUBLISHABLE_KEY",
        "CLERK_JWT_KEY",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    let (clerk, dev) = if has_keys {
        (Clerk::from_env()?, None)
    } else {
        let dev_port = env_number("CLERK_DEV_PORT").unwrap_or(port.wrapping_add(1));
        let lifetime = Duration::from_secs(env_number("CLERK_DEV_TOKEN_LIFETIME").unwrap_or(60));
        let instance = DevInstance::start(
            DevInstanceConfig::default()
                .port(dev_port)
                .token_lifetime(lifetime),
        )?;
        (
            instance
                .clerk_builder()
                .user_cache_ttl(Duration::from_secs(5))
                .build()?,
            Some(instance),
        )
    };
    let site = Site {
        dev_url: dev.as_ref().map(|d| d.url().to_owned()),
    };
    match &dev {
        Some(instance) => println!(
            "No Clerk keys set: using the embedded dev instance at {} (sign in as demo@example.com or admin@example.com).",
            instance.url()
        ),
        None => println!("Using the Clerk instance of CLERK_PUBLISHABLE_KEY."),
    }
    println!("Open http://127.0.0.1:{port}/");
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(site.clone()))
            .wrap(ClerkMiddleware::new(clerk.clone()))
            .service(home)
            .service(dashboard)
            .service(admin)
            .service(organization)
            .service(sign_out)
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    drop(dev);
    Ok(())
}
