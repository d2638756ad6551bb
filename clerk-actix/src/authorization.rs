//! Clerk's `has()` check: organization role and permission, billing feature and plan, and
//! reverification (how recently the user proved a first or second factor).
//!
//! Three dimensions are judged independently, each one passing, failing or being skipped when
//! the check asks nothing of it. A check is granted only when at least one dimension passes and
//! none fails, so an empty check is always denied and missing session data always denies.

use std::borrow::Cow;
use std::str::FromStr;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// What a request must satisfy, built from one requirement and extended with `and_*`.
///
/// Every requirement given must hold. Role and permission names may omit the `org:` prefix
/// (`admin` means `org:admin`). Feature and plan names may carry a scope: `o:`, `org:` or
/// `organization:` for the active organization, `u:` or `user:` for the user; without a scope
/// either one grants it.
///
/// `Has::default()` requires nothing and is therefore never granted.
///
/// Deliberately stricter than upstream on nonsensical requests: a feature or plan with more
/// than one `:` or an empty name, and a role or permission whose name is empty after the
/// `org:` prefix, are denied instead of being matched loosely.
///
/// ```
/// use clerk_actix::{Has, Reverification};
///
/// let check = Has::permission("invoices:approve").and_reverification(Reverification::Strict);
/// assert_ne!(check, Has::default());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Has {
    role: Option<Cow<'static, str>>,
    pub(crate) permission: Option<Cow<'static, str>>,
    feature: Option<Cow<'static, str>>,
    plan: Option<Cow<'static, str>>,
    reverification: Option<Reverification>,
}

impl Has {
    /// Requires this role in the active organization (`admin` or `org:admin`).
    ///
    /// ```
    /// let check = clerk_actix::Has::role("org:admin");
    /// # let _ = check;
    /// ```
    pub fn role(role: impl Into<Cow<'static, str>>) -> Self {
        Self::default().and_role(role)
    }

    /// Requires this permission in the active organization (`invoices:read` or
    /// `org:invoices:read`).
    ///
    /// ```
    /// let check = clerk_actix::Has::permission("org:invoices:read");
    /// # let _ = check;
    /// ```
    pub fn permission(permission: impl Into<Cow<'static, str>>) -> Self {
        Self::default().and_permission(permission)
    }

    /// Requires this billing feature (`export`, `o:export` or `u:export`).
    ///
    /// ```
    /// let check = clerk_actix::Has::feature("u:export");
    /// # let _ = check;
    /// ```
    pub fn feature(feature: impl Into<Cow<'static, str>>) -> Self {
        Self::default().and_feature(feature)
    }

    /// Requires this billing plan (`pro`, `org:business` or `user:pro`).
    ///
    /// ```
    /// let check = clerk_actix::Has::plan("pro");
    /// # let _ = check;
    /// ```
    pub fn plan(plan: impl Into<Cow<'static, str>>) -> Self {
        Self::default().and_plan(plan)
    }

    /// Requires a recent enough verification of the user's factors.
    ///
    /// ```
    /// use clerk_actix::{Has, Reverification};
    /// let check = Has::reverification(Reverification::StrictMfa);
    /// # let _ = check;
    /// ```
    pub fn reverification(reverification: Reverification) -> Self {
        Self::default().and_reverification(reverification)
    }

