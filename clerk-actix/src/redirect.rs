//! Redirects to sign in and sign up: [`ClerkAuth::redirect_to_sign_in`] and friends, as Clerk's
//! `redirectToSignIn()` builds them.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use url::Url;

use crate::auth::ClerkAuth;
use crate::claims::SessionStatus;
use crate::publishable_key::{InstanceType, PublishableKey, accounts_base_url};
use crate::request::names;

/// Clerk's hint that a response is a redirect its middleware issued on purpose.
const CLERK_REDIRECT_TO: &str = "x-clerk-redirect-to";

impl ClerkAuth {
    /// A `307` redirect to the sign-in page that brings the user back to the current URL
    /// afterwards (Clerk's `redirectToSignIn()`).
    ///
    /// The page is the configured sign-in URL (relative URLs resolve against the current URL),
    /// else the Account Portal of the publishable key's instance. A `pending` session goes to its
    /// `/tasks` page instead. The current URL honours `X-Forwarded-Host` and
    /// `X-Forwarded-Proto`. On a development instance a cross-origin redirect carries the
    /// development browser token. The response has `x-clerk-redirect-to: true`.
    ///
    /// A request whose host cannot form a URL gets `400 Bad Request` instead.
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use clerk_actix::Auth;
    ///
    /// async fn dashboard(auth: Auth) -> HttpResponse {
    ///     let Some(user_id) = auth.user_id() else {
    ///         return auth.redirect_to_sign_in();
    ///     };
    ///     HttpResponse::Ok().body(format!("dashboard of {user_id}"))
    /// }
    /// ```
    pub fn redirect_to_sign_in(&self) -> HttpResponse {
        self.redirect(Destination::SignIn, None, ReturnBack::CurrentUrl)
    }

    /// A `307` redirect to the sign-up page that brings the user back to the current URL
    /// afterwards (Clerk's `redirectToSignUp()`): the configured sign-up URL, else the sign-in URL
    /// followed by `/create`, else the Account Portal's sign-up page. Otherwise as
    /// [`redirect_to_sign_in`](Self::redirect_to_sign_in).
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use clerk_actix::Auth;
    ///
    /// async fn join(auth: Auth) -> HttpResponse {
    ///     if auth.is_signed_in() {
    ///         return HttpResponse::Ok().body("welcome back");
    ///     }
    ///     auth.redirect_to_sign_up()
    /// }
    /// ```
    pub fn redirect_to_sign_up(&self) -> HttpResponse {
        self.redirect(Destination::SignUp, None, ReturnBack::CurrentUrl)
    }

    /// Like [`redirect_to_sign_in`](Self::redirect_to_sign_in), bringing the user back to
    /// `return_back_url` (resolved against the current URL) instead, or nowhere in particular
    /// with `None` (no `redirect_url`).
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use clerk_actix::Auth;
    ///
    /// async fn checkout(auth: Auth) -> HttpResponse {
    ///     if !auth.is_signed_in() {
    ///         return auth.redirect_to_sign_in_returning_to(Some("/cart"));
    ///     }
    ///     HttpResponse::Ok().finish()
    /// }
    /// ```
    pub fn redirect_to_sign_in_returning_to(&self, return_back_url: Option<&str>) -> HttpResponse {
        self.redirect(Destination::SignIn, None, ReturnBack::from(return_back_url))
    }

    /// Like [`redirect_to_sign_up`](Self::redirect_to_sign_up), bringing the user back to
    /// `return_back_url` instead, or nowhere in particular with `None`.
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use clerk_actix::Auth;
    ///
    /// async fn invite(auth: Auth) -> HttpResponse {
    ///     auth.redirect_to_sign_up_returning_to(Some("https://app.example.com/welcome"))
    /// }
    /// ```
    pub fn redirect_to_sign_up_returning_to(&self, return_back_url: Option<&str>) -> HttpResponse {
        self.redirect(Destination::SignUp, None, ReturnBack::from(return_back_url))
    }

