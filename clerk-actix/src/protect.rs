//! [`Protect`]: the one guard behind the `#[require_*]`/`#[protect]` attributes, the scope
//! middlewares ([`RequireAuth`], [`RequireOrgRole`], …) and route patterns.

use std::borrow::Cow;
use std::fmt;
use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_service::{Service, Transform, forward_ready};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::{Error, HttpRequest, HttpResponse};
use futures_util::TryFutureExt as _;
use futures_util::future::{Either, MapOk};

use crate::auth::ClerkAuth;
use crate::auth::TokenType;
use crate::authorization::Has;
use crate::extract::ClerkRequestExt as _;
use crate::machine::AcceptsToken;
use crate::redirect::{Destination, ReturnBack};
use crate::rejection::Rejection;
use crate::requirement::{Requirement, Verdict};

type RejectHandler = Arc<dyn Fn(&Rejection, &HttpRequest) -> HttpResponse + Send + Sync>;

/// A guard: a [`Requirement`] and how to answer requests that do not meet it.
///
/// [`check`](Self::check) follows Clerk's `protect()`: a signed-out request (or a `pending`
/// session) is sent to sign in with a `307` when it is a page request (`Sec-Fetch-Dest:
/// document|iframe`, or no `Sec-Fetch-Dest` and an `Accept` with `text/html`), and gets `401`
/// otherwise; a signed-in user who does not meet the requirement gets `403` (or `404` with
/// [`not_found`](Self::not_found)), or Clerk's reverification `403` when reverifying would
/// grant access. See [`Rejection`] for the bodies.
///
/// The same guard backs the `#[require_*]` and `#[protect]` attributes, and wraps a scope as a
/// middleware. [`ClerkMiddleware`](crate::ClerkMiddleware) must run first (wrap it outside).
///
/// ```
/// use actix_web::{App, web};
/// use clerk_actix::{Clerk, ClerkMiddleware, Has, Protect, Requirement};
///
/// fn routes(cfg: &mut web::ServiceConfig) {
///     cfg.service(
///         web::scope("/billing")
///             .wrap(Protect::new(Requirement::any([Has::role("admin"), Has::permission("org:billing:manage")])))
///             .route("", web::get().to(|| async { "invoices" })),
///     );
/// }
/// # fn app(clerk: Clerk) { let _ = App::new().wrap(ClerkMiddleware::new(clerk)).configure(routes); }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Protect {
    requirement: Requirement,
    redirect: bool,
    sign_in_url: Option<Cow<'static, str>>,
    not_found: bool,
    on_reject: Option<RejectHandler>,
    token: AcceptsToken,
}

impl Protect {
    /// A guard for `requirement` (a [`Requirement`] or a [`Has`]) with the default answers.
    ///
    /// A requirement with a malformed name can never be met; this logs a warning saying so.
    ///
    /// ```
    /// use clerk_actix::{Has, Protect};
    /// let guard = Protect::new(Has::permission("org:invoices:read"));
    /// # let _ = guard;
    /// ```
    pub fn new(requirement: impl Into<Requirement>) -> Self {
        let requirement = requirement.into();
        if let Some((name, why)) = requirement.first_malformed_name() {
            tracing::warn!(target: "clerk_actix", "a guard requires {name:?}, which can never be granted: {why}");
        }
        Self {
            requirement,
            redirect: true,
            sign_in_url: None,
            not_found: false,
            on_reject: None,
            token: AcceptsToken::default(),
        }
    }

