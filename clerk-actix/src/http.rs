//! The one way this crate creates `awc` clients.

use std::sync::Once;

/// An `awc` client that does not follow redirects (a redirect from the Backend API is never
/// expected, and following one could send the secret key elsewhere).
///
/// awc builds its TLS configuration from rustls' process-wide crypto provider and panics when no
/// provider is installed and rustls cannot pick one from its features. We install aws-lc-rs
/// once, unless the application installed a provider of its own first.
pub(crate) fn client() -> awc::Client {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
    awc::Client::builder().disable_redirects().finish()
}
