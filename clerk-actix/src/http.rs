//! The one way this crate creates `awc` clients.

use std::sync::Once;

/// An `awc` client that does not follow redirects (a redirect from the Backend API is never
/// expected, and following one could send the secret key elsewhere).
///
/// awc builds its TLS configuration from rustls' process-wide crypto provider and panics when no
/// provider is installed and rustls cannot pick one from its features. We install the provider
/// matching this crate's crypto feature once, unless the application installed one first.
pub(crate) fn client() -> awc::Client {
    install_tls_provider();
    awc::Client::builder().disable_redirects().finish()
}

pub(crate) fn install_tls_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_some() {
            return;
        }
        #[cfg(feature = "aws-lc-rs")]
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
        let provider = rustls::crypto::ring::default_provider();
        // Losing a race with another installer is fine: a provider is installed either way.
        let _ = provider.install_default();
    });
}