    /// Also requires this role, replacing any role required before.
    ///
    /// ```
    /// let check = clerk_actix::Has::feature("sso").and_role("admin");
    /// # let _ = check;
    /// ```
    pub fn and_role(mut self, role: impl Into<Cow<'static, str>>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Also requires this permission, replacing any permission required before.
    ///
    /// ```
    /// let check = clerk_actix::Has::role("admin").and_permission("invoices:approve");
    /// # let _ = check;
    /// ```
    pub fn and_permission(mut self, permission: impl Into<Cow<'static, str>>) -> Self {
        self.permission = Some(permission.into());
        self
    }

    /// Also requires this feature, replacing any feature required before.
    ///
    /// ```
    /// let check = clerk_actix::Has::plan("pro").and_feature("export");
    /// # let _ = check;
    /// ```
    pub fn and_feature(mut self, feature: impl Into<Cow<'static, str>>) -> Self {
        self.feature = Some(feature.into());
        self
    }

    /// Also requires this plan, replacing any plan required before.
    ///
    /// ```
    /// let check = clerk_actix::Has::feature("export").and_plan("pro");
    /// # let _ = check;
    /// ```
    pub fn and_plan(mut self, plan: impl Into<Cow<'static, str>>) -> Self {
        self.plan = Some(plan.into());
        self
    }

    /// Also requires this reverification, replacing any required before.
    ///
    /// ```
    /// use clerk_actix::{Has, Reverification};
    /// let check = Has::role("admin").and_reverification(Reverification::Moderate);
    /// # let _ = check;
    /// ```
    pub fn and_reverification(mut self, reverification: Reverification) -> Self {
        self.reverification = Some(reverification);
        self
    }

    /// The reverification this check requires, to build the 403 answer with
    /// [`reverification_error_body`] when the check is denied.
    ///
    /// ```
    /// use clerk_actix::{Has, Reverification};
    /// let check = Has::role("admin").and_reverification(Reverification::Lax);
    /// assert_eq!(check.required_reverification(), Some(&Reverification::Lax));
    /// ```
    pub fn required_reverification(&self) -> Option<&Reverification> {
        self.reverification.as_ref()
    }

    /// The role, permission, feature and plan asked for, in that order, for the guards' name
    /// rules (`crate::name_rules`).
    pub(crate) fn names(&self) -> [Option<&str>; 4] {
        [&self.role, &self.permission, &self.feature, &self.plan].map(|name| name.as_deref())
    }

    /// The same check without its reverification requirement, to tell a user who must reverify
    /// from one who is denied whatever they do.
    pub(crate) fn without_reverification(&self) -> Self {
        Self {
            reverification: None,
            ..self.clone()
        }
    }
}

/// How recently the user must have verified a factor: one of Clerk's presets or a custom rule.
///
/// Serializes to Clerk's configuration value: presets as `"strict"`, `"strict_mfa"`,
/// `"moderate"` or `"lax"`, custom rules as `{"level":"second_factor","afterMinutes":10}`.
/// Parses from the preset names.
///
/// | preset | level | within minutes |
/// |---|---|---|
/// | `StrictMfa` | multi factor | 10 |
/// | `Strict` | second factor | 10 |
/// | `Moderate` | second factor | 60 |
/// | `Lax` | second factor | 1440 |
///
/// A custom rule with `after_minutes: 0` can never be met.
///
/// ```
/// use clerk_actix::{Reverification, ReverificationLevel};
///
/// let preset: Reverification = "strict_mfa".parse()?;
/// assert_eq!(preset, Reverification::StrictMfa);
///
/// let custom = Reverification::Custom { level: ReverificationLevel::SecondFactor, after_minutes: 10 };
/// assert_eq!(
///     serde_json::to_string(&custom)?,
///     r#"{"level":"second_factor","afterMinutes":10}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reverification {
    /// Second factor (or the first, when the user has none) within 10 minutes.
    Strict,
    /// Both factors within 10 minutes (only the first when the user has no second).
    StrictMfa,
    /// Second factor (or the first, when the user has none) within 60 minutes.
    Moderate,
    /// Second factor (or the first, when the user has none) within 24 hours.
    Lax,
    /// A custom rule.
    Custom {
        /// Which factors must be fresh.
        level: ReverificationLevel,
        /// The verification must be younger than this many minutes; `0` never passes.
        after_minutes: u32,
    },
}

impl Reverification {
    fn preset_name(self) -> Option<&'static str> {
        match self {
            Self::Strict => Some("strict"),
            Self::StrictMfa => Some("strict_mfa"),
            Self::Moderate => Some("moderate"),
            Self::Lax => Some("lax"),
            Self::Custom { .. } => None,
        }
    }

    fn requirement(self) -> (ReverificationLevel, u32) {
        match self {
            Self::StrictMfa => (ReverificationLevel::MultiFactor, 10),
            Self::Strict => (ReverificationLevel::SecondFactor, 10),
            Self::Moderate => (ReverificationLevel::SecondFactor, 60),
            Self::Lax => (ReverificationLevel::SecondFactor, 1_440),
            Self::Custom {
                level,
                after_minutes,
            } => (level, after_minutes),
        }
    }
}

impl Serialize for Reverification {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Custom {
                level,
                after_minutes,
            } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("level", &level)?;
                map.serialize_entry("afterMinutes", &after_minutes)?;
                map.end()
            }
            preset => serializer.serialize_str(preset.preset_name().unwrap_or_default()),
        }
    }
}

impl FromStr for Reverification {
    type Err = UnknownReverificationPreset;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "strict" => Ok(Self::Strict),
            "strict_mfa" => Ok(Self::StrictMfa),
            "moderate" => Ok(Self::Moderate),
            "lax" => Ok(Self::Lax),
            _ => Err(UnknownReverificationPreset),
        }
    }
}

/// The name given to [`Reverification::from_str`](std::str::FromStr) is not a Clerk preset.
///
/// ```
/// let parsed = "sometimes".parse::<clerk_actix::Reverification>();
/// assert_eq!(parsed, Err(clerk_actix::UnknownReverificationPreset));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reverification preset: expected strict, strict_mfa, moderate or lax")]
pub struct UnknownReverificationPreset;

