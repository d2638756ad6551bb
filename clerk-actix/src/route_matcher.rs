//! Route patterns with Clerk's semantics (`createRouteMatcher`, path-to-regexp 6.x).

mod js_regex;
mod normalize;
mod path_pattern;

use std::fmt;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use regex::RegexSet;

use self::normalize::normalize_path;
pub(crate) use self::path_pattern::{ParamValue, PathPattern};

/// Decides whether a request path matches any of a set of route patterns, as Clerk's
/// `createRouteMatcher` does.
///
/// Patterns use [path-to-regexp 6.x](https://github.com/pillarjs/path-to-regexp/tree/6.x) syntax and
/// are compiled once, at construction:
///
/// | Syntax | Meaning |
/// |---|---|
/// | `/about` | the literal path (any letter case, optional trailing `/`, `#` or `?`) |
/// | `/users/:id` | one non-empty segment (no `/`, `#`, `?`) |
/// | `/users/:id?` | an optional segment |
/// | `/files/:path*`, `/files/:path+` | zero or more / one or more segments |
/// | `/admin(.*)` | a custom regular expression (JavaScript syntax, no capturing groups) |
/// | `/user{s}?`, `/a{-:b}` | a group of text and parameter taking a modifier |
/// | `/\:literal` | an escaped special character |
///
/// A path is matched after normalisation: percent-escapes are decoded as JavaScript `decodeURI` does
/// (so `/%61dmin` is `/admin`, while reserved characters such as `%2F` stay encoded and never split a
/// segment), then runs of `/` collapse to one (so `//admin` is `/admin`).
///
/// Differences from JavaScript, all rejected at construction rather than at request time: custom
/// regular expressions may not use look-around or back-references; a parameter may not follow
/// multi-character text with no `/`, `#`, `?` in it (e.g. `/:a-x-:b`), which needs a look-ahead;
/// a trailing `\` is an error instead of being ignored.
///
/// ```
/// use clerk_actix::RouteMatcher;
///
/// let protected = RouteMatcher::new(["/dashboard/:path*", "/api/(.*)"])?;
/// assert!(protected.matches("/dashboard")?);
/// assert!(protected.matches("/Dashboard/settings/")?);
/// assert!(protected.matches("//api/%75sers")?);
/// assert!(!protected.matches("/dashboardxyz")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RouteMatcher {
    patterns: Arc<[String]>,
    set: RegexSet,
}

impl fmt::Debug for RouteMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteMatcher")
            .field("patterns", &self.patterns)
            .finish()
    }
}

impl RouteMatcher {
    /// Compiles `patterns`. Empty strings are skipped (as upstream does); an empty list matches
    /// nothing.
    ///
    /// # Errors
    /// [`RoutePatternError`] naming the first pattern that does not compile.
    ///
    /// ```
    /// use clerk_actix::RouteMatcher;
    ///
    /// let error = RouteMatcher::new(["/ok", "/broken(abc"]).unwrap_err();
    /// assert_eq!(error.pattern(), "/broken(abc");
    /// ```
    pub fn new<I, S>(patterns: I) -> Result<Self, RoutePatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut written = Vec::new();
        let mut compiled = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            if pattern.is_empty() {
                continue;
            }
            let path_pattern = PathPattern::compile(pattern)
                .map_err(|reason| RoutePatternError::new(pattern, reason))?;
            compiled.push(path_pattern.engine_source().to_owned());
            written.push(pattern.to_owned());
        }
        let set = RegexSet::new(&compiled).map_err(|error| {
            RoutePatternError::new(&written.join(", "), path_pattern::engine_error(error))
        })?;
        Ok(Self {
            patterns: written.into(),
            set,
        })
    }

    /// Whether the raw request path (no query string, still percent-encoded, e.g.
    /// `HttpRequest::path()`) matches any pattern.
    ///
    /// Does not allocate unless the path contains `%` or `//`.
    ///
    /// # Errors
    /// [`MalformedUrl`] when the path has a percent-escape that is not valid UTF-8; answer it with
    /// HTTP 400 (it implements [`ResponseError`]). A matcher with no patterns never inspects the path.
    ///
    /// ```
    /// use clerk_actix::RouteMatcher;
    ///
    /// let public = RouteMatcher::new(["/sign-in(.*)"])?;
    /// assert!(public.matches("/sign-in/factor-one")?);
    /// assert!(public.matches("/SIGN-IN")?);
    /// assert!(!public.matches("/settings")?);
    /// assert!(public.matches("/sign-in%E0%A4%A").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, path: &str) -> Result<bool, MalformedUrl> {
        if self.patterns.is_empty() {
            return Ok(false);
        }
        let normalized = normalize_path(path)?;
        Ok(self.set.is_match(&normalized))
    }
}