    fn redirect(
        &self,
        destination: Destination,
        page_url: Option<&str>,
        return_back: ReturnBack<'_>,
    ) -> HttpResponse {
        match self.redirect_location(destination, page_url, return_back) {
            Ok(location) => redirect_response(location.as_str()),
            Err(err) => {
                tracing::warn!(target: "clerk_actix", error = %err, "cannot redirect to {}", destination.page());
                err.error_response()
            }
        }
    }

    /// Where a redirect to `destination` goes: `page_url` instead of the configured page when
    /// given, then as [`redirect_to_sign_in`](Self::redirect_to_sign_in).
    pub(crate) fn redirect_location(
        &self,
        destination: Destination,
        page_url: Option<&str>,
        return_back: ReturnBack<'_>,
    ) -> Result<Url, RedirectError> {
        let options = self.0.clerk.options();
        let base_url = self.0.request.url().ok_or(RedirectError::RequestUrl)?;
        let dev_browser_token = self.0.request.dev_browser_token();
        let return_back = match return_back {
            ReturnBack::CurrentUrl => Some(base_url.as_str()),
            ReturnBack::Url(url) => Some(url),
            ReturnBack::Nowhere => None,
        };
        let (sign_in_url, sign_up_url) = match destination {
            Destination::SignIn => (page_url.or(options.sign_in_url.as_deref()), None),
            Destination::SignUp => (
                options.sign_in_url.as_deref(),
                page_url.or(options.sign_up_url.as_deref()),
            ),
        };
        RedirectInputs {
            base_url,
            publishable_key: options.publishable_key.as_ref(),
            sign_in_url,
            sign_up_url,
            pending: self.session_status() == Some(&SessionStatus::Pending),
            is_satellite: options.is_satellite,
            dev_browser_token: dev_browser_token.as_deref(),
        }
        .location(destination, return_back)
    }
}

/// The page a redirect goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Destination {
    SignIn,
    SignUp,
}

impl Destination {
    fn page(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::SignUp => "sign-up",
        }
    }
}

/// Where the user returns after signing in (the `redirect_url` parameter).
#[derive(Clone, Copy, Debug)]
pub(crate) enum ReturnBack<'a> {
    /// The URL of the current request.
    CurrentUrl,
    /// This URL, resolved against the current one.
    Url(&'a str),
    /// No `redirect_url`.
    Nowhere,
}

impl<'a> From<Option<&'a str>> for ReturnBack<'a> {
    fn from(url: Option<&'a str>) -> Self {
        url.map_or(Self::Nowhere, Self::Url)
    }
}

/// Why no redirect could be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RedirectError {
    /// The request's host (or forwarded host) does not form a URL.
    #[error("the request URL is malformed")]
    RequestUrl,
    /// Neither the page URL nor a publishable key to derive the Account Portal from.
    #[error("no sign-in or sign-up URL and no publishable key to derive the Account Portal from")]
    MissingPublishableKey,
    /// The page or return-back URL does not resolve to a URL.
    #[error("the sign-in, sign-up or return-back URL is malformed")]
    InvalidUrl,
}

impl ResponseError for RedirectError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::RequestUrl => StatusCode::BAD_REQUEST,
            Self::MissingPublishableKey | Self::InvalidUrl => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let code = match self {
            Self::RequestUrl => "malformed_url",
            Self::MissingPublishableKey | Self::InvalidUrl => "redirect_misconfigured",
        };
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "errors": [{ "code": code, "message": self.to_string() }]
        }))
    }
}

/// Everything Clerk's `createRedirect` reads, borrowed from the configuration and the request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RedirectInputs<'a> {
    /// The current URL: relative URLs resolve against it and cross-origin is judged from it.
    pub(crate) base_url: &'a Url,
    pub(crate) publishable_key: Option<&'a PublishableKey>,
    pub(crate) sign_in_url: Option<&'a str>,
    pub(crate) sign_up_url: Option<&'a str>,
    /// The session is `pending`: the user has tasks to finish first.
    pub(crate) pending: bool,
    pub(crate) is_satellite: bool,
    pub(crate) dev_browser_token: Option<&'a str>,
}

