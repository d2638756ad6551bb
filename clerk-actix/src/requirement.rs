//! [`Requirement`]: what a guarded route asks of the signed-in user.

use crate::auth::ClerkAuth;
use crate::authorization::{Has, Reverification};
use crate::name_rules;

/// What a guarded route requires beyond a signed-in user: Clerk's `has()` checks combined with
/// [`any`](Self::any) and [`all`](Self::all). Every requirement also requires a signed-in user
/// with an active session (a `pending` session is signed out).
///
/// A [`Has`] naming a malformed role, permission, feature or plan (e.g. a permission that is not
/// `org:<feature>:<action>`, a feature with an unknown scope) is never met: the same rules the
/// attributes enforce at compile time.
///
/// ```
/// use clerk_actix::{Has, Requirement, Reverification};
///
/// // An admin, or anyone allowed to read invoices who reverified within the last 10 minutes.
/// let requirement = Requirement::any([
///     Requirement::from(Has::role("admin")),
///     Requirement::from(Has::permission("org:invoices:read").and_reverification(Reverification::Strict)),
/// ]);
/// assert_ne!(requirement, Requirement::SignedIn);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Requirement {
    /// Any signed-in user.
    SignedIn,
    /// Clerk's `has()` check: every role, permission, feature, plan and reverification it names.
    Has(Has),
    /// At least one of these; an empty list is never met.
    Any(Vec<Requirement>),
    /// Every one of these; an empty list only requires a signed-in user.
    All(Vec<Requirement>),
}

