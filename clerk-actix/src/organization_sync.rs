//! Organization sync: which organization (or the personal account) a URL asks to make active.

use std::fmt;

use crate::route_matcher::{ParamValue, PathPattern, RoutePatternError};

/// Which URLs name an organization or the personal account (Clerk's `organizationSyncOptions`).
///
/// When a signed-in request's path matches and the session's active organization differs, Clerk
/// performs a handshake that activates the named one. Patterns use the same syntax as
/// [`RouteMatcher`](crate::RouteMatcher), but are matched against the path as received (no
/// percent-decoding, no `//` collapsing) and parameter values are kept percent-encoded, as upstream.
///
/// ```
/// use clerk_actix::OrganizationSyncOptions;
///
/// let options = OrganizationSyncOptions {
///     organization_patterns: vec!["/orgs/:slug".into(), "/orgs/:slug/(.*)".into()],
///     personal_account_patterns: vec!["/me".into(), "/me/(.*)".into()],
/// };
/// assert_eq!(options.personal_account_patterns.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationSyncOptions {
    /// Patterns that name an organization through an `:id` parameter (organization ID, e.g.
    /// `/orgs/:id`) or a `:slug` parameter (e.g. `/teams/:slug/(.*)`). Tried in order; the first
    /// that matches decides, and a match with neither parameter names nothing.
    pub organization_patterns: Vec<String>,
    /// Patterns for pages of the personal account (no organization active), e.g. `/me/(.*)`.
    /// Checked only when no organization pattern names an organization. An empty list matches
    /// nothing (upstream, an empty array matched every path).
    pub personal_account_patterns: Vec<String>,
}

/// What a URL asks to activate.
///
/// ```
/// use clerk_actix::OrganizationSyncTarget;
///
/// let target = OrganizationSyncTarget::OrganizationSlug("acme".into());
/// assert_ne!(target, OrganizationSyncTarget::PersonalAccount);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizationSyncTarget {
    /// The organization with this ID (the `:id` parameter, as it appears in the path).
    OrganizationId(String),
    /// The organization with this slug (the `:slug` parameter, as it appears in the path).
    OrganizationSlug(String),
    /// The personal account: no active organization.
    PersonalAccount,
}

/// [`OrganizationSyncOptions`] compiled once, at start-up.
///
/// ```
/// use clerk_actix::{OrganizationMatcher, OrganizationSyncOptions, OrganizationSyncTarget};
///
/// let matcher = OrganizationMatcher::new(&OrganizationSyncOptions {
///     organization_patterns: vec!["/orgs/:id".into(), "/orgs/:id/(.*)".into()],
///     personal_account_patterns: vec!["/me(.*)".into()],
/// })?;
/// assert_eq!(
///     matcher.find_target("/orgs/org_123/settings"),
///     Some(OrganizationSyncTarget::OrganizationId("org_123".into()))
/// );
/// assert_eq!(matcher.find_target("/me"), Some(OrganizationSyncTarget::PersonalAccount));
/// assert_eq!(matcher.find_target("/blog"), None);
/// # Ok::<(), clerk_actix::RoutePatternError>(())
/// ```
#[derive(Clone)]
pub struct OrganizationMatcher {
    organization: Vec<PathPattern>,
    personal_account: Vec<PathPattern>,
}

impl fmt::Debug for OrganizationMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrganizationMatcher")
            .field("organization", &self.organization)
            .field("personal_account", &self.personal_account)
            .finish()
    }
}

impl OrganizationMatcher {
    /// Compiles every pattern of `options`.
    ///
    /// # Errors
    /// [`RoutePatternError`] naming the first pattern that does not compile.
    ///
    /// ```
    /// use clerk_actix::{OrganizationMatcher, OrganizationSyncOptions};
    ///
    /// let options = OrganizationSyncOptions {
    ///     organization_patterns: vec!["/orgs/:id(".into()],
    ///     ..Default::default()
    /// };
    /// let error = OrganizationMatcher::new(&options).unwrap_err();
    /// assert_eq!(error.pattern(), "/orgs/:id(");
    /// ```
    pub fn new(options: &OrganizationSyncOptions) -> Result<Self, RoutePatternError> {
        Ok(Self {
            organization: compile_all(&options.organization_patterns)?,
            personal_account: compile_all(&options.personal_account_patterns)?,
        })
    }