/// Which factors a custom [`Reverification`] requires to be fresh.
///
/// ```
/// use clerk_actix::ReverificationLevel;
/// assert_eq!(serde_json::to_string(&ReverificationLevel::MultiFactor)?, r#""multi_factor""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReverificationLevel {
    /// The first factor (password, email code, passkey, ...).
    FirstFactor,
    /// The second factor, or the first when the user has no second factor.
    SecondFactor,
    /// Both factors, or only the first when the user has no second factor.
    MultiFactor,
}

/// The JSON body of Clerk's 403 answer telling the frontend to reverify the user, so Clerk's
/// client libraries can prompt for it and retry.
///
/// ```
/// use clerk_actix::{reverification_error_body, Reverification};
///
/// let body = reverification_error_body(&Reverification::Strict);
/// assert_eq!(body["clerk_error"]["reason"], "reverification-error");
/// assert_eq!(body["clerk_error"]["metadata"]["reverification"], "strict");
/// ```
pub fn reverification_error_body(reverification: &Reverification) -> serde_json::Value {
    serde_json::json!({
        "clerk_error": {
            "type": "forbidden",
            "reason": "reverification-error",
            "metadata": { "reverification": reverification },
        }
    })
}

/// The session data a check is judged against, borrowed from the decoded claims.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AuthorizationFacts<'a> {
    pub(crate) user_id: &'a str,
    pub(crate) org_id: Option<&'a str>,
    pub(crate) org_role: Option<&'a str>,
    pub(crate) org_permissions: Option<&'a [String]>,
    /// The `fea` claim, when it is a string.
    pub(crate) features: Option<&'a str>,
    /// The `pla` claim, when it is a string.
    pub(crate) plans: Option<&'a str>,
    /// Minutes since the first and second factor were verified; `-1` for a factor not enabled.
    pub(crate) factor_verification_age: Option<[i64; 2]>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    Skip,
}

impl Verdict {
    fn from_bool(granted: bool) -> Self {
        if granted { Self::Pass } else { Self::Fail }
    }
}

/// Clerk's `has()`: at least one requested dimension passes and none fails.
pub(crate) fn is_authorized(facts: &AuthorizationFacts<'_>, check: &Has) -> bool {
    if facts.user_id.is_empty() {
        return false;
    }
    let verdicts = [
        organization_verdict(facts, check),
        billing_verdict(facts, check),
        reverification_verdict(facts, check),
    ];
    verdicts.contains(&Verdict::Pass) && !verdicts.contains(&Verdict::Fail)
}

/// The name after any number of leading `org:` prefixes, so `admin`, `org:admin` and
/// `org:org:admin` compare equal, as upstream's normalisation makes them.
fn without_org_prefixes(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("org:") {
        name = rest;
    }
    name
}

fn organization_verdict(facts: &AuthorizationFacts<'_>, check: &Has) -> Verdict {
    if check.role.is_none() && check.permission.is_none() {
        return Verdict::Skip;
    }
    if facts.org_id.is_none_or(str::is_empty) {
        return Verdict::Fail;
    }
    if let Some(role) = &check.role {
        let wanted = without_org_prefixes(role);
        let held = facts.org_role.filter(|held| !held.is_empty());
        if wanted.is_empty() || held.is_none_or(|held| without_org_prefixes(held) != wanted) {
            return Verdict::Fail;
        }
    }
    if let Some(permission) = &check.permission {
        let wanted = without_org_prefixes(permission);
        // Held permissions are compared as issued (upstream does not normalise them), so only
        // an exact `org:<name>` entry grants.
        let held = facts.org_permissions.unwrap_or_default();
        let granted = held
            .iter()
            .any(|held| held.strip_prefix("org:") == Some(wanted));
        if wanted.is_empty() || !granted {
            return Verdict::Fail;
        }
    }
    Verdict::Pass
}

fn billing_verdict(facts: &AuthorizationFacts<'_>, check: &Has) -> Verdict {
    if check.feature.is_none() && check.plan.is_none() {
        return Verdict::Skip;
    }
    let entitled = |claim: Option<&str>, wanted: &Option<Cow<'static, str>>| match wanted {
        None => true,
        Some(wanted) => claim.is_some_and(|claim| is_entitled(claim, wanted)),
    };
    Verdict::from_bool(
        entitled(facts.features, &check.feature) && entitled(facts.plans, &check.plan),
    )
}

