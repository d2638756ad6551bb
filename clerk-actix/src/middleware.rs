//! [`ClerkMiddleware`]: authenticates every request and attaches a [`ClerkAuth`].

use std::future::{Future, Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_service::{Service, Transform, forward_ready};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage as _};
use futures_util::FutureExt as _;
use futures_util::future::{Either, LocalBoxFuture, Map};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::auth::ClerkAuth;
use crate::config::Clerk;
use crate::middleware_hooks::MiddlewareHooks;
use crate::protect::Protect;
use crate::request::{self, Now};
use crate::route_matcher::RouteMatcher;

/// Authenticates every request and inserts a [`ClerkAuth`] into its extensions, where the
/// [`Auth`](crate::Auth) and [`SignedIn`](crate::SignedIn) extractors find it.
///
/// By itself the middleware never rejects a request: signed-out requests reach the handler as
/// signed out (with Clerk's `x-clerk-auth-status`/`-reason`/`-message` headers on the response),
/// and routes decide what to require. Use it on an `App` or on a `Scope`. To decide here
/// instead, guard paths by pattern with [`protect`](Self::protect) or run your own code with
/// [`handler`](Self::handler).
///
/// ```
/// use actix_web::{App, HttpResponse, web};
/// use clerk_actix::{Clerk, ClerkMiddleware, SignedIn};
///
/// fn app(clerk: Clerk) -> App<impl actix_web::dev::ServiceFactory<
///     actix_web::dev::ServiceRequest,
///     Config = (),
///     Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
///     Error = actix_web::Error,
///     InitError = (),
/// >> {
///     App::new()
///         .route("/healthz", web::get().to(|| async { "ok" })) // outside: no auth work at all
///         .service(
///             web::scope("/api")
///                 .wrap(ClerkMiddleware::new(clerk))
///                 .route("/me", web::get().to(|user: SignedIn| async move {
///                     HttpResponse::Ok().body(user.user_id().to_owned())
///                 })),
///         )
/// }
/// ```
#[derive(Clone, Debug)]
pub struct ClerkMiddleware {
    clerk: Clerk,
    hooks: MiddlewareHooks,
}

impl ClerkMiddleware {
    /// A middleware authenticating with `clerk`'s configuration.
    pub fn new(clerk: Clerk) -> Self {
        Self {
            clerk,
            hooks: MiddlewareHooks::default(),
        }
    }

    /// Guards every request whose path matches `routes` (Clerk's `createRouteMatcher` patterns)
    /// with `guard`, answering as the guard attributes do: `307` to sign in for signed-out page
    /// requests, `401` for other signed-out requests, `403`/`404` when signed in but not allowed.
    /// A path with a malformed percent-escape gets `400`. Every rule whose pattern matches must
    /// pass; they run before [`handler`](Self::handler).
    ///
    /// ```
    /// use actix_web::App;
    /// use clerk_actix::{Clerk, ClerkMiddleware, RequireAuth, RequireOrgRole, RouteMatcher};
    ///
    /// # fn app(clerk: Clerk) -> Result<(), clerk_actix::RoutePatternError> {
    /// let clerk_middleware = ClerkMiddleware::new(clerk)
    ///     .protect(RouteMatcher::new(["/dashboard(.*)", "/api/:path*"])?, RequireAuth::new())
    ///     .protect(RouteMatcher::new(["/admin(.*)"])?, RequireOrgRole::new("admin"));
    /// let app = App::new().wrap(clerk_middleware);
    /// # let _ = app; Ok(()) }
    /// ```
    pub fn protect(mut self, routes: RouteMatcher, guard: impl Into<Protect>) -> Self {
        self.hooks.add_rule(routes, guard.into());
        self
    }

    /// Runs `handler` for every request once it is authenticated, before the route (Clerk's
    /// `clerkMiddleware((auth, context) => …)`). Answer `Ok(None)` to let the request through,
    /// `Ok(Some(response))` to answer it instead (e.g. [`ClerkAuth::redirect_to_sign_in`]), or
    /// an error to answer with its response ([`Protect::check`] and [`RouteMatcher::matches`]
    /// fit `?`). A later call replaces the handler.
    ///
    /// ```
    /// use actix_web::App;
    /// use clerk_actix::{Clerk, ClerkMiddleware, Has, Protect, RouteMatcher};
    ///
    /// # fn app(clerk: Clerk) -> Result<(), clerk_actix::RoutePatternError> {
    /// let dashboard = RouteMatcher::new(["/dashboard(.*)"])?;
    /// let reports = RouteMatcher::new(["/reports(.*)"])?;
    /// let clerk_middleware = ClerkMiddleware::new(clerk).handler(move |auth, req| {
    ///     let (dashboard, reports) = (dashboard.clone(), reports.clone());
    ///     async move {
    ///         if auth.user_id().is_none() && dashboard.matches(req.path())? {
    ///             return Ok(Some(auth.redirect_to_sign_in()));
    ///         }
    ///         if reports.matches(req.path())? {
    ///             Protect::new(Has::permission("org:reports:read")).check(&req)?;
    ///         }
    ///         Ok(None)
    ///     }
    /// });
    /// let app = App::new().wrap(clerk_middleware);
    /// # let _ = app; Ok(()) }
    /// ```
    pub fn handler<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ClerkAuth, HttpRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<HttpResponse>, Error>> + 'static,
    {
        self.hooks.set_callback(handler);
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for ClerkMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ClerkMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ClerkMiddlewareService {
            service: Rc::new(service),
            // Made here, on the worker's thread (see `AuthState::clerk`).
            clerk: Arc::new(self.clerk.clone()),
            hooks: (!self.hooks.is_empty()).then(|| Rc::new(self.hooks.clone())),
        }))
    }
}

