//! The guard attributes and scope middlewares through a real actix service: for every guard a
//! signed-out browser (307 to sign in), a signed-out API client (401), a signed-in user who is
//! allowed (200) and one who is not (403, 404 or Clerk's reverification 403); then the options,
//! extractor order, stacking, methods and the redirect helpers.

mod support;

use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, Responder, get, post, test, web};
use clerk_actix::dev::{SessionToken, SigningKey};
use clerk_actix::{
    Auth, Clerk, ClerkMiddleware, Has, Protect, Rejection, RequireAuth, RequireFeature,
    RequireOrgRole, RequirePermission, RequirePlan, Requirement, RouteMatcher, SignedIn, protect,
    require_auth, require_feature, require_org_role, require_permission, require_plan,
    require_reverification,
};
use serde_json::{Value, json};
use support::fixtures::PK_LIVE;

/// The Account Portal of `PK_LIVE`'s instance.
const SIGN_IN: &str = "https://accounts.inspired.puma-74.lcl.dev/sign-in";
const HOST: &str = "app.example.com";

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("ins_guards").expect("RSA key"))
}

/// A production instance, so signed-out browsers are not sent through a development handshake.
fn clerk() -> Clerk {
    Clerk::builder()
        .publishable_key(PK_LIVE)
        .jwt_key(key().public_key_pem())
        .build()
        .expect("test configuration")
}

fn user() -> SessionToken {
    SessionToken::new("user_1")
}

fn admin() -> SessionToken {
    user().organization("org_1", "acme", "admin", &["org:invoices:read"])
}

fn member() -> SessionToken {
    user().organization("org_1", "acme", "member", &["org:reports:read"])
}

// --- guarded handlers ----------------------------------------------------------------------

#[require_auth]
#[get("/attr/auth")]
async fn attr_auth(user: SignedIn) -> String {
    format!("hello {}", user.user_id())
}

#[get("/attr/role")]
#[require_org_role("admin")]
async fn attr_role(user: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "admin": user.user_id() }))
}

#[require_permission("org:invoices:read")]
#[get("/attr/permission")]
async fn attr_permission() -> impl Responder {
    "invoices"
}

#[get("/attr/feature")]
#[require_feature("export")]
async fn attr_feature() -> Result<&'static str, actix_web::Error> {
    Ok("export")
}

#[get("/attr/plan")]
#[require_plan("u:pro")]
async fn attr_plan() -> &'static str {
    "pro"
}

#[get("/attr/reverification")]
#[require_reverification(strict)]
async fn attr_reverification() -> &'static str {
    "fresh"
}

#[get("/attr/protect")]
#[protect(
    any(role = "admin", permission = "org:reports:read"),
    feature = "export"
)]
async fn attr_protect(auth: Auth) -> String {
    format!("{:?}", auth.org_role())
}

// --- one matrix for every guard --------------------------------------------------------------

/// A guarded path, a token it lets through, and one it turns away with `denied`.
struct Case {
    path: &'static str,
    allowed: SessionToken,
    denied: SessionToken,
    denied_status: StatusCode,
    denied_body: Value,
}

fn forbidden() -> Value {
    json!({"errors":[{"code":"forbidden","message":"You are not allowed to access this resource."}]})
}

fn attribute_cases() -> Vec<Case> {
    let forbidden_case = |path, allowed, denied| Case {
        path,
        allowed,
        denied,
        denied_status: StatusCode::FORBIDDEN,
        denied_body: forbidden(),
    };
    vec![
        Case {
            path: "/attr/auth",
            allowed: user(),
            // Only signed-in matters; a pending session is signed out (checked elsewhere).
            denied: user().status("pending"),
            denied_status: StatusCode::UNAUTHORIZED,
            denied_body: json!({"errors":[{"code":"unauthenticated","message":"You must be signed in to access this resource."}]}),
        },
        forbidden_case("/attr/role", admin(), member()),
        forbidden_case("/attr/permission", admin(), member()),
        forbidden_case(
            "/attr/feature",
            user().claim("fea", json!("o:export")),
            user().claim("fea", json!("o:import")),
        ),
        forbidden_case(
            "/attr/plan",
            user().claim("pla", json!("u:pro")),
            user().claim("pla", json!("o:pro")),
        ),
        Case {
            path: "/attr/reverification",
            allowed: user().factor_verification_age(2, -1),
            denied: user().factor_verification_age(30, 45),
            denied_status: StatusCode::FORBIDDEN,
            denied_body: json!({"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":"strict"}}}),
        },
        forbidden_case(
            "/attr/protect",
            member().claim("fea", json!("o:reports,o:export")),
            admin(),
        ),
    ]
}

