//! Any extractors, patterns and return types; methods in `impl` blocks; stacked guards.
use actix_web::{App, HttpRequest, HttpResponse, Responder, get, web};
use clerk_actix::{Auth, Rejection, SignedIn, require_auth, require_org_role, require_permission};
use serde::Deserialize;

#[derive(Deserialize)]
struct Filter {
    q: String,
}

#[derive(Debug)]
struct AppError;

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("app error")
    }
}

impl actix_web::ResponseError for AppError {}

/// Docs are kept.
#[get("/items/{a}/{b}")]
#[require_auth]
#[allow(clippy::too_many_arguments)]
async fn extractors(
    req: HttpRequest,
    path: web::Path<(u32, String)>,
    web::Query(Filter { q }): web::Query<Filter>,
    mut body: web::Bytes,
    data: web::Data<u8>,
    auth: Auth,
    maybe: Option<SignedIn>,
    _: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (a, b) = path.into_inner();
    body = body.slice(..0);
    let parsed: u32 = q.parse().map_err(|_| AppError)?;
    if parsed == 0 {
        return Err(AppError);
    }
    Ok(HttpResponse::Ok().body(format!(
        "{a}{b}{}{}{}{:?}{}",
        req.path(),
        body.len(),
        data.get_ref(),
        auth.user_id(),
        maybe.is_some()
    )))
}

#[require_auth]
#[require_org_role("admin")]
#[require_permission("org:invoices:read")]
#[get("/stacked")]
async fn stacked(user: SignedIn) -> actix_web::Result<impl Responder> {
    Ok(user.user_id().to_owned())
}

#[require_auth]
async fn generic<T: Default + std::fmt::Debug + 'static>(_: web::Data<T>) -> String {
    format!("{:?}", T::default())
}

struct Api {
    _unused: (),
}

impl Api {
    fn reject(rejection: &Rejection, _req: &HttpRequest) -> HttpResponse {
        HttpResponse::NotFound().body(rejection.to_string())
    }

    /// An associated handler.
    #[require_org_role("admin", on_reject = Self::reject)]
    pub async fn list(id: web::Path<u32>) -> Result<String, actix_web::Error> {
        let id = id.into_inner();
        if id == 0 {
            return Err(actix_web::error::ErrorBadRequest("zero"));
        }
        Ok(format!("{id}"))
    }

    #[require_auth]
    async fn describe(&self) -> Self {
        Api { _unused: () }
    }
}

impl Responder for Api {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok().finish()
    }
}

fn main() {
    let _app = App::new()
        .app_data(web::Data::new(7u8))
        .service(extractors)
        .service(stacked)
        .route("/generic", web::get().to(generic::<u8>))
        .route("/api/{id}", web::get().to(Api::list));
    let _ = Api::describe;
}