/// The service produced by [`ClerkMiddleware`].
#[derive(Debug)]
pub struct ClerkMiddlewareService<S> {
    service: Rc<S>,
    clerk: Arc<Clerk>,
    hooks: Option<Rc<MiddlewareHooks>>,
}

impl<S, B> Service<ServiceRequest> for ClerkMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    /// Left: signed in from the verified-token cache, the inner service's own future.
    /// Right: everything else.
    type Future = Either<
        Map<S::Future, IntoLeftBody<B>>,
        LocalBoxFuture<'static, Result<Self::Response, Self::Error>>,
    >;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // An outer ClerkMiddleware with the same configuration already did the work.
        let existing = req
            .extensions()
            .get::<ClerkAuth>()
            .filter(|auth| auth.clerk().same_instance(&self.clerk))
            .cloned();
        // A session token in the `Authorization` header whose key is at hand is answered here,
        // with or without hooks.
        let now = match existing {
            Some(_) => Now::Later(None),
            None => request::authenticate_now(&self.clerk, req.request()),
        };
        let now = match now {
            // Without hooks a signed-in state is the whole job: no future to allocate, nothing
            // to do afterwards (a signed-in state adds no response headers, never redirects).
            Now::SignedIn(auth) if self.hooks.is_none() => {
                debug_assert!(auth.0.headers.is_empty());
                req.extensions_mut().insert(auth);
                let into_left: IntoLeftBody<B> = |result| result.map(|r| r.map_into_left_body());
                return Either::Left(self.service.call(req).map(into_left));
            }
            now => now,
        };
        let service = Rc::clone(&self.service);
        let clerk = self.clerk.clone();
        let hooks = self.hooks.clone();
        Either::Right(Box::pin(async move {
            let (auth, fresh) = match (existing, now) {
                (Some(auth), _) => (auth, false),
                (None, Now::SignedIn(auth) | Now::SignedOut(auth)) => (auth, true),
                (None, Now::Later(verified)) => (
                    request::authenticate(&clerk, req.request(), verified).await,
                    true,
                ),
            };
            if fresh {
                if let Some(redirect) = handshake_redirect(&auth) {
                    return Ok(req.into_response(redirect).map_into_right_body());
                }
                req.extensions_mut().insert(auth.clone());
            }
            let early = match &hooks {
                Some(hooks) => hooks.intercept(&auth, req.request()).await,
                None => Ok(None),
            };
            let mut response = match early {
                Ok(None) => service.call(req).await?.map_into_left_body(),
                Ok(Some(answer)) => req.into_response(answer).map_into_right_body(),
                Err(err) => req.error_response(err).map_into_right_body(),
            };
            if fresh {
                let headers = response.headers_mut();
                for (name, value) in &auth.0.headers {
                    headers.append(name.clone(), value.clone());
                }
            }
            Ok(response)
        }))
    }
}

/// The inner service's answer with the middleware's body type.
type IntoLeftBody<B> =
    fn(Result<ServiceResponse<B>, Error>) -> Result<ServiceResponse<EitherBody<B>>, Error>;

/// JavaScript's `encodeURIComponent` set: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// A state with a `Location` (handshake, satellite sync) becomes a 307 carrying every state
/// header; the debug headers are URI-encoded there, as Clerk's middleware does.
fn handshake_redirect(auth: &ClerkAuth) -> Option<HttpResponse> {
    let headers = &auth.0.headers;
    if !headers.iter().any(|(name, _)| name == header::LOCATION) {
        return None;
    }
    let mut response = HttpResponse::TemporaryRedirect();
    for (name, value) in headers {
        if name.as_str().starts_with("x-clerk-auth-") {
            continue;
        }
        response.append_header((name.clone(), value.clone()));
    }
    let status = auth.status().as_str();
    let reason = auth.reason().map(|r| r.as_str());
    for (name, value) in [
        ("x-clerk-auth-status", Some(status)),
        ("x-clerk-auth-reason", reason.as_deref()),
        ("x-clerk-auth-message", auth.message()),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            let encoded = utf8_percent_encode(value, URI_COMPONENT).to_string();
            if let Ok(value) = HeaderValue::from_str(&encoded) {
                response.insert_header((name, value));
            }
        }
    }
    Some(response.finish())
}