impl RedirectInputs<'_> {
    /// The redirect's `Location`, exactly as Clerk's `redirectToSignIn`/`redirectToSignUp` build it.
    pub(crate) fn location(
        &self,
        destination: Destination,
        return_back: Option<&str>,
    ) -> Result<Url, RedirectError> {
        let accounts = self
            .publishable_key
            .and_then(|key| accounts_base_url(key.frontend_api()));
        // Plain string concatenation, as upstream does it, so `/create` and `/tasks` land after
        // whatever the configured URL holds.
        let mut page = match destination {
            Destination::SignIn => match (self.sign_in_url, &accounts) {
                (Some(url), _) => url.to_owned(),
                (None, Some(accounts)) => format!("{accounts}/sign-in"),
                (None, None) => return Err(RedirectError::MissingPublishableKey),
            },
            Destination::SignUp => match (self.sign_up_url, self.sign_in_url, &accounts) {
                (Some(url), _, _) => url.to_owned(),
                (None, Some(sign_in), _) => format!("{sign_in}/create"),
                (None, None, Some(accounts)) => format!("{accounts}/sign-up"),
                (None, None, None) => return Err(RedirectError::MissingPublishableKey),
            },
        };
        if self.pending {
            page.push_str("/tasks");
        }
        let mut location = self
            .base_url
            .join(&page)
            .map_err(|_| RedirectError::InvalidUrl)?;
        // Like upstream, the scheme does not count: only host and port.
        let cross_origin = (self.base_url.host_str(), self.base_url.port())
            != (location.host_str(), location.port());
        if let Some(return_back) = return_back {
            let mut return_back = self
                .base_url
                .join(return_back)
                .map_err(|_| RedirectError::InvalidUrl)?;
            if cross_origin && self.is_satellite {
                set_query_param(&mut return_back, names::CLERK_SYNCED, "false");
            }
            set_query_param(&mut location, "redirect_url", return_back.as_str());
        }
        let development = self
            .publishable_key
            .is_some_and(|key| key.instance_type() == InstanceType::Development);
        if let Some(token) = self
            .dev_browser_token
            .filter(|_| cross_origin && development)
        {
            set_query_param(&mut location, names::DEV_BROWSER, token);
        }
        Ok(location)
    }
}

/// WHATWG `url.searchParams.set(name, value)`: replaces the first `name` (dropping the others)
/// or appends it, then re-serializes the whole query as `application/x-www-form-urlencoded`.
fn set_query_param(url: &mut Url, name: &str, value: &str) {
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let mut seen = false;
    pairs.retain_mut(|(key, current)| {
        if key != name {
            return true;
        }
        if seen {
            return false;
        }
        seen = true;
        value.clone_into(current);
        true
    });
    if !seen {
        pairs.push((name.to_owned(), value.to_owned()));
    }
    url.query_pairs_mut().clear().extend_pairs(pairs);
}