    /// What the request path (raw, as received, without the query string) asks to activate:
    /// an organization from the first organization pattern that matches (by `:id`, else `:slug`),
    /// otherwise the personal account if a personal-account pattern matches, otherwise nothing.
    ///
    /// ```
    /// use clerk_actix::{OrganizationMatcher, OrganizationSyncOptions, OrganizationSyncTarget};
    ///
    /// let matcher = OrganizationMatcher::new(&OrganizationSyncOptions {
    ///     organization_patterns: vec!["/teams/:slug".into()],
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(
    ///     matcher.find_target("/Teams/acme/"),
    ///     Some(OrganizationSyncTarget::OrganizationSlug("acme".into()))
    /// );
    /// # Ok::<(), clerk_actix::RoutePatternError>(())
    /// ```
    pub fn find_target(&self, path: &str) -> Option<OrganizationSyncTarget> {
        if let Some(target) = self.organization_target(path) {
            return Some(target);
        }
        self.personal_account
            .iter()
            .any(|pattern| pattern.is_match(path))
            .then_some(OrganizationSyncTarget::PersonalAccount)
    }

    fn organization_target(&self, path: &str) -> Option<OrganizationSyncTarget> {
        // Upstream compiles the list into one alternation: the first pattern that matches supplies
        // the parameters, even when it has neither `:id` nor `:slug`.
        let params = self
            .organization
            .iter()
            .find_map(|pattern| pattern.match_params(path))?;
        if let Some(id) = params.get("id").and_then(param_text) {
            return Some(OrganizationSyncTarget::OrganizationId(id));
        }
        params
            .get("slug")
            .and_then(param_text)
            .map(OrganizationSyncTarget::OrganizationSlug)
    }
}

fn compile_all(patterns: &[String]) -> Result<Vec<PathPattern>, RoutePatternError> {
    patterns
        .iter()
        .map(|pattern| {
            PathPattern::compile(pattern).map_err(|reason| RoutePatternError::new(pattern, reason))
        })
        .collect()
}

/// A parameter as upstream uses it: an empty string counts as absent, and a repeated parameter
/// (`:id+`) is an array, which is always present and becomes its items joined by `,` in the
/// handshake URL.
fn param_text(value: &ParamValue<'_>) -> Option<String> {
    match value {
        ParamValue::Single("") => None,
        ParamValue::Single(text) => Some((*text).to_owned()),
        ParamValue::Repeated(items) => Some(items.join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganizationSyncTarget::{OrganizationId, OrganizationSlug, PersonalAccount};

    fn options(organization: &[&str], personal_account: &[&str]) -> OrganizationSyncOptions {
        let owned = |patterns: &[&str]| patterns.iter().map(|p| (*p).to_owned()).collect();
        OrganizationSyncOptions {
            organization_patterns: owned(organization),
            personal_account_patterns: owned(personal_account),
        }
    }

    fn target(options: &OrganizationSyncOptions, path: &str) -> Option<OrganizationSyncTarget> {
        OrganizationMatcher::new(options)
            .unwrap_or_else(|e| panic!("{e}"))
            .find_target(path)
    }

    fn id(value: &str) -> Option<OrganizationSyncTarget> {
        Some(OrganizationId(value.to_owned()))
    }

    fn slug(value: &str) -> Option<OrganizationSyncTarget> {
        Some(OrganizationSlug(value.to_owned()))
    }

    /// The 14 `getOrganizationSyncTarget` cases of clerk/javascript
    /// packages/backend/src/tokens/__tests__/request.test.ts.
    #[test]
    fn upstream_get_organization_sync_target_cases() {
        let recommended = ["/orgs/:id", "/orgs/:id/", "/orgs/:id/(.*)"];
        let cases: [(
            &str,
            OrganizationSyncOptions,
            &str,
            Option<OrganizationSyncTarget>,
        ); 14] = [
            (
                "none activates nothing",
                OrganizationSyncOptions::default(),
                "/orgs/org_foo",
                None,
            ),
            (
                "Can activate an org by ID (basic)",
                options(&["/orgs/:id"], &[]),
                "/orgs/org_foo",
                id("org_foo"),
            ),
            (
                "mimatch activates nothing",
                options(&["/orgs/:id"], &[]),
                "/personal-account/my-resource",
                None,
            ),
            (
                "Can activate an org by ID (recommended matchers)",
                options(&recommended, &[]),
                "/orgs/org_foo",
                id("org_foo"),
            ),
            (
                "Can activate an org by ID with a trailing slash",
                options(&recommended, &[]),
                "/orgs/org_foo/",
                id("org_foo"),
            ),
            (
                "Can activate an org by ID with a trailing path component",
                options(&recommended, &[]),
                "/orgs/org_foo/nested-resource",
                id("org_foo"),
            ),
            (
                "Can activate an org by ID with many trailing path component",
                options(&["/orgs/:id/(.*)"], &[]),
                "/orgs/org_foo/nested-resource/and/more/deeply/nested/resources",
                id("org_foo"),
            ),
            (
                "Can activate an org by ID with an unrelated path token in the prefix",
                options(&["/unknown-thing/:any/orgs/:id"], &[]),
                "/unknown-thing/thing/orgs/org_foo",
                id("org_foo"),
            ),
            (
                "Can activate an org by slug",
                options(&["/orgs/:slug"], &[]),
                "/orgs/my-org",
                slug("my-org"),
            ),
            (
                "Can activate the personal account",
                options(&[], &["/personal-account"]),
                "/personal-account",
                Some(PersonalAccount),
            ),
            (
                "ID match precedes slug match",
                options(&["/orgs/:id", "/orgs/:slug"], &[]),
                "/orgs/my-org",
                id("my-org"),
            ),
            (
                "org match match precedes personal account",
                options(&["/orgs/:slug"], &["/", "/(.*)"]),
                "/orgs/my-org",
                slug("my-org"),
            ),
            (
                "personal account may contain path tokens",
                options(&[], &["/user/:any", "/user/:any/(.*)"]),
                "/user/123/home",
                Some(PersonalAccount),
            ),
            (
                "All of the config at once",
                options(
                    &[
                        "/orgs-by-id/:id",
                        "/orgs-by-id/:id/(.*)",
                        "/orgs-by-slug/:slug",
                        "/orgs-by-slug/:slug/(.*)",
                    ],
                    &["/personal-account", "/personal-account/(.*)"],
                ),
                "/orgs-by-slug/org_bar/sub-resource",
                slug("org_bar"),
            ),
        ];
        for (name, options, path, expected) in cases {
            assert_eq!(target(&options, path), expected, "{name}");
        }
    }

    #[test]
    fn first_matching_organization_pattern_decides() {
        // Upstream's alternation stops at `/orgs/:other`; the later `:id` pattern is never tried.
        let options = options(&["/orgs/:other", "/orgs/:id"], &["/(.*)"]);
        assert_eq!(target(&options, "/orgs/x"), Some(PersonalAccount));
    }

    #[test]
    fn organization_match_without_id_or_slug_falls_through_to_personal_account() {
        assert_eq!(
            target(&options(&["/orgs/(.*)"], &["/orgs/(.*)"]), "/orgs/x"),
            Some(PersonalAccount)
        );
        assert_eq!(target(&options(&["/orgs/(.*)"], &[]), "/orgs/x"), None);
    }

    #[test]
    fn empty_id_counts_as_absent() {
        let options = options(&["/orgs{/:id(.*)}"], &[]);
        assert_eq!(target(&options, "/orgs/"), None);
        assert_eq!(target(&options, "/orgs/abc"), id("abc"));
    }

    #[test]
    fn parameters_keep_their_percent_encoding_and_case() {
        let options = options(&["/orgs/:slug"], &[]);
        assert_eq!(target(&options, "/orgs/My%20Org"), slug("My%20Org"));
        assert_eq!(target(&options, "/ORGS/Acme"), slug("Acme"));
        // No `decodeURI` and no `//` collapsing here, unlike route matching.
        assert_eq!(target(&options, "//orgs/acme"), None);
        assert_eq!(target(&options, "/orgs/a%2Fb"), slug("a%2Fb"));
    }

    #[test]
    fn repeated_parameter_joins_its_segments() {
        assert_eq!(
            target(&options(&["/orgs/:id+"], &[]), "/orgs/a/b"),
            id("a,b")
        );
    }

    #[test]
    fn empty_pattern_lists_match_nothing() {
        let options = options(&[], &[]);
        assert_eq!(target(&options, "/"), None);
        assert_eq!(target(&options, "/anything"), None);
    }

    #[test]
    fn invalid_pattern_is_reported_at_construction() {
        let error =
            OrganizationMatcher::new(&options(&["/orgs/:id"], &["/me/:"])).expect_err("invalid");
        assert_eq!(error.pattern(), "/me/:");
        assert!(
            error.to_string().contains("missing parameter name"),
            "{error}"
        );
    }

    #[test]
    fn matcher_is_shareable() {
        fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
        assert_send_sync_clone::<OrganizationMatcher>();
    }
}