fn browser(path: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri(path)
        .insert_header(("host", HOST))
        .insert_header(("sec-fetch-dest", "document"))
        .insert_header(("accept", "text/html"))
}

fn api(path: &str, token: Option<&SessionToken>) -> test::TestRequest {
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(("host", HOST))
        .insert_header(("accept", "application/json"));
    match token {
        Some(token) => {
            req.insert_header(("authorization", format!("Bearer {}", token.sign(key()))))
        }
        None => req,
    }
}

fn header<'a, B>(res: &'a ServiceResponse<B>, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

fn expected_location(path: &str) -> String {
    let back: String =
        url::form_urlencoded::byte_serialize(format!("http://{HOST}{path}").as_bytes()).collect();
    format!("{SIGN_IN}?redirect_url={back}")
}

async fn run_matrix<S, B>(app: &S, cases: &[Case])
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    for case in cases {
        let path = case.path;

        let res = test::call_service(app, browser(path).to_request()).await;
        assert_eq!(
            res.status(),
            StatusCode::TEMPORARY_REDIRECT,
            "signed-out browser {path}"
        );
        assert_eq!(
            header(&res, "location"),
            Some(expected_location(path).as_str()),
            "{path}"
        );
        assert_eq!(header(&res, "x-clerk-redirect-to"), Some("true"), "{path}");

        let res = test::call_service(app, api(path, None).to_request()).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "signed-out API client {path}"
        );
        assert_eq!(header(&res, "www-authenticate"), Some("Bearer"), "{path}");
        assert_eq!(
            header(&res, "x-clerk-auth-status"),
            Some("signed-out"),
            "{path}"
        );
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body["errors"][0]["code"], "unauthenticated", "{path}");

        let res = test::call_service(app, api(path, Some(&case.allowed)).to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "signed-in allowed {path}");

        let res = test::call_service(app, api(path, Some(&case.denied)).to_request()).await;
        assert_eq!(res.status(), case.denied_status, "signed-in denied {path}");
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body, case.denied_body, "{path}");
    }
}

#[actix_web::test]
async fn every_attribute_answers_each_kind_of_request() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .service(attr_auth)
            .service(attr_role)
            .service(attr_permission)
            .service(attr_feature)
            .service(attr_plan)
            .service(attr_reverification)
            .service(attr_protect),
    )
    .await;
    run_matrix(&app, &attribute_cases()).await;
}

async fn ok() -> &'static str {
    "ok"
}

#[actix_web::test]
async fn every_scope_middleware_answers_like_the_attributes() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .service(
                web::scope("/scope/auth")
                    .wrap(RequireAuth::new())
                    .route("", web::get().to(ok)),
            )
            .service(
                web::scope("/scope/role")
                    .wrap(RequireOrgRole::new("admin"))
                    .route("", web::get().to(ok)),
            )
            .service(
                web::scope("/scope/permission")
                    .wrap(RequirePermission::new("org:invoices:read"))
                    .route("", web::get().to(ok)),
            )
            .service(
                web::scope("/scope/feature")
                    .wrap(RequireFeature::new("export"))
                    .route("", web::get().to(ok)),
            )
            .service(
                web::scope("/scope/plan")
                    .wrap(RequirePlan::new("u:pro"))
                    .route("", web::get().to(ok)),
            )
            .service(
                web::scope("/scope/protect")
                    .wrap(Protect::new(Requirement::all([
                        Requirement::any([Has::role("admin"), Has::permission("org:reports:read")]),
                        Requirement::from(Has::feature("export")),
                    ])))
                    .route("", web::get().to(ok)),
            ),
    )
    .await;
    let mut cases = attribute_cases();
    cases.retain(|case| case.path != "/attr/reverification");
    for case in &mut cases {
        case.path = match case.path {
            "/attr/auth" => "/scope/auth",
            "/attr/role" => "/scope/role",
            "/attr/permission" => "/scope/permission",
            "/attr/feature" => "/scope/feature",
            "/attr/plan" => "/scope/plan",
            _ => "/scope/protect",
        };
    }
    run_matrix(&app, &cases).await;
}