    /// Which kinds of token the route accepts (Clerk's `protect({ token })`; default: session
    /// tokens only). A request authenticated with another kind is answered `401` without a
    /// redirect. A machine token (API key, M2M or OAuth token) meets [`Requirement::SignedIn`]
    /// but never a `has()` check (machines have no roles or permissions), which answers `403`.
    /// The [`Clerk`](crate::Clerk) configuration must also accept the kind
    /// ([`ClerkBuilder::accepts_token`](crate::ClerkBuilder::accepts_token)), or the token is
    /// never verified.
    ///
    /// ```
    /// use clerk_actix::{AcceptsToken, Protect, Requirement, TokenType};
    /// let api_keys_only = Protect::new(Requirement::SignedIn).token(AcceptsToken::Only(TokenType::ApiKey));
    /// # let _ = api_keys_only;
    /// ```
    pub fn token(mut self, token: AcceptsToken) -> Self {
        self.token = token;
        self
    }

    /// Whether signed-out page requests are redirected to sign in (default `true`). With `false`
    /// they get `401` like any other client.
    ///
    /// ```
    /// let api_only = clerk_actix::Protect::new(clerk_actix::Requirement::SignedIn).redirect(false);
    /// # let _ = api_only;
    /// ```
    pub fn redirect(mut self, redirect: bool) -> Self {
        self.redirect = redirect;
        self
    }

    /// Sends signed-out page requests to this sign-in page (absolute, or a path resolved against
    /// the request URL) instead of the configured one.
    ///
    /// ```
    /// let guard = clerk_actix::Protect::new(clerk_actix::Requirement::SignedIn).sign_in_url("/login");
    /// # let _ = guard;
    /// ```
    pub fn sign_in_url(mut self, url: impl Into<Cow<'static, str>>) -> Self {
        self.sign_in_url = Some(url.into());
        self
    }

    /// Answers `404` instead of `403` to a signed-in user who does not meet the requirement, so
    /// the route's existence is not revealed (what Clerk's `protect()` does).
    ///
    /// ```
    /// let hidden = clerk_actix::Protect::new(clerk_actix::Has::role("admin")).not_found(true);
    /// # let _ = hidden;
    /// ```
    pub fn not_found(mut self, not_found: bool) -> Self {
        self.not_found = not_found;
        self
    }

    /// Answers rejected requests with `handler` instead of the default response. The handler
    /// sees why ([`Rejection`], whose `error_response()` is the default answer) and the request.
    ///
    /// ```
    /// use actix_web::{HttpRequest, HttpResponse, ResponseError};
    /// use clerk_actix::{Protect, Rejection, Requirement};
    ///
    /// fn reject(rejection: &Rejection, _req: &HttpRequest) -> HttpResponse {
    ///     match rejection {
    ///         Rejection::Unauthenticated => HttpResponse::Unauthorized().body("sign in first"),
    ///         other => other.error_response(),
    ///     }
    /// }
    /// let guard = Protect::new(Requirement::SignedIn).on_reject(reject);
    /// # let _ = guard;
    /// ```
    pub fn on_reject<F>(mut self, handler: F) -> Self
    where
        F: Fn(&Rejection, &HttpRequest) -> HttpResponse + Send + Sync + 'static,
    {
        self.on_reject = Some(Arc::new(handler));
        self
    }

    /// The requirement this guard enforces.
    ///
    /// ```
    /// use clerk_actix::{Has, Protect, Requirement};
    /// assert_eq!(Protect::new(Has::role("admin")).requirement(), &Requirement::Has(Has::role("admin")));
    /// ```
    pub fn requirement(&self) -> &Requirement {
        &self.requirement
    }

    /// Checks `req`: its auth object when the requirement is met, else the rejection as an
    /// [`actix_web::Error`] that renders this guard's answer (so handlers can use `?`).
    ///
    /// ```
    /// use actix_web::{HttpRequest, HttpResponse};
    /// use clerk_actix::{Has, Protect};
    ///
    /// async fn export(req: HttpRequest) -> actix_web::Result<HttpResponse> {
    ///     let auth = Protect::new(Has::feature("export")).check(&req)?;
    ///     Ok(HttpResponse::Ok().body(format!("export for {:?}", auth.user_id())))
    /// }
    /// ```
    pub fn check(&self, req: &HttpRequest) -> Result<ClerkAuth, Error> {
        let Some(auth) = req.auth() else {
            tracing::error!(
                "clerk-actix: a guard needs ClerkMiddleware, but it does not wrap this route; wrap the App or Scope with ClerkMiddleware::new(clerk) outside the guard"
            );
            return Err(self.respond(Rejection::MiddlewareMissing, req));
        };
        match self.judge(&auth) {
            Ok(()) => Ok(auth),
            Err(rejection) => Err(self.respond(rejection, req)),
        }
    }