/// A route pattern that does not compile: which one, and why.
///
/// ```
/// use clerk_actix::RouteMatcher;
///
/// let error = RouteMatcher::new(["/users/:"]).unwrap_err();
/// assert_eq!(error.pattern(), "/users/:");
/// assert_eq!(
///     error.to_string(),
///     "invalid route pattern \"/users/:\": missing parameter name at 7"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid route pattern {pattern:?}: {reason}")]
pub struct RoutePatternError {
    pattern: String,
    reason: path_pattern::PatternError,
}

impl RoutePatternError {
    pub(crate) fn new(pattern: &str, reason: path_pattern::PatternError) -> Self {
        Self {
            pattern: pattern.to_owned(),
            reason,
        }
    }

    /// The pattern as it was given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

/// A request path with a percent-escape that does not decode (bad hex, truncated or invalid UTF-8),
/// which JavaScript's `decodeURI` rejects and Clerk answers with HTTP 400.
///
/// As an actix-web [`ResponseError`] it renders
/// `{"errors":[{"code":"malformed_url","message":"..."}]}` with status 400. The path itself is not
/// echoed (paths can carry tokens); only the byte offset of the bad escape.
///
/// ```
/// use actix_web::ResponseError;
/// use clerk_actix::RouteMatcher;
///
/// let matcher = RouteMatcher::new(["/admin(.*)"])?;
/// let error = matcher.matches("/admin/%E0%A4%A").unwrap_err();
/// assert_eq!(error.status_code(), 400);
/// assert_eq!(error.to_string(), "malformed percent-encoding in URL path at byte 7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed percent-encoding in URL path at byte {offset}")]
pub struct MalformedUrl {
    offset: usize,
}

impl ResponseError for MalformedUrl {
    fn status_code(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(serde_json::json!({
            "errors": [{ "code": "malformed_url", "message": self.to_string() }]
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> RouteMatcher {
        RouteMatcher::new(patterns).unwrap_or_else(|e| panic!("{e}"))
    }

    fn assert_matches(patterns: &[&str], path: &str, expected: bool) {
        let actual = matcher(patterns)
            .matches(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(actual, expected, "{patterns:?} against {path:?}");
    }

    #[test]
    fn literal_paths_allow_case_and_trailing_delimiter() {
        for path in ["/foo", "/FOO", "/Foo/", "/foo#", "/foo?"] {
            assert_matches(&["/foo"], path, true);
        }
        for path in ["/foo/bar", "/foox", "/fo", "foo", "/foo//x"] {
            assert_matches(&["/foo"], path, false);
        }
    }

    #[test]
    fn wildcard_custom_pattern_is_a_prefix_match() {
        for path in ["/foo", "/fooxyz", "/foo/bar/baz", "/FOO/x"] {
            assert_matches(&["/foo(.*)"], path, true);
        }
        assert_matches(&["/foo(.*)"], "/fo", false);
        // JavaScript's `.` stops at line terminators, even decoded ones.
        assert_matches(&["/foo(.*)"], "/foo%0Abar", false);
        assert_matches(&["/foo(.*)"], "/foo%0Dbar", false);
    }

    #[test]
    fn zero_or_more_segments() {
        // "//" collapses before matching, so "/dashboard//" is "/dashboard/".
        for path in [
            "/dashboard",
            "/dashboard/",
            "/dashboard//",
            "/dashboard/a",
            "/dashboard/a/b",
        ] {
            assert_matches(&["/dashboard/:path*"], path, true);
        }
        for path in ["/dashboardxyz", "/dashboard-a", "/dash", "/dashboard/a#b"] {
            assert_matches(&["/dashboard/:path*"], path, false);
        }
    }

    #[test]
    fn one_or_more_and_optional_segments() {
        assert_matches(&["/files/:path+"], "/files", false);
        assert_matches(&["/files/:path+"], "/files/a/b", true);
        assert_matches(&["/users/:id?"], "/users", true);
        assert_matches(&["/users/:id?"], "/users/42", true);
        assert_matches(&["/users/:id?"], "/users/42/posts", false);
    }

    #[test]
    fn named_parameter_is_one_segment() {
        assert_matches(&["/api/:id"], "/api/42", true);
        assert_matches(&["/api/:id"], "/api/42/", true);
        assert_matches(&["/api/:id"], "/api", false);
        assert_matches(&["/api/:id"], "/api/42/x", false);
        assert_matches(&["/api/:id(\\d+)"], "/api/42", true);
        assert_matches(&["/api/:id(\\d+)"], "/api/x", false);
    }

    #[test]
    fn groups_and_escapes() {
        assert_matches(&["/user{s}?"], "/users", true);
        assert_matches(&["/user{s}?"], "/user", true);
        assert_matches(&["/a{-:b}"], "/a-x", true);
        assert_matches(&["/a{-:b}"], "/a", false);
        assert_matches(&["/\\:literal"], "/:literal", true);
        assert_matches(&["/\\:literal"], "/anything", false);
    }

    #[test]
    fn any_pattern_may_match() {
        let m = matcher(&["/sign-in(.*)", "/sign-up(.*)"]);
        assert_eq!(m.matches("/sign-up/verify"), Ok(true));
        assert_eq!(m.matches("/profile"), Ok(false));
    }

    #[test]
    fn percent_encoding_is_decoded_except_reserved_characters() {
        assert_matches(&["/admin(.*)"], "/%61dmin/x", true);
        assert_matches(&["/admin/:id"], "/admin/a%2Fb", true);
        assert_matches(&["/admin/:id"], "/admin/a/b", false);
        assert_matches(&["/api/:id"], "/api%2F42", false);
        assert_matches(&["/caf\u{e9}"], "/caf%C3%89", true);
    }

    #[test]
    fn repeated_slashes_are_collapsed() {
        assert_matches(&["/admin(.*)"], "//admin", true);
        assert_matches(&["/admin/users"], "/admin//users", true);
    }

    #[test]
    fn malformed_escapes_are_errors() {
        let m = matcher(&["/admin(.*)"]);
        assert_eq!(m.matches("/%E0%A4%A"), Err(MalformedUrl { offset: 1 }));
        assert_eq!(m.matches("/admin%"), Err(MalformedUrl { offset: 6 }));
        // Upstream only decodes when there is a pattern to test.
        assert_eq!(matcher(&[]).matches("/%E0%A4%A"), Ok(false));
    }

    #[test]
    fn empty_patterns_are_skipped() {
        let m = matcher(&["", "/a"]);
        assert_eq!(m.matches("/"), Ok(false));
        assert_eq!(m.matches("/a"), Ok(true));
        assert_eq!(matcher(&[""]).matches("/"), Ok(false));
    }

    #[test]
    fn invalid_patterns_name_the_culprit() {
        for pattern in [
            "/(abc",
            "/:",
            "/foo*",
            "/(a(?=b))",
            "/:a:b",
            "/foo\\",
            "/(a{3,2})",
        ] {
            let error = RouteMatcher::new(["/fine", pattern]).expect_err(pattern);
            assert_eq!(error.pattern(), pattern);
            assert!(
                error.to_string().contains(&format!("{pattern:?}")),
                "{error}"
            );
        }
    }

    #[actix_rt::test]
    async fn malformed_url_renders_a_json_400() {
        let response = MalformedUrl { offset: 3 }.error_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("json body");
        assert_eq!(
            json,
            serde_json::json!({"errors": [{
                "code": "malformed_url",
                "message": "malformed percent-encoding in URL path at byte 3"
            }]})
        );
    }

    #[test]
    fn matcher_is_shareable_and_debug_shows_patterns() {
        fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
        assert_send_sync_clone::<RouteMatcher>();
        let shown = format!("{:?}", matcher(&["/a", "/b/:id"]));
        assert_eq!(shown, r#"RouteMatcher { patterns: ["/a", "/b/:id"] }"#);
    }
}