// --- options -------------------------------------------------------------------------------------

fn teapot(rejection: &Rejection, _req: &HttpRequest) -> HttpResponse {
    HttpResponse::ImATeapot().body(format!("custom: {rejection}"))
}

#[get("/opt/no-redirect")]
#[require_auth(redirect = false)]
async fn no_redirect() -> &'static str {
    "ok"
}

#[get("/opt/login")]
#[require_org_role("admin", sign_in_url = "/login")]
async fn custom_sign_in() -> &'static str {
    "ok"
}

#[get("/opt/hidden")]
#[protect(role = "admin", not_found = true)]
async fn hidden() -> &'static str {
    "ok"
}

#[get("/opt/custom")]
#[require_permission("org:invoices:read", on_reject = teapot)]
async fn custom_rejection() -> &'static str {
    "ok"
}

#[actix_web::test]
async fn options_change_the_answers() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .service(no_redirect)
            .service(custom_sign_in)
            .service(hidden)
            .service(custom_rejection)
            .service(
                web::scope("/opt/scope-hidden")
                    .wrap(RequireOrgRole::new("admin").not_found(true).redirect(false))
                    .route("", web::get().to(ok)),
            ),
    )
    .await;

    let res = test::call_service(&app, browser("/opt/no-redirect").to_request()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let res = test::call_service(&app, browser("/opt/login?next=1").to_request()).await;
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        header(&res, "location"),
        Some(
            "http://app.example.com/login?redirect_url=http%3A%2F%2Fapp.example.com%2Fopt%2Flogin%3Fnext%3D1"
        )
    );

    for path in ["/opt/hidden", "/opt/scope-hidden"] {
        let res = test::call_service(&app, api(path, Some(&member())).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body["errors"][0]["code"], "not_found", "{path}");
        let res = test::call_service(&app, api(path, Some(&admin())).to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let res = test::call_service(&app, browser("/opt/scope-hidden").to_request()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let res = test::call_service(&app, api("/opt/custom", Some(&member())).to_request()).await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(
        test::read_body(res).await,
        "custom: You are not allowed to access this resource."
    );
    let res = test::call_service(&app, api("/opt/custom", None).to_request()).await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    let res = test::call_service(&app, api("/opt/custom", Some(&admin())).to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn pending_sessions_are_sent_to_their_tasks() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .service(attr_auth),
    )
    .await;
    let token = user().status("pending").sign(key());
    let req = browser("/attr/auth").insert_header(("authorization", format!("Bearer {token}")));
    let res = test::call_service(&app, req.to_request()).await;
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = header(&res, "location").unwrap_or_default();
    assert!(
        location.starts_with(&format!("{SIGN_IN}/tasks?redirect_url=")),
        "{location}"
    );
}

// --- expansion: extractor order, stacking, methods, return types ---------------------------------

#[derive(serde::Deserialize)]
struct Invoice {
    amount: u32,
}

#[post("/expansion/invoices/{org}")]
#[require_permission("org:invoices:read")]
async fn create_invoice(
    org: web::Path<String>,
    web::Json(Invoice { amount }): web::Json<Invoice>,
) -> HttpResponse {
    HttpResponse::Created().json(json!({ "org": org.into_inner(), "amount": amount }))
}

#[require_auth]
#[require_org_role("admin")]
#[get("/expansion/stacked")]
async fn stacked(user: SignedIn) -> Result<HttpResponse, actix_web::Error> {
    let count: u32 = "7"
        .parse()
        .map_err(actix_web::error::ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().body(format!("{} x{count}", user.user_id())))
}

struct Reports;

impl Reports {
    /// Methods in `impl` blocks work the same.
    #[require_org_role("admin")]
    async fn show(id: web::Path<u32>) -> impl Responder {
        format!("report {id}")
    }
}

#[actix_web::test]
async fn the_guard_runs_before_any_extractor_and_then_they_all_run() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .service(create_invoice)
            .service(stacked)
            .route("/expansion/reports/{id}", web::get().to(Reports::show)),
    )
    .await;
    let post = |token: Option<&SessionToken>, body: &'static str| {
        let req = test::TestRequest::post()
            .uri("/expansion/invoices/acme")
            .insert_header(("content-type", "application/json"))
            .set_payload(body);
        match token {
            Some(token) => {
                req.insert_header(("authorization", format!("Bearer {}", token.sign(key()))))
            }
            None => req,
        }
        .to_request()
    };
    // Signed out with a body that would not parse: the guard answers before the extractor.
    let res = test::call_service(&app, post(None, "{not json")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = test::call_service(&app, post(Some(&member()), "{not json")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Allowed: the extractors then run as usual, errors included.
    let res = test::call_service(&app, post(Some(&admin()), "{not json")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = test::call_service(&app, post(Some(&admin()), r#"{"amount": 12}"#)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body, json!({ "org": "acme", "amount": 12 }));

    let res = test::call_service(
        &app,
        api("/expansion/stacked", Some(&member())).to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = test::call_service(&app, api("/expansion/stacked", None).to_request()).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res =
        test::call_service(&app, api("/expansion/stacked", Some(&admin())).to_request()).await;
    assert_eq!(test::read_body(res).await, "user_1 x7");

    let res = test::call_service(
        &app,
        api("/expansion/reports/3", Some(&admin())).to_request(),
    )
    .await;
    assert_eq!(test::read_body(res).await, "report 3");
    let res = test::call_service(
        &app,
        api("/expansion/reports/3", Some(&member())).to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn without_clerk_middleware_guards_answer_500() {
    let app = test::init_service(
        App::new().service(attr_auth).service(
            web::scope("/scope")
                .wrap(RequireAuth::new())
                .route("", web::get().to(ok)),
        ),
    )
    .await;
    for path in ["/attr/auth", "/scope"] {
        let res = test::call_service(&app, api(path, Some(&user())).to_request()).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
}

// --- redirect helpers --------------------------------------------------------------------------

/// Clerk's seed example: send signed-out visitors to sign in.
async fn dashboard(auth: Auth) -> HttpResponse {
    let Some(user_id) = auth.user_id() else {
        return auth.redirect_to_sign_in();
    };
    HttpResponse::Ok().body(format!("dashboard of {user_id}"))
}

async fn join(auth: Auth) -> HttpResponse {
    auth.redirect_to_sign_up()
}

#[actix_web::test]
async fn redirect_helpers_return_to_the_forwarded_url() {
    let app = test::init_service(
        App::new()
            .wrap(ClerkMiddleware::new(clerk()))
            .route("/dashboard", web::get().to(dashboard))
            .route("/join", web::get().to(join)),
    )
    .await;
    let req = test::TestRequest::get()
        .uri("/dashboard?tab=2")
        .insert_header(("host", "internal:8080"))
        .insert_header(("x-forwarded-host", "www.example.com"))
        .insert_header(("x-forwarded-proto", "https"));
    let res = test::call_service(&app, req.to_request()).await;
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(header(&res, "x-clerk-redirect-to"), Some("true"));
    assert_eq!(
        header(&res, "location"),
        Some(
            "https://accounts.inspired.puma-74.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.example.com%2Fdashboard%3Ftab%3D2"
        )
    );
    let res = test::call_service(&app, api("/dashboard", Some(&user())).to_request()).await;
    assert_eq!(test::read_body(res).await, "dashboard of user_1");

    let res = test::call_service(&app, browser("/join").to_request()).await;
    assert_eq!(
        header(&res, "location"),
        Some(
            "https://accounts.inspired.puma-74.lcl.dev/sign-up?redirect_url=http%3A%2F%2Fapp.example.com%2Fjoin"
        )
    );
}

// --- ClerkMiddleware: route patterns and the handler callback --------------------------------

#[actix_web::test]
async fn clerk_middleware_guards_route_patterns() {
    let clerk_middleware = ClerkMiddleware::new(clerk())
        .protect(
            RouteMatcher::new(["/dashboard(.*)"]).unwrap(),
            RequireAuth::new(),
        )
        .protect(
            RouteMatcher::new(["/admin/:path*"]).unwrap(),
            RequireOrgRole::new("admin"),
        );
    let app = test::init_service(
        App::new()
            .wrap(clerk_middleware)
            .default_service(web::to(ok)),
    )
    .await;

    for path in [
        "/dashboard",
        "/Dashboard/settings/",
        "//dashboard/x?y=1",
        "/admin",
    ] {
        let res = test::call_service(&app, browser(path).to_request()).await;
        assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT, "{path}");
        assert_eq!(
            header(&res, "x-clerk-auth-status"),
            Some("signed-out"),
            "{path}"
        );
        let res = test::call_service(&app, api(path, None).to_request()).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    for (path, token, expected) in [
        ("/dashboard/a", Some(user()), StatusCode::OK),
        ("/admin/users", Some(member()), StatusCode::FORBIDDEN),
        ("/admin/users", Some(admin()), StatusCode::OK),
        ("/public", None, StatusCode::OK),
        ("/dashboardish", Some(user()), StatusCode::OK),
        ("/adminx", None, StatusCode::OK),
        ("/dashboard%E0%A4%A", Some(user()), StatusCode::BAD_REQUEST),
    ] {
        let res = test::call_service(&app, api(path, token.as_ref()).to_request()).await;
        assert_eq!(res.status(), expected, "{path}");
    }
}

#[actix_web::test]
async fn clerk_middleware_runs_the_handler_before_the_route() {
    let protected = RouteMatcher::new(["/app(.*)"]).unwrap();
    let reports = RouteMatcher::new(["/reports(.*)"]).unwrap();
    let clerk_middleware = ClerkMiddleware::new(clerk()).handler(move |auth, req| {
        let (protected, reports) = (protected.clone(), reports.clone());
        async move {
            // Async work is allowed before deciding.
            actix_web::rt::task::yield_now().await;
            if auth.user_id().is_none() && protected.matches(req.path())? {
                return Ok(Some(auth.redirect_to_sign_in()));
            }
            if reports.matches(req.path())? {
                Protect::new(Has::permission("org:reports:read")).check(&req)?;
            }
            if req.path() == "/blocked" {
                return Ok(Some(HttpResponse::Forbidden().body("blocked")));
            }
            Ok(None)
        }
    });
    let app = test::init_service(
        App::new()
            .wrap(clerk_middleware)
            .default_service(web::to(ok)),
    )
    .await;

    let res = test::call_service(&app, api("/app/home", None).to_request()).await;
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        header(&res, "location"),
        Some(expected_location("/app/home").as_str())
    );
    assert_eq!(header(&res, "x-clerk-auth-status"), Some("signed-out"));
    let res = test::call_service(&app, api("/app/home", Some(&user())).to_request()).await;
    assert_eq!(test::read_body(res).await, "ok");

    let res = test::call_service(&app, api("/reports", Some(&admin())).to_request()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = test::call_service(&app, api("/reports", Some(&member())).to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = test::call_service(&app, api("/reports%ff", Some(&member())).to_request()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let res = test::call_service(&app, api("/blocked", Some(&admin())).to_request()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(test::read_body(res).await, "blocked");
    let res = test::call_service(&app, api("/elsewhere", None).to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
}
