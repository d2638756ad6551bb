//! API server example: Clerk session tokens in the `Authorization` header (or `__session` cookie).
//!
//! Configured only from the environment (`CLERK_PUBLISHABLE_KEY`, `CLERK_SECRET_KEY` or `CLERK_JWT_KEY`,
//! `CLERK_API_URL`, `CLERK_AUTHORIZED_PARTIES`, ...; see the README). Binds `127.0.0.1:$PORT` (default 8080).
//!
//! Routes:
//! - `GET /api/me`: the signed-in user's ids, or 401 JSON.
//! - `GET /api/admin`: admins of the active organization only (`#[require_org_role("admin")]`):
//!   401 JSON when signed out, 403 JSON for other members.
//! - `GET /api/invoices`: a scope guarded by `RequirePermission::new("org:invoices:read")`,
//!   with the same answers.
//! - `GET /api/user`: `{"user": <the User object as the Backend API returned it>}`; signed out, a
//!   page request is redirected to sign-in and an API client gets 401 JSON (`#[require_auth]`).
//!   `CLERK_API_URL` points it at any Clerk-compatible Backend API.
//! - `GET /api/public`: everyone; says whether the request is signed in and why not.
//! - `GET /api/ping`: `ok` for a signed-in request, else 401: `/healthz` behind the middleware, so
//!   benchmarks can isolate the cost of authentication. It is registered like `/healthz`, as a
//!   resource of the app with the middleware on the resource alone, so that it pays the same
//!   routing as `/healthz`: inside the scope below, actix's scope routing added about 1 000
//!   instructions per request that an app pays with or without Clerk.
//! - `GET /healthz`: `ok`, outside the Clerk middleware (the bare baseline for benchmarks).

use actix_web::{App, HttpResponse, HttpServer, get, guard, web};
use clerk_actix::{
    Auth, Clerk, ClerkMiddleware, CurrentUser, RequirePermission, SignedIn, require_auth,
    require_org_role,
};
use serde::Serialize;
use serde_json::json;

/// The signed-in user, serialised straight from borrowed claims (no intermediate JSON value).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Me<'a> {
    user_id: &'a str,
    session_id: Option<&'a str>,
    org_id: Option<&'a str>,
    org_role: Option<&'a str>,
    org_permissions: Option<&'a [String]>,
}

#[get("/api/me")]
async fn me(user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        user_id: user.user_id(),
        session_id: user.session_id(),
        org_id: user.org_id(),
        org_role: user.org_role(),
        org_permissions: user.org_permissions(),
    })
}

#[get("/api/admin")]
#[require_org_role("admin")]
async fn admin(user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "userId": user.user_id(),
        "orgId": user.org_id(),
        "orgRole": user.org_role(),
    }))
}

/// Clerk's seed example (`currentUser()` / `clerkClient.users.getUser(userId)`), in Rust.
#[get("/api/user")]
#[require_auth]
async fn user_profile(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "user": user.raw() }))
}

async fn invoices(user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "orgId": user.org_id(),
        "invoices": [],
    }))
}

#[get("/api/public")]
async fn public(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "signedIn": auth.is_signed_in(),
        "userId": auth.user_id(),
        "status": auth.status().as_str(),
        "reason": auth.reason().map(|reason| reason.as_str()),
    }))
}

async fn ping(_user: SignedIn) -> &'static str {
    "ok"
}

async fn healthz() -> &'static str {
    "ok"
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let clerk = match Clerk::from_env() {
        Ok(clerk) => clerk,
        Err(err) => {
            eprintln!("api-server: Clerk is not configured: {err}");
            std::process::exit(2);
        }
    };
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().unwrap_or_else(|_| {
            eprintln!("api-server: PORT must be a port number, got {port:?}");
            std::process::exit(2);
        }),
        Err(_) => 8080,
    };
    println!("api-server listening on http://127.0.0.1:{port}");
    HttpServer::new(move || {
        App::new()
            .route("/healthz", web::get().to(healthz))
            // What `#[get("/api/ping")]` registers (a `GET` guard on the resource, so other
            // methods fall through to the scope as before), with the middleware of its own.
            .service(
                web::resource("/api/ping")
                    .guard(guard::Get())
                    .wrap(ClerkMiddleware::new(clerk.clone()))
                    .to(ping),
            )
            .service(
                web::scope("")
                    .wrap(ClerkMiddleware::new(clerk.clone()))
                    .service(me)
                    .service(admin)
                    .service(user_profile)
                    .service(
                        web::scope("/api/invoices")
                            .wrap(RequirePermission::new("org:invoices:read"))
                            .route("", web::get().to(invoices)),
                    )
                    .service(public),
            )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