impl Requirement {
    /// At least one of `requirements`.
    ///
    /// ```
    /// use clerk_actix::{Has, Requirement};
    /// let requirement = Requirement::any([Has::role("admin"), Has::role("billing")]);
    /// # let _ = requirement;
    /// ```
    pub fn any<I>(requirements: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Requirement>,
    {
        Self::Any(requirements.into_iter().map(Into::into).collect())
    }

    /// Every one of `requirements`.
    ///
    /// ```
    /// use clerk_actix::{Has, Requirement};
    /// let requirement = Requirement::all([Has::role("admin"), Has::plan("pro")]);
    /// # let _ = requirement;
    /// ```
    pub fn all<I>(requirements: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Requirement>,
    {
        Self::All(requirements.into_iter().map(Into::into).collect())
    }

    /// Judges a signed-in request. The caller has already checked that someone is signed in.
    pub(crate) fn verdict(&self, auth: &ClerkAuth) -> Verdict {
        match self {
            Self::SignedIn => Verdict::Granted,
            Self::Has(check) => has_verdict(check, auth),
            Self::All(requirements) => {
                let mut verdict = Verdict::Granted;
                for requirement in requirements {
                    match requirement.verdict(auth) {
                        Verdict::Denied => return Verdict::Denied,
                        reverify @ Verdict::Reverify(_) if verdict == Verdict::Granted => {
                            verdict = reverify;
                        }
                        _ => {}
                    }
                }
                verdict
            }
            Self::Any(requirements) => {
                let mut verdict = Verdict::Denied;
                for requirement in requirements {
                    match requirement.verdict(auth) {
                        Verdict::Granted => return Verdict::Granted,
                        reverify @ Verdict::Reverify(_) if verdict == Verdict::Denied => {
                            verdict = reverify;
                        }
                        _ => {}
                    }
                }
                verdict
            }
        }
    }

    /// The first malformed name, with what it is and why, so a guard built at run time can say
    /// at start-up that it will never grant.
    pub(crate) fn first_malformed_name(&self) -> Option<(&str, &'static str)> {
        match self {
            Self::SignedIn => None,
            Self::Has(check) => malformed_name(check),
            Self::Any(requirements) | Self::All(requirements) => {
                requirements.iter().find_map(Self::first_malformed_name)
            }
        }
    }
}

impl From<Has> for Requirement {
    fn from(check: Has) -> Self {
        Self::Has(check)
    }
}

/// The outcome of judging a signed-in request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Granted,
    Denied,
    /// Denied now, granted once the user reverifies this recently: Clerk's frontend can prompt
    /// for it and retry.
    Reverify(Reverification),
}

fn has_verdict(check: &Has, auth: &ClerkAuth) -> Verdict {
    if malformed_name(check).is_some() {
        return Verdict::Denied;
    }
    if auth.has(check) {
        return Verdict::Granted;
    }
    match check.required_reverification() {
        Some(reverification) => {
            let rest = check.without_reverification();
            if rest == Has::default() || auth.has(&rest) {
                Verdict::Reverify(*reverification)
            } else {
                Verdict::Denied
            }
        }
        None => Verdict::Denied,
    }
}

fn malformed_name(check: &Has) -> Option<(&str, &'static str)> {
    let [role, permission, feature, plan] = check.names();
    type Rule = fn(&str) -> Option<&'static str>;
    let rules: [(Option<&str>, Rule); 4] = [
        (role, name_rules::role_error),
        (permission, name_rules::permission_error),
        (feature, name_rules::entitlement_error),
        (plan, name_rules::entitlement_error),
    ];
    rules
        .into_iter()
        .find_map(|(name, rule)| name.and_then(|name| rule(name).map(|why| (name, why))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::signed_in;
    use serde_json::json;

    fn admin_who_verified_minutes_ago(minutes: i64) -> ClerkAuth {
        signed_in(json!({
            "org_id": "org_1",
            "org_role": "org:admin",
            "org_permissions": ["org:invoices:read"],
            "fea": "o:export",
            "pla": "u:pro",
            "fva": [minutes, minutes],
        }))
    }

    #[test]
    fn leaves_follow_has() {
        let auth = admin_who_verified_minutes_ago(0);
        for granted in [
            Has::role("admin"),
            Has::role("org:admin"),
            Has::permission("invoices:read"),
            Has::feature("export"),
            Has::plan("user:pro"),
            Has::reverification(Reverification::StrictMfa),
        ] {
            assert_eq!(
                Requirement::from(granted.clone()).verdict(&auth),
                Verdict::Granted,
                "{granted:?}"
            );
        }
        for denied in [
            Has::role("member"),
            Has::permission("org:invoices:write"),
            Has::plan("o:pro"),
        ] {
            assert_eq!(
                Requirement::from(denied.clone()).verdict(&auth),
                Verdict::Denied,
                "{denied:?}"
            );
        }
        assert_eq!(Requirement::SignedIn.verdict(&auth), Verdict::Granted);
    }

    #[test]
    fn reverification_is_asked_only_when_it_would_help() {
        let stale = admin_who_verified_minutes_ago(30);
        let strict = Reverification::Strict;
        assert_eq!(
            Requirement::from(Has::reverification(strict)).verdict(&stale),
            Verdict::Reverify(strict)
        );
        assert_eq!(
            Requirement::from(Has::role("admin").and_reverification(strict)).verdict(&stale),
            Verdict::Reverify(strict)
        );
        // Reverifying would not make a non-member an owner.
        assert_eq!(
            Requirement::from(Has::role("owner").and_reverification(strict)).verdict(&stale),
            Verdict::Denied
        );
        assert_eq!(
            Requirement::from(Has::reverification(Reverification::Moderate)).verdict(&stale),
            Verdict::Granted
        );
    }

    #[test]
    fn any_and_all_combine_verdicts() {
        let stale = admin_who_verified_minutes_ago(30);
        let strict = Has::reverification(Reverification::Strict);
        let cases = [
            (
                Requirement::any([Has::role("owner"), Has::role("admin")]),
                Verdict::Granted,
            ),
            (
                Requirement::any([Has::role("owner"), Has::role("member")]),
                Verdict::Denied,
            ),
            (
                Requirement::any([Has::role("owner"), strict.clone()]),
                Verdict::Reverify(Reverification::Strict),
            ),
            (
                Requirement::any([strict.clone(), Has::role("admin")]),
                Verdict::Granted,
            ),
            (
                Requirement::all([Has::role("admin"), Has::feature("export")]),
                Verdict::Granted,
            ),
            (
                Requirement::all([Has::role("admin"), Has::role("owner")]),
                Verdict::Denied,
            ),
            (
                Requirement::all([strict.clone(), Has::role("owner")]),
                Verdict::Denied,
            ),
            (
                Requirement::all([Has::role("admin"), strict]),
                Verdict::Reverify(Reverification::Strict),
            ),
            (Requirement::Any(Vec::new()), Verdict::Denied),
            (Requirement::All(Vec::new()), Verdict::Granted),
        ];
        for (requirement, expected) in cases {
            assert_eq!(requirement.verdict(&stale), expected, "{requirement:?}");
        }
    }

    #[test]
    fn malformed_names_are_never_granted() {
        let auth = signed_in(json!({
            "org_id": "org_1",
            "org_role": "org:admin",
            "org_permissions": ["org:invoices"],
            "fea": "o:export",
        }));
        // A v1 token could carry a permission without an action; the rules deny it anyway.
        let malformed = Requirement::from(Has::permission("org:invoices"));
        assert!(auth.has(&Has::permission("org:invoices")));
        assert_eq!(malformed.verdict(&auth), Verdict::Denied);
        assert_eq!(
            malformed.first_malformed_name().map(|(name, _)| name),
            Some("org:invoices")
        );
        let nested = Requirement::any([Has::role("admin"), Has::feature("x:export")]);
        assert_eq!(
            nested.first_malformed_name().map(|(name, _)| name),
            Some("x:export")
        );
        assert_eq!(
            Requirement::from(Has::role("admin")).first_malformed_name(),
            None
        );
    }

    #[test]
    fn the_presets_the_attributes_accept_are_the_ones_the_runtime_parses() {
        for preset in name_rules::REVERIFICATION_PRESETS {
            assert!(preset.parse::<Reverification>().is_ok(), "{preset}");
        }
        for other in ["", "Strict", "first_factor"] {
            assert!(other.parse::<Reverification>().is_err(), "{other}");
        }
    }
}
