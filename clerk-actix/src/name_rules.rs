//! Which role, permission, feature, plan and reverification names a guard accepts.
//!
//! This file is shared byte for byte by `clerk-actix` (guards deny at run time what breaks a
//! rule) and `clerk-actix-macros` (the attributes reject it at compile time), so both sides judge
//! names by the same code; a test in the workspace keeps the two copies identical. It depends on
//! nothing but `core`.
//!
//! The rules follow how Clerk's `has()` compares names, so a name that breaks one could never be
//! granted anyway: roles and permissions may repeat the `org:` prefix or omit it, permissions are
//! `org:<feature>:<action>`, features and plans are `[scope:]name`.

/// Clerk's reverification presets, in the spelling the attributes and `FromStr` accept.
// The run time parses presets with `Reverification::from_str`; a test checks they agree.
#[allow(dead_code)]
pub(crate) const REVERIFICATION_PRESETS: [&str; 4] = ["strict", "strict_mfa", "moderate", "lax"];

/// Scopes a feature or plan may name: the active organization's or the user's.
const ENTITLEMENT_SCOPES: [&str; 5] = ["o", "org", "organization", "u", "user"];

/// Why `role` can never match an organization role, or `None` when it is well formed
/// (`admin`, `org:admin`).
pub(crate) fn role_error(role: &str) -> Option<&'static str> {
    let name = without_org_prefixes(role);
    if name.is_empty() {
        return Some("the role is empty; write it as `admin` or `org:admin`");
    }
    if !is_plain_name(name) {
        return Some(
            "the role must be one name without spaces, commas or `:` after the optional `org:` prefix",
        );
    }
    None
}

/// Why `permission` can never match an organization permission, or `None` when it is well formed
/// (`org:invoices:read`, or `invoices:read`, which means the same).
pub(crate) fn permission_error(permission: &str) -> Option<&'static str> {
    let name = without_org_prefixes(permission);
    let mut parts = name.split(':');
    let feature = parts.next().unwrap_or_default();
    let action = parts.next().unwrap_or_default();
    if permission.is_empty() {
        return Some("the permission is empty; write it as `org:<feature>:<action>`");
    }
    if parts.next().is_some() || !is_plain_name(feature) || !is_plain_name(action) {
        return Some(
            "the permission must be `org:<feature>:<action>`, each part one name without spaces or commas",
        );
    }
    None
}

/// Why a billing feature or plan name can never be held, or `None` when it is well formed
/// (`export`, `o:export`, `user:pro`).
pub(crate) fn entitlement_error(entitlement: &str) -> Option<&'static str> {
    let name = match entitlement.split_once(':') {
        None => entitlement,
        Some((scope, name)) => {
            if !ENTITLEMENT_SCOPES.contains(&scope) {
                return Some(
                    "the scope must be `o`, `org` or `organization` (the active organization) or `u` or `user` (the user)",
                );
            }
            name
        }
    };
    if name.is_empty() {
        return Some("the name is empty; write it as `name` or `<scope>:name`");
    }
    if !is_plain_name(name) {
        return Some(
            "the name must be `name` or `<scope>:name`, without spaces, commas or a second `:`",
        );
    }
    None
}

/// Whether `name` is one of [`REVERIFICATION_PRESETS`].
#[allow(dead_code)]
pub(crate) fn is_reverification_preset(name: &str) -> bool {
    REVERIFICATION_PRESETS.contains(&name)
}

/// The name after any number of leading `org:` prefixes, as `has()` compares it.
fn without_org_prefixes(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("org:") {
        name = rest;
    }
    name
}

/// A non-empty name that cannot be split further by the claims it is compared with.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == ':' || c == ',' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        for good in ["admin", "org:admin", "org:org:billing_manager", "member-2"] {
            assert_eq!(role_error(good), None, "{good}");
        }
        for bad in ["", "org:", "org:org:", "org:a:b", "a b", "a,b", "admin\n"] {
            assert!(role_error(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn permissions() {
        for good in [
            "org:invoices:read",
            "invoices:read",
            "org:org:invoices:read",
            "org:sys_memberships:manage",
        ] {
            assert_eq!(permission_error(good), None, "{good}");
        }
        for bad in [
            "",
            "org:",
            "invoices",
            "org:invoices",
            "org:invoices:",
            "org::read",
            "org:invoices:read:all",
            "org:invoices:re ad",
            "org:a,b:read",
        ] {
            assert!(permission_error(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn features_and_plans() {
        for good in [
            "export",
            "o:export",
            "org:export",
            "organization:pro",
            "u:pro",
            "user:pro",
        ] {
            assert_eq!(entitlement_error(good), None, "{good}");
        }
        for bad in [
            "",
            "o:",
            "x:export",
            "uo:export",
            "o:a:b",
            ":export",
            "ex port",
            "a,b",
        ] {
            assert!(entitlement_error(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn reverification_presets() {
        for preset in ["strict", "strict_mfa", "moderate", "lax"] {
            assert!(is_reverification_preset(preset), "{preset}");
        }
        for other in ["", "Strict", "strictmfa", "second_factor"] {
            assert!(!is_reverification_preset(other), "{other}");
        }
    }
}