/// Whether the scoped list in `claim` (`fea` or `pla`) holds `wanted` (`[scope:]name`).
fn is_entitled(claim: &str, wanted: &str) -> bool {
    if claim.is_empty() {
        return false;
    }
    let Ok(held) = split_by_scope(claim) else {
        return false;
    };
    let mut parts = wanted.split(':');
    let first = parts.next().unwrap_or_default();
    let Some(name) = parts.next() else {
        return !first.is_empty() && (held.org.contains(&first) || held.user.contains(&first));
    };
    if name.is_empty() || parts.next().is_some() {
        return false;
    }
    match first {
        "o" | "org" | "organization" => held.org.contains(&name),
        "u" | "user" => held.user.contains(&name),
        _ => false,
    }
}

/// Names from a `fea`/`pla` claim, by the scope they apply to.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ScopedNames<'a> {
    pub(crate) org: Vec<&'a str>,
    pub(crate) user: Vec<&'a str>,
}

/// An element of a `fea`/`pla` claim has no `scope:` part.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MissingScope;

/// Splits `o:a,u:b,uo:c` by scope: `o` is the organization's, `u` the user's, `ou`/`uo` both;
/// other scopes are ignored. An element without `:` makes the whole claim unreadable.
pub(crate) fn split_by_scope(claim: &str) -> Result<ScopedNames<'_>, MissingScope> {
    let mut names = ScopedNames::default();
    for element in scoped_elements(claim) {
        let (scope, name) = element.ok_or(MissingScope)?;
        match scope {
            "o" => names.org.push(name),
            "u" => names.user.push(name),
            "ou" | "uo" => {
                names.org.push(name);
                names.user.push(name);
            }
            _ => {}
        }
    }
    Ok(names)
}

/// Whether [`split_by_scope`] can read `claim`, without collecting its names: every element
/// has a `:`. Trimming takes whitespace only, never a `:`, and neither `,` nor `:` occurs inside
/// a multi-byte character, so one pass over the bytes decides it. (It runs on every token the
/// cache has not seen; splitting and trimming took a character search per element.)
pub(crate) fn is_scoped(claim: &str) -> bool {
    let mut colon = false;
    for byte in claim.bytes() {
        match byte {
            b':' => colon = true,
            b',' if !colon => return false,
            b',' => colon = false,
            _ => {}
        }
    }
    colon || claim.is_empty()
}

/// The `(scope, name)` of each element of a `fea`/`pla` claim (`None`: an element without
/// `:`); none for an empty claim.
fn scoped_elements(claim: &str) -> impl Iterator<Item = Option<(&str, &str)>> {
    claim
        .split(',')
        .filter(|_| !claim.is_empty())
        .map(|element| js_trim(element).split_once(':'))
}

/// Trims what JavaScript's `String.prototype.trim` trims, so claim lists split exactly as
/// Clerk's own libraries split them (`char::is_whitespace` differs on U+0085 and U+FEFF).
pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c == '\u{FEFF}' || (c.is_whitespace() && c != '\u{85}'))
}

