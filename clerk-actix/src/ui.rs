//! Prebuilt UI for server-rendered pages: the ClerkJS `<script>` for the instance, mount points
//! for Clerk's components, and the request's auth state as HTML-safe JSON for client code (the
//! server-side seed of Clerk's Astro stores).
//!
//! ```
//! use clerk_actix::ClerkAuth;
//! use clerk_actix::ui::{self, Component};
//!
//! fn page(auth: &ClerkAuth) -> String {
//!     format!(
//!         "<html><head>{}</head><body>{}{}</body></html>",
//!         ui::clerk_js_script(auth),
//!         ui::mount(Component::UserButton, "user-button"),
//!         ui::auth_state_script(auth),
//!     )
//! }
//! ```

use serde_json::{Value, json};

use crate::auth::ClerkAuth;
use crate::publishable_key::InstanceType;

/// ClerkJS major version loaded from the Frontend API.
const CLERK_JS_VERSION: &str = "5";

/// One of Clerk's prebuilt components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Component {
    /// `<SignIn />`
    SignIn,
    /// `<SignUp />`
    SignUp,
    /// `<UserButton />`
    UserButton,
    /// `<OrganizationSwitcher />`
    OrganizationSwitcher,
}

impl Component {
    /// The ClerkJS method that mounts it (`mountSignIn`, ...).
    pub const fn mount_method(self) -> &'static str {
        match self {
            Self::SignIn => "mountSignIn",
            Self::SignUp => "mountSignUp",
            Self::UserButton => "mountUserButton",
            Self::OrganizationSwitcher => "mountOrganizationSwitcher",
        }
    }
}

/// `<div>` where ClerkJS mounts `component` (done by the script of [`clerk_js_script`]).
/// `id` is escaped; use a plain identifier.
pub fn mount(component: Component, id: &str) -> String {
    format!(
        r#"<div id="{}" data-clerk-component="{}"></div>"#,
        escape_attribute(id),
        component.mount_method()
    )
}

/// The ClerkJS script tag for the request's instance, loaded from the Frontend API host in the
/// publishable key (or the proxy URL), plus a small script that loads Clerk with the configured
/// sign-in/up URLs, appearance and localization and mounts every [`mount`] point on the page.
pub fn clerk_js_script(auth: &ClerkAuth) -> String {
    let options = auth.clerk().options();
    let Some(pk) = &options.publishable_key else {
        return String::new();
    };
    let host = match &options.proxy_url {
        Some(proxy) => strip_scheme(&absolute(proxy, auth)).to_owned(),
        None => match (&options.domain, pk.instance_type()) {
            (Some(domain), InstanceType::Production) => format!("clerk.{}", strip_scheme(domain)),
            _ => pk.frontend_api().to_owned(),
        },
    };
    let src =
        format!("https://{host}/npm/@clerk/clerk-js@{CLERK_JS_VERSION}/dist/clerk.browser.js");
    let mut attributes = format!(
        r#"src="{}" data-clerk-js-script="true" data-clerk-publishable-key="{}" crossorigin="anonymous" async"#,
        escape_attribute(&src),
        escape_attribute(pk.as_str())
    );
    if let Some(proxy) = &options.proxy_url {
        attributes.push_str(&format!(
            r#" data-clerk-proxy-url="{}""#,
            escape_attribute(&absolute(proxy, auth))
        ));
    }
    if let Some(domain) = &options.domain {
        attributes.push_str(&format!(
            r#" data-clerk-domain="{}""#,
            escape_attribute(domain)
        ));
    }
    let load_options = json!({
        "signInUrl": options.sign_in_url,
        "signUpUrl": options.sign_up_url,
        "appearance": options.appearance,
        "localization": options.localization,
    });
    format!(
        "<script {attributes}></script>\n<script>\
window.addEventListener('load', async function () {{\
 if (!window.Clerk) return;\
 await window.Clerk.load({});\
 document.querySelectorAll('[data-clerk-component]').forEach(function (el) {{\
 window.Clerk[el.dataset.clerkComponent](el); }}); }});</script>",
        html_safe_json(&load_options)
    )
}

/// The request's auth state as `<script id="__CLERK_ACTIX_DATA__" type="application/json">`,
/// safe to embed in HTML (Clerk's `htmlSafeJson`). Never contains the session token.
pub fn auth_state_script(auth: &ClerkAuth) -> String {
    format!(
        r#"<script id="__CLERK_ACTIX_DATA__" type="application/json">{}</script>"#,
        html_safe_json(&auth.to_json())
    )
}

/// Clerk's `htmlSafeJson`: JSON with `<`, `>`, `/`, U+2028 and U+2029 escaped as `\uXXXX`, so
/// the text cannot close a `<script>` element or break a JavaScript string.
pub fn html_safe_json(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '/' => out.push_str("\\u002f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn absolute(proxy: &str, auth: &ClerkAuth) -> String {
    if proxy.starts_with('/')
        && let Some(url) = auth.0.request.url()
    {
        return format!("{}{proxy}", url.origin().ascii_serialization());
    }
    proxy.to_owned()
}

fn strip_scheme(url: &str) -> &str {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url)
}

impl ClerkAuth {
    /// The auth object as JSON, as Clerk serialises `locals.auth()` (no token, no functions):
    /// `userId`, `sessionId`, `sessionStatus`, `sessionClaims`, `actor`, `orgId`, `orgRole`,
    /// `orgSlug`, `orgPermissions`, `factorVerificationAge`, `tokenType`, `isAuthenticated`.
    pub fn to_json(&self) -> Value {
        json!({
            "tokenType": self.token_type().map(|t| t.as_str()),
            "isAuthenticated": self.is_authenticated(),
            "userId": self.user_id(),
            "sessionId": self.session_id(),
            "sessionStatus": self.session_status().map(|s| s.as_str().to_owned()),
            "sessionClaims": self.claims().map(|c| Value::Object(c.raw().clone())),
            "actor": self.actor(),
            "orgId": self.org_id(),
            "orgRole": self.org_role(),
            "orgSlug": self.org_slug(),
            "orgPermissions": self.org_permissions(),
            "factorVerificationAge": self.factor_verification_age(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_safe_json_escapes_script_breakers() {
        let value = json!({"x": "</script><script>alert(1)</script>\u{2028}"});
        let safe = html_safe_json(&value);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('/'));
        assert!(safe.contains("\\u003c\\u002fscript\\u003e"));
        assert!(safe.contains("\\u2028"));
        let back: Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value, "still the same JSON");
    }

    #[test]
    fn mount_points_escape_ids() {
        assert_eq!(
            mount(Component::SignIn, r#"x"><img"#),
            r#"<div id="x&quot;&gt;&lt;img" data-clerk-component="mountSignIn"></div>"#
        );
    }
}