    /// Why `auth` does not meet this guard, if it does not.
    pub(crate) fn judge(&self, auth: &ClerkAuth) -> Result<(), Rejection> {
        if let Some(machine) = auth.machine() {
            if !self.token.accepts(machine.token_type) {
                return Err(Rejection::Unauthenticated);
            }
            return match self.requirement.verdict(auth) {
                Verdict::Granted => Ok(()),
                _ if self.not_found => Err(Rejection::NotFound),
                _ => Err(Rejection::Forbidden),
            };
        }
        if !self.token.accepts(TokenType::SessionToken) {
            return Err(Rejection::Unauthenticated);
        }
        if !auth.is_signed_in() {
            return Err(self.signed_out(auth));
        }
        match self.requirement.verdict(auth) {
            Verdict::Granted => Ok(()),
            Verdict::Reverify(reverification) => {
                Err(Rejection::ReverificationRequired(reverification))
            }
            Verdict::Denied if self.not_found => Err(Rejection::NotFound),
            Verdict::Denied => Err(Rejection::Forbidden),
        }
    }

    fn signed_out(&self, auth: &ClerkAuth) -> Rejection {
        if self.redirect && auth.0.request.is_page_request() {
            match auth.redirect_location(
                Destination::SignIn,
                self.sign_in_url.as_deref(),
                ReturnBack::CurrentUrl,
            ) {
                Ok(location) => {
                    return Rejection::RedirectToSignIn {
                        location: location.into(),
                    };
                }
                // Fail closed with the API answer rather than a broken redirect.
                Err(err) => {
                    tracing::debug!(target: "clerk_actix", error = %err, "no sign-in redirect; answering 401")
                }
            }
        }
        Rejection::Unauthenticated
    }

    fn respond(&self, rejection: Rejection, req: &HttpRequest) -> Error {
        match &self.on_reject {
            Some(handler) => {
                let response = handler(&rejection, req);
                InternalError::from_response(rejection, response).into()
            }
            None => rejection.into(),
        }
    }
}

impl fmt::Debug for Protect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Protect")
            .field("requirement", &self.requirement)
            .field("redirect", &self.redirect)
            .field("sign_in_url", &self.sign_in_url)
            .field("not_found", &self.not_found)
            .field("on_reject", &self.on_reject.as_ref().map(|_| "custom"))
            .field("token", &self.token)
            .finish()
    }
}

impl<S, B> Transform<S, ServiceRequest> for Protect
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ProtectService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ProtectService {
            service: Rc::new(service),
            guard: Rc::new(self.clone()),
        }))
    }
}

/// The service produced by [`Protect`] and the `Require*` scope middlewares.
pub struct ProtectService<S> {
    service: Rc<S>,
    guard: Rc<Protect>,
}

impl<S> fmt::Debug for ProtectService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectService")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

type Passed<S, B> = MapOk<
    <S as Service<ServiceRequest>>::Future,
    fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>,
>;

impl<S, B> Service<ServiceRequest> for ProtectService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Either<Passed<S, B>, Ready<Result<Self::Response, Error>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        match self.guard.check(req.request()) {
            Ok(_) => {
                let passed: fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> =
                    ServiceResponse::map_into_left_body;
                Either::Left(self.service.call(req).map_ok(passed))
            }
            Err(err) => Either::Right(ready(Ok(req.error_response(err).map_into_right_body()))),
        }
    }
}