fn reverification_verdict(facts: &AuthorizationFacts<'_>, check: &Has) -> Verdict {
    let Some(reverification) = check.reverification else {
        return Verdict::Skip;
    };
    let Some([first, second]) = facts.factor_verification_age else {
        return Verdict::Fail;
    };
    let is_valid_age = |age: i64| age == -1 || age >= 0;
    if !is_valid_age(first) || !is_valid_age(second) || (first == -1 && second == -1) {
        return Verdict::Fail;
    }
    let (level, after_minutes) = reverification.requirement();
    if after_minutes == 0 {
        return Verdict::Fail;
    }
    let is_fresh = |age: i64| age != -1 && i64::from(after_minutes) > age;
    // `-1` marks a factor the user has not enabled: the levels then fall back to the factor
    // they do have, except that multi factor never settles for the second factor alone.
    let granted = match level {
        ReverificationLevel::FirstFactor => is_fresh(first),
        ReverificationLevel::SecondFactor if second == -1 => is_fresh(first),
        ReverificationLevel::SecondFactor => is_fresh(second),
        ReverificationLevel::MultiFactor if second == -1 => is_fresh(first),
        ReverificationLevel::MultiFactor => is_fresh(first) && is_fresh(second),
    };
    Verdict::from_bool(granted)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_PERMISSIONS: &[&str] = &["org:sys_memberships:read"];

    fn permissions(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    /// A signed-in user in `org_123` as `org:admin`, both factors just verified.
    fn facts(held_permissions: &[String]) -> AuthorizationFacts<'_> {
        AuthorizationFacts {
            user_id: "user_123",
            org_id: Some("org_123"),
            org_role: Some("org:admin"),
            org_permissions: Some(held_permissions),
            features: Some(""),
            plans: Some(""),
            factor_verification_age: Some([0, 0]),
        }
    }

    fn no_org<'a>() -> AuthorizationFacts<'a> {
        AuthorizationFacts {
            org_id: None,
            org_role: None,
            org_permissions: None,
            ..facts(&[])
        }
    }

    #[test]
    fn features_are_matched_with_and_without_scope() {
        let held = permissions(&["org:read"]);
        let facts = AuthorizationFacts {
            org_role: Some("admin"),
            features: Some("o:reservations,u:dashboard"),
            plans: Some("free_user,plus_user"),
            factor_verification_age: Some([1000, 2000]),
            ..facts(&held)
        };
        for granted in [
            "o:reservations",
            "org:reservations",
            "organization:reservations",
            "reservations",
            "u:dashboard",
            "user:dashboard",
            "dashboard",
        ] {
            assert!(is_authorized(&facts, &Has::feature(granted)), "{granted}");
        }
        for denied in ["lol:dashboard", "u:reservations", "o:dashboard", "missing"] {
            assert!(!is_authorized(&facts, &Has::feature(denied)), "{denied}");
        }
    }

    #[test]
    fn an_empty_check_is_denied() {
        let held = permissions(&["org:sys_profile:delete"]);
        let facts = AuthorizationFacts {
            features: Some("o:premium"),
            plans: Some("plus"),
            ..facts(&held)
        };
        assert!(!is_authorized(&facts, &Has::default()));
    }

    #[test]
    fn org_requirements_fail_without_an_active_org_even_when_reverification_passes() {
        let facts = no_org();
        assert!(is_authorized(
            &facts,
            &Has::reverification(Reverification::Strict)
        ));
        let permission = Has::permission("org:sys_profile:delete");
        assert!(!is_authorized(
            &facts,
            &permission.and_reverification(Reverification::Strict)
        ));
        let role = Has::role("org:admin").and_reverification(Reverification::Strict);
        assert!(!is_authorized(&facts, &role));
    }

    #[test]
    fn reverification_fails_without_factor_verification_age() {
        let held = permissions(&["org:sys_profile:delete"]);
        let facts = AuthorizationFacts {
            factor_verification_age: None,
            ..facts(&held)
        };
        let check = Has::permission("org:sys_profile:delete");
        assert!(is_authorized(&facts, &check));
        assert!(!is_authorized(
            &facts,
            &check.and_reverification(Reverification::Strict)
        ));
    }

    #[test]
    fn reverification_fails_on_negative_ages_other_than_the_sentinel() {
        for age in [[-2, 0], [0, -5], [i64::MIN, 0]] {
            let facts = AuthorizationFacts {
                factor_verification_age: Some(age),
                ..no_org()
            };
            assert!(
                !is_authorized(&facts, &Has::reverification(Reverification::Lax)),
                "{age:?}"
            );
        }
    }

    #[test]
    fn custom_reverification_with_zero_minutes_never_passes() {
        let held = permissions(&["org:sys_profile:delete"]);
        let facts = facts(&held);
        for level in [
            ReverificationLevel::FirstFactor,
            ReverificationLevel::SecondFactor,
            ReverificationLevel::MultiFactor,
        ] {
            let zero = Reverification::Custom {
                level,
                after_minutes: 0,
            };
            let one = Reverification::Custom {
                level,
                after_minutes: 1,
            };
            assert!(
                !is_authorized(&facts, &Has::reverification(zero)),
                "{level:?}"
            );
            assert!(
                is_authorized(&facts, &Has::reverification(one)),
                "{level:?}"
            );
        }
    }

    #[test]
    fn org_and_billing_must_both_pass() {
        let held = permissions(ORG_PERMISSIONS);
        let facts = AuthorizationFacts {
            features: Some("o:reservations"),
            ..facts(&held)
        };
        let denied = Has::permission("org:sys_profile:delete").and_feature("org:reservations");
        assert!(!is_authorized(&facts, &denied));
        let granted = Has::permission("org:sys_memberships:read").and_feature("org:reservations");
        assert!(is_authorized(&facts, &granted));
    }

    #[test]
    fn role_and_permission_must_both_pass() {
        let held = permissions(ORG_PERMISSIONS);
        let facts = facts(&held);
        let check = |role: &'static str, permission: &'static str| {
            is_authorized(&facts, &Has::role(role).and_permission(permission))
        };
        assert!(!check("org:admin", "org:sys_profile:delete"));
        assert!(!check("org:member", "org:sys_memberships:read"));
        assert!(check("org:admin", "org:sys_memberships:read"));
    }

    #[test]
    fn feature_and_plan_must_both_pass() {
        let held = permissions(&["org:read"]);
        let facts = AuthorizationFacts {
            features: Some("o:reservations"),
            plans: Some("u:plus"),
            ..facts(&held)
        };
        let check = |feature: &'static str, plan: &'static str| {
            is_authorized(&facts, &Has::feature(feature).and_plan(plan))
        };
        assert!(check("org:reservations", "u:plus"));
        assert!(!check("org:reservations", "u:free"));
        assert!(!check("org:missing", "u:plus"));
    }

    #[test]
    fn billing_fails_when_the_claim_is_empty_or_absent() {
        let held = permissions(&["org:read"]);
        let empty = facts(&held);
        let absent = AuthorizationFacts {
            features: None,
            plans: None,
            ..facts(&held)
        };
        for facts in [empty, absent] {
            assert!(!is_authorized(&facts, &Has::feature("org:premium")));
            assert!(!is_authorized(&facts, &Has::plan("premium")));
            // A passing reverification must not rescue a failing billing dimension.
            let check = Has::feature("org:premium").and_reverification(Reverification::Strict);
            assert!(!is_authorized(&facts, &check));
        }
    }

    #[test]
    fn billing_fails_when_the_claim_is_malformed() {
        let facts = AuthorizationFacts {
            features: Some("reservations,dashboard"),
            plans: Some("u:pro,pro"),
            ..no_org()
        };
        assert!(!is_authorized(&facts, &Has::feature("reservations")));
        assert!(!is_authorized(&facts, &Has::plan("u:pro")));
    }

    #[test]
    fn requested_names_that_are_empty_or_over_scoped_are_denied() {
        let facts = AuthorizationFacts {
            features: Some("o:,u:a:b,u:a,o:o"),
            plans: Some("u:pro"),
            ..no_org()
        };
        for denied in ["", "o:", "u:a:b", ":a", "user:pro:x"] {
            assert!(!is_authorized(&facts, &Has::feature(denied)), "{denied:?}");
        }
        assert!(is_authorized(&facts, &Has::feature("u:a")));
        assert!(is_authorized(&facts, &Has::feature("o")));
    }

    #[test]
    fn every_requested_dimension_must_pass_across_dimensions() {
        let held = permissions(ORG_PERMISSIONS);
        let facts = AuthorizationFacts {
            features: Some("o:reservations"),
            plans: Some("u:plus"),
            ..facts(&held)
        };
        assert!(!is_authorized(
            &facts,
            &Has::role("org:admin").and_feature("org:missing")
        ));
        assert!(!is_authorized(
            &facts,
            &Has::role("org:admin").and_plan("u:free")
        ));
        assert!(is_authorized(
            &facts,
            &Has::role("org:admin").and_feature("org:reservations")
        ));
        let all_three = Has::permission("org:sys_memberships:read")
            .and_feature("org:reservations")
            .and_reverification(Reverification::Strict);
        assert!(is_authorized(&facts, &all_three));
        let stale = AuthorizationFacts {
            factor_verification_age: Some([0, 11]),
            ..facts
        };
        assert!(!is_authorized(&stale, &all_three));
    }

    #[test]
    fn a_missing_user_id_denies_everything() {
        let facts = AuthorizationFacts {
            user_id: "",
            features: Some("u:dashboard"),
            plans: Some("u:plus"),
            ..no_org()
        };
        assert!(!is_authorized(&facts, &Has::feature("dashboard")));
        assert!(!is_authorized(&facts, &Has::plan("plus")));
        assert!(!is_authorized(
            &facts,
            &Has::reverification(Reverification::Strict)
        ));
    }

    #[test]
    fn roles_are_compared_with_or_without_the_org_prefix() {
        let held = permissions(ORG_PERMISSIONS);
        for issued in ["admin", "org:admin", "org:org:admin"] {
            let facts = AuthorizationFacts {
                org_role: Some(issued),
                ..facts(&held)
            };
            for asked in ["admin", "org:admin", "org:org:admin"] {
                assert!(
                    is_authorized(&facts, &Has::role(asked)),
                    "{issued} vs {asked}"
                );
            }
            assert!(!is_authorized(&facts, &Has::role("org:member")), "{issued}");
            assert!(
                !is_authorized(&facts, &Has::role("administrator")),
                "{issued}"
            );
        }
    }

    #[test]
    fn an_empty_role_never_matches() {
        let held = permissions(ORG_PERMISSIONS);
        for issued in ["", "org:"] {
            let facts = AuthorizationFacts {
                org_role: Some(issued),
                ..facts(&held)
            };
            for asked in ["", "org:", "org:org:"] {
                assert!(
                    !is_authorized(&facts, &Has::role(asked)),
                    "{issued:?} vs {asked:?}"
                );
            }
        }
    }

    #[test]
    fn permissions_are_normalised_on_the_request_side_only() {
        let held = permissions(&["org:f1:read", "f2:manage"]);
        let facts = facts(&held);
        assert!(is_authorized(&facts, &Has::permission("f1:read")));
        assert!(is_authorized(&facts, &Has::permission("org:f1:read")));
        assert!(is_authorized(&facts, &Has::permission("org:org:f1:read")));
        assert!(!is_authorized(&facts, &Has::permission("org:f1")));
        // Issued without the prefix: upstream's `includes` never matches it either.
        assert!(!is_authorized(&facts, &Has::permission("f2:manage")));
        assert!(!is_authorized(&facts, &Has::permission("")));
    }

    #[test]
    fn permissions_fail_when_the_org_has_no_permission_list() {
        let facts = AuthorizationFacts {
            org_permissions: None,
            ..facts(&[])
        };
        assert!(is_authorized(&facts, &Has::role("admin")));
        assert!(!is_authorized(&facts, &Has::permission("org:f1:read")));
    }

    #[test]
    fn an_empty_org_id_counts_as_no_org() {
        let held = permissions(ORG_PERMISSIONS);
        let facts = AuthorizationFacts {
            org_id: Some(""),
            ..facts(&held)
        };
        assert!(!is_authorized(&facts, &Has::role("admin")));
        assert!(!is_authorized(
            &facts,
            &Has::permission("sys_memberships:read")
        ));
    }

    const FIRST_FACTOR_10: Reverification = Reverification::Custom {
        level: ReverificationLevel::FirstFactor,
        after_minutes: 10,
    };

    /// Reverification outcomes by factor ages `[first, second]`, for
    /// `[strict_mfa, strict, moderate, lax, first factor within 10 minutes]`.
    #[test]
    fn reverification_matrix() {
        let configs = [
            Reverification::StrictMfa,
            Reverification::Strict,
            Reverification::Moderate,
            Reverification::Lax,
            FIRST_FACTOR_10,
        ];
        let matrix: &[([i64; 2], [bool; 5])] = &[
            ([0, 0], [true, true, true, true, true]),
            ([5, 5], [true, true, true, true, true]),
            // `afterMinutes > age` is strict: an age equal to the limit is stale.
            ([10, 10], [false, false, true, true, false]),
            ([9, 9], [true, true, true, true, true]),
            ([9, 61], [false, false, false, true, true]),
            ([61, 9], [false, true, true, true, false]),
            ([1439, 1440], [false, false, false, false, false]),
            ([1440, 1439], [false, false, false, true, false]),
            // No second factor enrolled: every level falls back to the first factor.
            ([0, -1], [true, true, true, true, true]),
            ([20, -1], [false, false, true, true, false]),
            // No first factor: second-factor levels use the second, others fail.
            ([-1, 0], [false, true, true, true, false]),
            ([-1, 100], [false, false, false, true, false]),
            // Nothing enrolled: nothing can be verified.
            ([-1, -1], [false, false, false, false, false]),
        ];
        for (age, expected) in matrix {
            let facts = AuthorizationFacts {
                factor_verification_age: Some(*age),
                ..no_org()
            };
            for (config, expected) in configs.iter().zip(expected) {
                let granted = is_authorized(&facts, &Has::reverification(*config));
                assert_eq!(granted, *expected, "{config:?} with ages {age:?}");
            }
        }
    }

    #[test]
    fn custom_multi_factor_needs_both_factors_fresh() {
        let rule = Reverification::Custom {
            level: ReverificationLevel::MultiFactor,
            after_minutes: 1,
        };
        let granted = |age: [i64; 2]| {
            let facts = AuthorizationFacts {
                factor_verification_age: Some(age),
                ..no_org()
            };
            is_authorized(&facts, &Has::reverification(rule))
        };
        assert!(granted([0, 0]));
        assert!(!granted([1, 0]));
        assert!(!granted([0, 1]));
        assert!(granted([0, -1]));
        assert!(!granted([-1, 0]));
    }

    #[test]
    fn split_by_scope_sorts_names_by_scope() {
        let names = split_by_scope("o:reservations,u:dashboard").expect("well formed");
        assert_eq!(names.org, ["reservations"]);
        assert_eq!(names.user, ["dashboard"]);

        let names = split_by_scope("o:reservations,u:dashboard,ou:support-chat,uo:billing")
            .expect("well formed");
        assert_eq!(names.org, ["reservations", "support-chat", "billing"]);
        assert_eq!(names.user, ["dashboard", "support-chat", "billing"]);

        let names = split_by_scope(" o:payments , x:ignored,u:impersonation ").expect("trimmed");
        assert_eq!(names.org, ["payments"]);
        assert_eq!(names.user, ["impersonation"]);

        assert_eq!(split_by_scope(""), Ok(ScopedNames::default()));
    }

    #[test]
    fn split_by_scope_rejects_an_element_without_scope() {
        assert_eq!(split_by_scope("reservations,dashboard"), Err(MissingScope));
        assert_eq!(split_by_scope("o:a,,u:b"), Err(MissingScope));
        assert!(!is_scoped("reservations,dashboard"));
        assert!(!is_scoped("o:a,,u:b"));
        assert!(is_scoped(" o:payments , x:ignored,u:impersonation "));
        assert!(is_scoped(""));
        assert_eq!(split_by_scope(" "), Err(MissingScope));
    }

    #[test]
    fn is_scoped_agrees_with_splitting_the_elements() {
        for claim in [
            "",
            "o:a",
            "o:a,u:b",
            " o:a , u:b ",
            "a",
            "o:a,b",
            "a,o:b",
            "o:a,",
            ",o:a",
            "o:a,,u:b",
            ":",
            ",",
            ":,:",
            "\u{3000}o:é\u{3000},u:ü",
            "é",
            "o:a,\u{FEFF}",
            "::,a:",
        ] {
            assert_eq!(
                is_scoped(claim),
                scoped_elements(claim).all(|element| element.is_some()),
                "{claim:?}"
            );
        }
    }

    #[test]
    fn js_trim_matches_javascript_whitespace() {
        assert_eq!(js_trim("\u{FEFF}\t a \u{3000}\n"), "a");
        assert_eq!(js_trim("\u{85}a\u{85}"), "\u{85}a\u{85}");
    }

    #[test]
    fn reverification_serializes_to_clerk_config_values() -> Result<(), serde_json::Error> {
        let cases = [
            (Reverification::Strict, serde_json::json!("strict")),
            (Reverification::StrictMfa, serde_json::json!("strict_mfa")),
            (Reverification::Moderate, serde_json::json!("moderate")),
            (Reverification::Lax, serde_json::json!("lax")),
            (
                Reverification::Custom {
                    level: ReverificationLevel::SecondFactor,
                    after_minutes: 10,
                },
                serde_json::json!({ "level": "second_factor", "afterMinutes": 10 }),
            ),
            (
                Reverification::Custom {
                    level: ReverificationLevel::FirstFactor,
                    after_minutes: 1,
                },
                serde_json::json!({ "level": "first_factor", "afterMinutes": 1 }),
            ),
            (
                Reverification::Custom {
                    level: ReverificationLevel::MultiFactor,
                    after_minutes: 5,
                },
                serde_json::json!({ "level": "multi_factor", "afterMinutes": 5 }),
            ),
        ];
        for (config, expected) in cases {
            assert_eq!(serde_json::to_value(config)?, expected, "{config:?}");
        }
        Ok(())
    }

    #[test]
    fn presets_parse_from_their_names_only() {
        for preset in [
            Reverification::Strict,
            Reverification::StrictMfa,
            Reverification::Moderate,
            Reverification::Lax,
        ] {
            let name = preset.preset_name().expect("presets are named");
            assert_eq!(name.parse(), Ok(preset));
        }
        for unknown in [
            "",
            "Strict",
            "strict ",
            "invalid-value",
            "multi_factor",
            "custom",
        ] {
            assert_eq!(
                unknown.parse::<Reverification>(),
                Err(UnknownReverificationPreset),
                "{unknown:?}"
            );
        }
    }

    #[test]
    fn reverification_error_body_has_clerks_shape() {
        let custom = Reverification::Custom {
            level: ReverificationLevel::MultiFactor,
            after_minutes: 5,
        };
        assert_eq!(
            reverification_error_body(&custom),
            serde_json::json!({
                "clerk_error": {
                    "type": "forbidden",
                    "reason": "reverification-error",
                    "metadata": {
                        "reverification": { "level": "multi_factor", "afterMinutes": 5 }
                    }
                }
            })
        );
        assert_eq!(
            reverification_error_body(&Reverification::StrictMfa)["clerk_error"]["metadata"],
            serde_json::json!({ "reverification": "strict_mfa" })
        );
    }

    #[test]
    fn builders_keep_the_last_value_of_each_requirement() {
        let check = Has::role("member")
            .and_role("admin")
            .and_permission("a")
            .and_feature("f")
            .and_plan("p")
            .and_reverification(Reverification::Lax)
            .and_reverification(Reverification::Strict);
        assert_eq!(check.role.as_deref(), Some("admin"));
        assert_eq!(check.permission.as_deref(), Some("a"));
        assert_eq!(check.feature.as_deref(), Some("f"));
        assert_eq!(check.plan.as_deref(), Some("p"));
        assert_eq!(
            check.required_reverification(),
            Some(&Reverification::Strict)
        );
        assert_eq!(Has::default().required_reverification(), None);
    }
}
