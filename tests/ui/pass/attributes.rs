//! Every attribute, with and without options, before and after the route macros.
use actix_web::{App, HttpRequest, HttpResponse, Responder, get, post, route, web};
use clerk_actix::{
    Auth, Rejection, SignedIn, protect, require_auth, require_feature, require_org_role,
    require_permission, require_plan, require_reverification,
};

fn reject(rejection: &Rejection, _req: &HttpRequest) -> HttpResponse {
    HttpResponse::Unauthorized().body(rejection.to_string())
}

#[require_auth]
#[get("/a")]
async fn a(user: SignedIn) -> String {
    user.user_id().to_owned()
}

#[get("/b")]
#[require_auth(redirect = false, sign_in_url = "https://example.com/sign-in", on_reject = reject)]
async fn b() -> &'static str {
    "b"
}

#[require_org_role("admin")]
#[post("/c")]
async fn c() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[require_org_role("org:billing_manager", not_found = true, sign_in_url = "/login")]
#[route("/d", method = "GET", method = "HEAD")]
async fn d() -> impl Responder {
    "d"
}

#[get("/e")]
#[require_permission("org:invoices:read")]
async fn e() -> impl Responder {
    "e"
}

#[get("/f")]
#[require_permission("invoices:write", redirect = true)]
async fn f() -> impl Responder {
    "f"
}

#[get("/g")]
#[require_feature("u:export")]
async fn g() -> &'static str {
    "g"
}

#[get("/h")]
#[require_plan("organization:business")]
async fn h() -> &'static str {
    "h"
}

#[get("/i")]
#[require_reverification(strict_mfa)]
async fn i() -> &'static str {
    "i"
}

#[get("/j")]
#[require_reverification("lax", not_found = false)]
async fn j() -> &'static str {
    "j"
}

#[get("/k")]
#[protect]
async fn k(auth: Auth) -> String {
    format!("{:?}", auth.user_id())
}

#[get("/l")]
#[protect(
    role = "admin",
    permission = "org:reports:read",
    feature = "o:reports",
    plan = "pro",
    reverification = moderate,
    any(role = "owner", all(permission = "org:a:b", plan = "u:team"), any(feature = "x")),
    redirect = false,
    not_found = true,
)]
async fn l() -> &'static str {
    "l"
}

fn main() {
    let _app = App::new()
        .service(a)
        .service(b)
        .service(c)
        .service(d)
        .service(e)
        .service(f)
        .service(g)
        .service(h)
        .service(i)
        .service(j)
        .service(k)
        .service(l)
        .route("/m", web::get().to(k_like));
}

#[require_auth]
async fn k_like() -> &'static str {
    "registered with web::get().to(..)"
}
