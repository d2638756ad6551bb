//! Publishable key parsing: never a panic; an accepted key has a usable Frontend API host and an
//! 8-character cookie suffix.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clerk_actix::__fuzz::targets::publishable_key(data));
