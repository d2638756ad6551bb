//! Procedural macros for [clerk-actix](https://docs.rs/clerk-actix). Use them through the
//! re-exports in `clerk_actix`, not from this crate directly.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
