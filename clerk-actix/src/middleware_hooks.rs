//! What [`ClerkMiddleware`](crate::ClerkMiddleware) does between authenticating a request and
//! running the route: guards for route patterns and the user's callback (Clerk's
//! `clerkMiddleware((auth, context, next) => …)`).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use actix_web::{Error, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;

use crate::auth::ClerkAuth;
use crate::protect::Protect;
use crate::route_matcher::RouteMatcher;

type Callback = dyn Fn(ClerkAuth, HttpRequest) -> LocalBoxFuture<'static, Result<Option<HttpResponse>, Error>>
    + Send
    + Sync;

/// Route-pattern guards and the callback, in the order they run.
#[derive(Clone, Default)]
pub(crate) struct MiddlewareHooks {
    rules: Vec<(RouteMatcher, Protect)>,
    callback: Option<Arc<Callback>>,
}

impl MiddlewareHooks {
    pub(crate) fn add_rule(&mut self, routes: RouteMatcher, guard: Protect) {
        self.rules.push((routes, guard));
    }

    pub(crate) fn set_callback<F, Fut>(&mut self, callback: F)
    where
        F: Fn(ClerkAuth, HttpRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Option<HttpResponse>, Error>> + 'static,
    {
        self.callback = Some(Arc::new(move |auth, req| Box::pin(callback(auth, req))));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.callback.is_none()
    }

    /// The answer to give instead of running the route, if any: the first guard of a matching
    /// pattern that rejects the request (a malformed path is `400`), else the callback's.
    pub(crate) async fn intercept(
        &self,
        auth: &ClerkAuth,
        req: &HttpRequest,
    ) -> Result<Option<HttpResponse>, Error> {
        for (routes, guard) in &self.rules {
            if routes.matches(req.path())? {
                guard.check(req)?;
            }
        }
        match &self.callback {
            Some(callback) => callback(auth.clone(), req.clone()).await,
            None => Ok(None),
        }
    }
}

impl fmt::Debug for MiddlewareHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiddlewareHooks")
            .field("rules", &self.rules)
            .field("callback", &self.callback.as_ref().map(|_| "custom"))
            .finish()
    }
}
