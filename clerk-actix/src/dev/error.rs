//! The error type of the dev module.

use std::io;
use std::path::PathBuf;

/// Something went wrong creating a signing key or starting a [`DevInstance`](super::DevInstance).
///
/// ```
/// use clerk_actix::dev::DevError;
///
/// let err = DevError::CorruptStore { path: ".clerk-dev/instance.json".into(), reason: "EOF".into() };
/// assert!(err.to_string().contains("delete it"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevError {
    /// Key generation failed in the crypto library.
    #[error("could not generate an RSA key")]
    KeyGeneration,
    /// The stored key is not a PKCS#8 RSA private key.
    #[error("not a PKCS#8 RSA private key")]
    InvalidKey,
    /// The instance could not listen on its address.
    #[error("the dev instance could not listen on {addr}: {source}")]
    Bind {
        /// The address it tried.
        addr: String,
        /// The system error.
        source: io::Error,
    },
    /// The data file could not be read or written.
    #[error("the dev instance store {path} could not be accessed: {source}")]
    Io {
        /// The data file.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
    /// The data file exists but is not a store this version understands.
    #[error(
        "the dev instance store {path} is not valid ({reason}); fix it, or delete it to start with a fresh instance"
    )]
    CorruptStore {
        /// The data file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The server thread could not be started or stopped unexpectedly while starting.
    #[error("the dev instance server could not start: {0}")]
    Server(String),
    /// No user has this email address (see [`DevInstance::session_token`](super::DevInstance::session_token)).
    #[error("the dev instance has no user with email address {0:?}")]
    UnknownUser(String),
}
