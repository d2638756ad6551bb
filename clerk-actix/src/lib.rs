//! Clerk authentication for actix-web.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
compile_error!(
    "clerk-actix: enable exactly one JWT crypto backend. Both `aws-lc-rs` and `rust-crypto` are on; \
     use `default-features = false, features = [\"rust-crypto\"]` to pick RustCrypto."
);
#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "clerk-actix: enable exactly one JWT crypto backend: the default feature `aws-lc-rs`, or `rust-crypto`."
);

mod organization_sync;
mod route_matcher;
mod secret;

pub use organization_sync::{OrganizationMatcher, OrganizationSyncOptions, OrganizationSyncTarget};
pub use route_matcher::{MalformedUrl, RouteMatcher, RoutePatternError};