/// Declares a scope middleware: a named [`Protect`] for one kind of requirement, with the same
/// options.
macro_rules! scope_guard {
    (
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $arg_ty:ty),*) => $requirement:expr, example: $example:literal
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        #[must_use]
        pub struct $name(Protect);

        impl $name {
            #[doc = concat!("The guard; see [`", stringify!($name), "`].")]
            ///
            /// ```
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ");")]
            /// # let _ = guard;
            /// ```
            pub fn new($($arg: $arg_ty),*) -> Self {
                Self(Protect::new($requirement))
            }

            /// See [`Protect::redirect`].
            ///
            /// ```
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ").redirect(false);")]
            /// # let _ = guard;
            /// ```
            pub fn redirect(self, redirect: bool) -> Self {
                Self(self.0.redirect(redirect))
            }

            /// See [`Protect::sign_in_url`].
            ///
            /// ```
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ").sign_in_url(\"/login\");")]
            /// # let _ = guard;
            /// ```
            pub fn sign_in_url(self, url: impl Into<Cow<'static, str>>) -> Self {
                Self(self.0.sign_in_url(url))
            }

            /// See [`Protect::not_found`].
            ///
            /// ```
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ").not_found(true);")]
            /// # let _ = guard;
            /// ```
            pub fn not_found(self, not_found: bool) -> Self {
                Self(self.0.not_found(not_found))
            }

            /// See [`Protect::token`].
            ///
            /// ```
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ").token(clerk_actix::AcceptsToken::Any);")]
            /// # let _ = guard;
            /// ```
            pub fn token(self, token: AcceptsToken) -> Self {
                Self(self.0.token(token))
            }

            /// See [`Protect::on_reject`].
            ///
            /// ```
            /// use actix_web::ResponseError;
            #[doc = concat!("let guard = clerk_actix::", stringify!($name), "::new(", $example, ")")]
            ///     .on_reject(|rejection, _req| rejection.error_response());
            /// # let _ = guard;
            /// ```
            pub fn on_reject<F>(self, handler: F) -> Self
            where
                F: Fn(&Rejection, &HttpRequest) -> HttpResponse + Send + Sync + 'static,
            {
                Self(self.0.on_reject(handler))
            }
        }

        impl From<$name> for Protect {
            fn from(guard: $name) -> Protect {
                guard.0
            }
        }

        impl<S, B> Transform<S, ServiceRequest> for $name
        where
            S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
            B: MessageBody + 'static,
        {
            type Response = ServiceResponse<EitherBody<B>>;
            type Error = Error;
            type Transform = ProtectService<S>;
            type InitError = ();
            type Future = Ready<Result<Self::Transform, Self::InitError>>;

            fn new_transform(&self, service: S) -> Self::Future {
                self.0.new_transform(service)
            }
        }
    };
}

scope_guard! {
    /// Scope middleware: requires a signed-in user, answering as [`Protect`] does.
    ///
    /// ```
    /// use actix_web::web;
    /// use clerk_actix::RequireAuth;
    ///
    /// let account = web::scope("/account")
    ///     .wrap(RequireAuth::new())
    ///     .route("", web::get().to(|| async { "your account" }));
    /// # let _ = account;
    /// ```
    RequireAuth() => Requirement::SignedIn, example: ""
}

impl Default for RequireAuth {
    fn default() -> Self {
        Self::new()
    }
}

