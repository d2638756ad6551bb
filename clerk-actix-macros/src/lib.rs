//! Procedural macros for [clerk-actix](https://docs.rs/clerk-actix): the guard attributes
//! `#[require_auth]`, `#[require_org_role]`, `#[require_permission]`, `#[require_feature]`,
//! `#[require_plan]`, `#[require_reverification]` and `#[protect]`. Use them through the
//! re-exports in `clerk_actix`, not from this crate directly.
//!
//! Every attribute reduces to `#[protect(..)]` and expands to a call of `clerk_actix::Protect`,
//! the same guard the scope middlewares use, so the answers are the same everywhere.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod args;
mod expand;
mod name_rules;

use args::Kind;

/// Guards an `async fn` handler with Clerk's `protect()`: the request must come from a signed-in
/// user (an active session; a `pending` one is signed out) who meets every requirement given.
///
/// # Requirements
///
/// Named requirements at the top level are one `has()` check (all must hold), each given at
/// most once. `any(..)` needs one of its members, `all(..)` every one; they nest, and inside them
/// every named requirement stands alone. `#[protect]` alone only requires a signed-in user.
///
/// | argument | meaning |
/// |---|---|
/// | `role = "admin"` | role in the active organization; `admin` means `org:admin` |
/// | `permission = "org:invoices:read"` | permission in the active organization, `org:<feature>:<action>` |
/// | `feature = "export"` | billing feature, optionally scoped: `o:`/`org:`/`organization:` or `u:`/`user:` |
/// | `plan = "pro"` | billing plan, scoped like features |
/// | `reverification = strict` | verified recently: `strict`, `strict_mfa`, `moderate` or `lax` |
/// | `any(..)`, `all(..)` | one of / all of the requirements inside |
///
/// Names are checked at compile time by the rules the guards apply at run time: an empty or
/// malformed role or permission, a feature or plan with an unknown scope, or an unknown preset
/// is an error on that token.
///
/// # Answers
///
/// | request | answer |
/// |---|---|
/// | signed out, page request (`Sec-Fetch-Dest: document`/`iframe`, or `Accept: text/html`) | `307` to sign in, `redirect_url` back to the current URL |
/// | signed out, anything else | `401` JSON, `WWW-Authenticate: Bearer` |
/// | signed in, requirement not met | `403` JSON (`404` with `not_found = true`) |
/// | signed in, only a fresher verification missing | `403` with Clerk's `reverification-error` body |
///
/// # Options
///
/// | option | effect |
/// |---|---|
/// | `redirect = false` | never redirect; signed-out page requests get `401` too |
/// | `sign_in_url = "/login"` | redirect here instead of the configured sign-in page |
/// | `not_found = true` | answer `404` instead of `403` when the requirement is not met |
/// | `on_reject = path::to::handler` | answer with `fn(&Rejection, &HttpRequest) -> HttpResponse` |
///
/// Unknown and repeated options are compile errors.
///
/// # Expansion
///
/// The handler keeps its name, visibility, generics, documentation and other attributes, so it
/// works before or after `#[get]`/`#[post]`/`#[route]`, on methods in `impl` blocks, and stacked
/// with other guards. Two things change:
///
/// * Its parameters move into its body. It takes one hidden extractor instead,
///   `clerk_actix::__private::RequestParts` (the request and its payload), runs the guard first,
///   and only then extracts the original parameters, in their order, as actix-web would have.
///   A rejected request therefore runs no extractor and reads no body.
/// * Its return type `R` becomes `Result<R, actix_web::Error>`. A rejection is the `Err`; it
///   renders the answer above (see `clerk_actix::Rejection`).
///
/// `ClerkMiddleware` must wrap the route; without it the answer is `500`.
#[proc_macro_attribute]
pub fn protect(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Protect, args.into(), item.into()).into()
}

/// Guards an `async fn` handler: only signed-in users get through. The same as `#[protect]`
/// without requirements, with the same answers, options and expansion.
///
#[proc_macro_attribute]
pub fn require_auth(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Auth, args.into(), item.into()).into()
}

/// Guards an `async fn` handler with a role in the active organization: `"admin"` (which means
/// `org:admin`) or `"org:admin"`, then any `#[protect]` options. The same as
/// `#[protect(role = "…")]`.
///
#[proc_macro_attribute]
pub fn require_org_role(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::OrgRole, args.into(), item.into()).into()
}

/// Guards an `async fn` handler with a permission in the active organization,
/// `"org:<feature>:<action>"`, then any `#[protect]` options. The same as
/// `#[protect(permission = "…")]`.
///
#[proc_macro_attribute]
pub fn require_permission(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Permission, args.into(), item.into()).into()
}

/// Guards an `async fn` handler with a billing feature (`"export"`, `"o:export"`,
/// `"u:export"`), then any `#[protect]` options. The same as `#[protect(feature = "…")]`.
///
#[proc_macro_attribute]
pub fn require_feature(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Feature, args.into(), item.into()).into()
}

/// Guards an `async fn` handler with a billing plan (`"pro"`, `"org:business"`,
/// `"user:pro"`), then any `#[protect]` options. The same as `#[protect(plan = "…")]`.
///
#[proc_macro_attribute]
pub fn require_plan(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Plan, args.into(), item.into()).into()
}

/// Guards an `async fn` handler with a recent verification: `strict`, `strict_mfa`, `moderate`
/// or `lax` (see `clerk_actix::Reverification`), then any `#[protect]` options. A signed-in user
/// whose verification is too old gets Clerk's `403` `reverification-error` answer, which
/// Clerk's frontend turns into a prompt and a retry. The same as
/// `#[protect(reverification = …)]`.
///
#[proc_macro_attribute]
pub fn require_reverification(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Reverification, args.into(), item.into()).into()
}