/// A `307 Temporary Redirect` to `location` marked with `x-clerk-redirect-to: true`.
pub(crate) fn redirect_response(location: &str) -> HttpResponse {
    let mut response = HttpResponse::TemporaryRedirect();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.insert_header((header::LOCATION, location));
    }
    response
        .insert_header((CLERK_REDIRECT_TO, HeaderValue::from_static("true")))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;
    use actix_web::test::TestRequest;
    use serde_json::json;

    const RETURN_BACK: &str = "http://current.url:3000/path?q=1#hash";
    const ENCODED_RETURN_BACK: &str = "http%3A%2F%2Fcurrent.url%3A3000%2Fpath%3Fq%3D1%23hash";
    /// Development, Frontend API `clerk.included.katydid-92.lcl.dev`.
    const PK_LCL_DEV: &str = "pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA";
    /// Frontend API `clerk.example.com`.
    const PK_EXAMPLE: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k";
    /// Development (kima), Frontend API `included.katydid-92.clerk.accounts.dev`.
    const PK_KIMA: &str = "pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50cy5kZXYk";
    /// Development (kima, staging), Frontend API `included.katydid-92.clerk.accountsstage.dev`.
    const PK_KIMA_STAGE: &str =
        "pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50c3N0YWdlLmRldiQ";
    /// Development, Frontend API `clerk.lcl.dev`.
    const PK_LCL: &str = "pk_test_Y2xlcmsubGNsLmRldiQ";

    /// One `createRedirect.test.ts` case.
    struct Case {
        base: &'static str,
        publishable_key: Option<&'static str>,
        sign_in_url: Option<&'static str>,
        sign_up_url: Option<&'static str>,
        pending: bool,
        is_satellite: bool,
        dev_browser_token: Option<&'static str>,
    }

    const CASE: Case = Case {
        base: "http://www.clerk.com",
        publishable_key: None,
        sign_in_url: None,
        sign_up_url: None,
        pending: false,
        is_satellite: false,
        dev_browser_token: None,
    };

    impl Case {
        fn location(
            &self,
            destination: Destination,
            return_back: Option<&str>,
        ) -> Result<String, RedirectError> {
            let base = Url::parse(self.base).expect("base URL");
            let key = self
                .publishable_key
                .map(|key| PublishableKey::parse(key).expect("publishable key"));
            RedirectInputs {
                base_url: &base,
                publishable_key: key.as_ref(),
                sign_in_url: self.sign_in_url,
                sign_up_url: self.sign_up_url,
                pending: self.pending,
                is_satellite: self.is_satellite,
                dev_browser_token: self.dev_browser_token,
            }
            .location(destination, return_back)
            .map(String::from)
        }
    }

    fn with_return_back(page: &str) -> String {
        format!("{page}?redirect_url={ENCODED_RETURN_BACK}")
    }

    #[test]
    fn account_portal_is_derived_from_the_publishable_key() {
        let cases = [
            (
                PK_LCL_DEV,
                Destination::SignUp,
                "https://accounts.included.katydid-92.lcl.dev/sign-up",
            ),
            (
                PK_EXAMPLE,
                Destination::SignUp,
                "https://accounts.example.com/sign-up",
            ),
            (
                PK_KIMA,
                Destination::SignUp,
                "https://included.katydid-92.accounts.dev/sign-up",
            ),
            (
                PK_KIMA_STAGE,
                Destination::SignUp,
                "https://included.katydid-92.accountsstage.dev/sign-up",
            ),
            (
                PK_LCL_DEV,
                Destination::SignIn,
                "https://accounts.included.katydid-92.lcl.dev/sign-in",
            ),
            (
                PK_EXAMPLE,
                Destination::SignIn,
                "https://accounts.example.com/sign-in",
            ),
            (
                PK_KIMA,
                Destination::SignIn,
                "https://included.katydid-92.accounts.dev/sign-in",
            ),
        ];
        for (key, destination, page) in cases {
            let case = Case {
                publishable_key: Some(key),
                ..CASE
            };
            assert_eq!(
                case.location(destination, Some(RETURN_BACK)),
                Ok(with_return_back(page)),
                "{key}"
            );
        }
    }

    #[test]
    fn configured_pages_win_and_relative_ones_resolve_against_the_request() {
        let absolute = Case {
            sign_in_url: Some("http://signin.url:3001/sign-in"),
            sign_up_url: Some("http://signup.url:3001/sign-up"),
            ..CASE
        };
        assert_eq!(
            absolute.location(Destination::SignIn, Some(RETURN_BACK)),
            Ok(with_return_back("http://signin.url:3001/sign-in"))
        );
        assert_eq!(
            absolute.location(Destination::SignUp, Some(RETURN_BACK)),
            Ok(with_return_back("http://signup.url:3001/sign-up"))
        );
        assert_eq!(
            absolute.location(Destination::SignIn, None),
            Ok("http://signin.url:3001/sign-in".into())
        );
        assert_eq!(
            absolute.location(Destination::SignUp, None),
            Ok("http://signup.url:3001/sign-up".into())
        );

        let relative = Case {
            base: "http://current.url:3000",
            sign_in_url: Some("/sign-in"),
            sign_up_url: Some("/sign-up"),
            ..CASE
        };
        assert_eq!(
            relative.location(Destination::SignIn, Some(RETURN_BACK)),
            Ok(with_return_back("http://current.url:3000/sign-in"))
        );
        assert_eq!(
            relative.location(Destination::SignUp, Some(RETURN_BACK)),
            Ok(with_return_back("http://current.url:3000/sign-up"))
        );
        // Sign-up falls back to the sign-in page's `/create` step.
        let sign_in_only = Case {
            sign_in_url: Some("/sign-in"),
            publishable_key: Some(PK_EXAMPLE),
            ..CASE
        };
        assert_eq!(
            sign_in_only.location(Destination::SignUp, None),
            Ok("http://www.clerk.com/sign-in/create".into())
        );
    }

    #[test]
    fn without_a_page_or_publishable_key_there_is_no_redirect() {
        let only_sign_up = Case {
            sign_up_url: Some("http://signin.url:3001/sign-up"),
            ..CASE
        };
        for pending in [false, true] {
            let case = Case {
                pending,
                ..only_sign_up
            };
            assert_eq!(
                case.location(Destination::SignIn, Some(RETURN_BACK)),
                Err(RedirectError::MissingPublishableKey)
            );
        }
        assert_eq!(
            CASE.location(Destination::SignUp, Some(RETURN_BACK)),
            Err(RedirectError::MissingPublishableKey)
        );
    }

    #[test]
    fn pending_sessions_go_to_their_tasks() {
        let case = Case {
            publishable_key: Some(PK_LCL_DEV),
            pending: true,
            ..CASE
        };
        assert_eq!(
            case.location(Destination::SignIn, Some(RETURN_BACK)),
            Ok(with_return_back(
                "https://accounts.included.katydid-92.lcl.dev/sign-in/tasks"
            ))
        );
        let case = Case {
            publishable_key: Some(PK_EXAMPLE),
            pending: true,
            ..CASE
        };
        assert_eq!(
            case.location(Destination::SignUp, Some(RETURN_BACK)),
            Ok(with_return_back(
                "https://accounts.example.com/sign-up/tasks"
            ))
        );
    }

    #[test]
    fn cross_origin_development_redirects_carry_the_dev_browser_token() {
        for (pending, page) in [
            (false, "https://included.katydid-92.accounts.dev/sign-up"),
            (
                true,
                "https://included.katydid-92.accounts.dev/sign-up/tasks",
            ),
        ] {
            let case = Case {
                publishable_key: Some(PK_KIMA),
                dev_browser_token: Some("deadbeef"),
                pending,
                ..CASE
            };
            assert_eq!(
                case.location(Destination::SignUp, Some(RETURN_BACK)),
                Ok(format!(
                    "{}&__clerk_db_jwt=deadbeef",
                    with_return_back(page)
                ))
            );
        }
        // Same origin: no token.
        let same_origin = Case {
            publishable_key: Some(PK_KIMA),
            dev_browser_token: Some("deadbeef"),
            sign_in_url: Some("/sign-in"),
            ..CASE
        };
        assert_eq!(
            same_origin.location(Destination::SignIn, None),
            Ok("http://www.clerk.com/sign-in".into())
        );
        // Production: no token.
        let production = PublishableKey::parse("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").expect("pk");
        let base = Url::parse("http://www.clerk.com").expect("url");
        let location = RedirectInputs {
            base_url: &base,
            publishable_key: Some(&production),
            sign_in_url: None,
            sign_up_url: None,
            pending: false,
            is_satellite: false,
            dev_browser_token: Some("deadbeef"),
        }
        .location(Destination::SignIn, None);
        assert_eq!(
            location.map(String::from),
            Ok("https://accounts.example.com/sign-in".into())
        );
    }

    #[test]
    fn satellites_ask_to_sync_again_after_a_cross_origin_sign_in() {
        let return_back = "https://current.url:3000/path?__clerk_synced=true&q=1#hash";
        let case = Case {
            publishable_key: Some(PK_LCL),
            sign_up_url: Some("https://lcl.dev/sign-up"),
            dev_browser_token: Some("deadbeef"),
            is_satellite: true,
            ..CASE
        };
        assert_eq!(
            case.location(Destination::SignUp, Some(return_back)),
            Ok("https://lcl.dev/sign-up?redirect_url=https%3A%2F%2Fcurrent.url%3A3000%2Fpath%3F__clerk_synced%3Dfalse%26q%3D1%23hash&__clerk_db_jwt=deadbeef".into())
        );
        let satellite = Case {
            base: "https://satellite.example.com",
            publishable_key: Some(PK_EXAMPLE),
            is_satellite: true,
            ..CASE
        };
        assert_eq!(
            satellite.location(Destination::SignUp, Some("/protected")),
            Ok("https://accounts.example.com/sign-up?redirect_url=https%3A%2F%2Fsatellite.example.com%2Fprotected%3F__clerk_synced%3Dfalse".into())
        );
        // Not a satellite: the return-back URL is kept as given.
        let primary = Case {
            is_satellite: false,
            ..case
        };
        assert_eq!(
            primary.location(Destination::SignUp, Some(return_back)),
            Ok("https://lcl.dev/sign-up?redirect_url=https%3A%2F%2Fcurrent.url%3A3000%2Fpath%3F__clerk_synced%3Dtrue%26q%3D1%23hash&__clerk_db_jwt=deadbeef".into())
        );
    }

    #[test]
    fn existing_query_parameters_are_replaced_not_repeated() {
        let case = Case {
            sign_in_url: Some(
                "https://accounts.example.com/sign-in?redirect_url=x&a=b%20c&redirect_url=y",
            ),
            ..CASE
        };
        assert_eq!(
            case.location(Destination::SignIn, Some("/next")),
            Ok("https://accounts.example.com/sign-in?redirect_url=http%3A%2F%2Fwww.clerk.com%2Fnext&a=b+c".into())
        );
    }

    fn request_auth(
        req: TestRequest,
        builder: crate::ClerkBuilder,
        claims: Option<serde_json::Value>,
    ) -> ClerkAuth {
        let clerk = test_support::clerk_with(builder);
        test_support::auth_for(&clerk, &req.to_http_request(), claims)
    }

    fn location(response: &HttpResponse) -> Option<&str> {
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    #[test]
    fn responses_are_307_with_clerks_hint_and_return_to_the_forwarded_url() {
        let req = TestRequest::get()
            .uri("/dashboard?tab=1")
            .insert_header(("host", "internal:8080"))
            .insert_header(("x-forwarded-host", "app.example.com"))
            .insert_header(("x-forwarded-proto", "https"));
        let auth = request_auth(req, crate::Clerk::builder(), None);
        let response = auth.redirect_to_sign_in();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            response
                .headers()
                .get(CLERK_REDIRECT_TO)
                .map(HeaderValue::as_bytes),
            Some(&b"true"[..])
        );
        assert_eq!(
            location(&response),
            Some(
                "https://accounts.inspired.puma-74.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fdashboard%3Ftab%3D1"
            )
        );
        let response = auth.redirect_to_sign_up_returning_to(None);
        assert_eq!(
            location(&response),
            Some("https://accounts.inspired.puma-74.lcl.dev/sign-up")
        );
    }

    #[test]
    fn responses_use_the_configured_pages_the_pending_tasks_and_the_dev_browser_cookie() {
        let req = TestRequest::get()
            .uri("/orders")
            .insert_header(("host", "localhost:3000"))
            .insert_header(("cookie", "__clerk_db_jwt=dvb_1"));
        let builder = crate::Clerk::builder()
            .sign_in_url("https://login.example.com/in")
            .sign_up_url("/join");
        let auth = request_auth(req, builder, Some(json!({ "sts": "pending" })));
        assert!(!auth.is_signed_in());
        assert_eq!(
            location(&auth.redirect_to_sign_in()),
            Some(
                "https://login.example.com/in/tasks?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Forders&__clerk_db_jwt=dvb_1"
            )
        );
        assert_eq!(
            location(&auth.redirect_to_sign_up_returning_to(Some("/after"))),
            Some(
                "http://localhost:3000/join/tasks?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fafter"
            )
        );
    }

    #[test]
    fn an_unusable_host_is_a_bad_request() {
        let req = TestRequest::get()
            .uri("/")
            .insert_header(("host", "bad host"));
        let auth = request_auth(req, crate::Clerk::builder(), None);
        let response = auth.redirect_to_sign_in();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(location(&response), None);
    }
}