scope_guard! {
    /// Scope middleware: requires a role in the active organization (`admin` means
    /// `org:admin`), answering as [`Protect`] does.
    ///
    /// ```
    /// use actix_web::web;
    /// use clerk_actix::RequireOrgRole;
    ///
    /// let admin = web::scope("/admin")
    ///     .wrap(RequireOrgRole::new("admin"))
    ///     .route("", web::get().to(|| async { "admin area" }));
    /// # let _ = admin;
    /// ```
    RequireOrgRole(role: impl Into<Cow<'static, str>>) => Has::role(role), example: "\"admin\""
}

scope_guard! {
    /// Scope middleware: requires a permission in the active organization
    /// (`org:<feature>:<action>`), answering as [`Protect`] does.
    ///
    /// ```
    /// use actix_web::web;
    /// use clerk_actix::RequirePermission;
    ///
    /// let invoices = web::scope("/invoices")
    ///     .wrap(RequirePermission::new("org:invoices:read"))
    ///     .route("", web::get().to(|| async { "invoices" }));
    /// # let _ = invoices;
    /// ```
    RequirePermission(permission: impl Into<Cow<'static, str>>) => Has::permission(permission),
    example: "\"org:invoices:read\""
}

scope_guard! {
    /// Scope middleware: requires a billing feature (`export`, `o:export`, `u:export`),
    /// answering as [`Protect`] does.
    ///
    /// ```
    /// use actix_web::web;
    /// use clerk_actix::RequireFeature;
    ///
    /// let exports = web::scope("/exports")
    ///     .wrap(RequireFeature::new("export"))
    ///     .route("", web::get().to(|| async { "exports" }));
    /// # let _ = exports;
    /// ```
    RequireFeature(feature: impl Into<Cow<'static, str>>) => Has::feature(feature), example: "\"export\""
}

scope_guard! {
    /// Scope middleware: requires a billing plan (`pro`, `org:business`, `user:pro`),
    /// answering as [`Protect`] does.
    ///
    /// ```
    /// use actix_web::web;
    /// use clerk_actix::RequirePlan;
    ///
    /// let pro = web::scope("/pro")
    ///     .wrap(RequirePlan::new("pro"))
    ///     .route("", web::get().to(|| async { "pro tools" }));
    /// # let _ = pro;
    /// ```
    RequirePlan(plan: impl Into<Cow<'static, str>>) => Has::plan(plan), example: "\"pro\""
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorization::Reverification;
    use crate::test_support;
    use actix_web::HttpMessage as _;
    use actix_web::http::StatusCode;
    use actix_web::test::TestRequest;
    use serde_json::{Value, json};

    fn request(req: TestRequest, claims: Option<Value>) -> HttpRequest {
        let req = req.to_http_request();
        let auth = test_support::auth_for(&test_support::clerk(), &req, claims);
        req.extensions_mut().insert(auth);
        req
    }

    fn browser() -> TestRequest {
        TestRequest::get()
            .uri("/admin?x=1")
            .insert_header(("host", "app.example.com"))
            .insert_header(("sec-fetch-dest", "document"))
    }

    fn api_client() -> TestRequest {
        TestRequest::get()
            .uri("/admin")
            .insert_header(("accept", "application/json"))
    }

    fn member() -> Option<Value> {
        Some(json!({ "org_id": "org_1", "org_role": "org:member", "fva": [30, 30] }))
    }

    fn rejection(guard: &Protect, req: &HttpRequest) -> Result<(), Rejection> {
        let auth = req.auth().ok_or(Rejection::MiddlewareMissing)?;
        guard.judge(&auth)
    }

    #[test]
    fn signed_out_browsers_are_redirected_and_api_clients_get_401() {
        let guard = Protect::new(Requirement::SignedIn);
        match rejection(&guard, &request(browser(), None)) {
            Err(Rejection::RedirectToSignIn { location }) => assert_eq!(
                location,
                "https://accounts.inspired.puma-74.lcl.dev/sign-in?redirect_url=http%3A%2F%2Fapp.example.com%2Fadmin%3Fx%3D1"
            ),
            other => panic!("expected a redirect, got {other:?}"),
        }
        assert_eq!(
            rejection(&guard, &request(api_client(), None)),
            Err(Rejection::Unauthenticated)
        );
        let html = TestRequest::get().insert_header(("accept", "text/html,application/xhtml+xml"));
        assert!(matches!(
            rejection(&guard, &request(html, None)),
            Err(Rejection::RedirectToSignIn { .. })
        ));
        // An iframe navigation is a page request; a fetch() with Accept: text/html is not.
        let fetch = TestRequest::get()
            .insert_header(("sec-fetch-dest", "empty"))
            .insert_header(("accept", "text/html"));
        assert_eq!(
            rejection(&guard, &request(fetch, None)),
            Err(Rejection::Unauthenticated)
        );
    }

    #[test]
    fn options_change_the_answers() {
        let no_redirect = Protect::new(Requirement::SignedIn).redirect(false);
        assert_eq!(
            rejection(&no_redirect, &request(browser(), None)),
            Err(Rejection::Unauthenticated)
        );
        let custom_page = Protect::new(Requirement::SignedIn).sign_in_url("/login");
        assert_eq!(
            rejection(&custom_page, &request(browser(), None)),
            Err(Rejection::RedirectToSignIn {
                location: "http://app.example.com/login?redirect_url=http%3A%2F%2Fapp.example.com%2Fadmin%3Fx%3D1".into()
            })
        );
        let hidden = Protect::new(Has::role("admin")).not_found(true);
        assert_eq!(
            rejection(&hidden, &request(api_client(), member())),
            Err(Rejection::NotFound)
        );
        // Not being signed in is still answered as such.
        assert_eq!(
            rejection(&hidden, &request(api_client(), None)),
            Err(Rejection::Unauthenticated)
        );
    }

    #[test]
    fn signed_in_users_are_judged_by_the_requirement() {
        let admin = Protect::new(Has::role("admin"));
        assert_eq!(
            rejection(&admin, &request(api_client(), member())),
            Err(Rejection::Forbidden)
        );
        assert_eq!(
            rejection(
                &Protect::new(Has::role("member")),
                &request(browser(), member())
            ),
            Ok(())
        );
        let reverify = Protect::new(Has::reverification(Reverification::Strict)).not_found(true);
        assert_eq!(
            rejection(&reverify, &request(api_client(), member())),
            Err(Rejection::ReverificationRequired(Reverification::Strict))
        );
    }

    #[test]
    fn pending_sessions_are_sent_to_their_tasks() {
        let guard = Protect::new(Requirement::SignedIn);
        let req = request(browser(), Some(json!({ "sts": "pending" })));
        match rejection(&guard, &req) {
            Err(Rejection::RedirectToSignIn { location }) => {
                assert!(
                    location
                        .starts_with("https://accounts.inspired.puma-74.lcl.dev/sign-in/tasks?"),
                    "{location}"
                );
            }
            other => panic!("expected a redirect, got {other:?}"),
        }
    }

    #[test]
    fn check_renders_the_answer_or_the_custom_one() {
        let guard = Protect::new(Has::role("admin"));
        let req = request(api_client(), member());
        let err = guard
            .check(&req)
            .err()
            .map(|err| err.error_response().status());
        assert_eq!(err, Some(StatusCode::FORBIDDEN));
        let custom =
            guard.on_reject(|rejection, _| HttpResponse::ImATeapot().body(rejection.to_string()));
        let err = custom
            .check(&req)
            .err()
            .map(|err| err.error_response().status());
        assert_eq!(err, Some(StatusCode::IM_A_TEAPOT));
        let admin = request(
            api_client(),
            Some(json!({ "org_id": "org_1", "org_role": "admin" })),
        );
        assert_eq!(
            custom
                .check(&admin)
                .ok()
                .and_then(|auth| auth.user_id().map(str::to_owned)),
            Some("user_1".into())
        );
        let bare = TestRequest::default().to_http_request();
        let err = Protect::new(Requirement::SignedIn)
            .check(&bare)
            .err()
            .map(|err| err.error_response().status());
        assert_eq!(err, Some(StatusCode::INTERNAL_SERVER_ERROR));
    }
}
