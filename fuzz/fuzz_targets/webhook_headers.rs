//! Webhook verification (Svix headers and body) on arbitrary input: never a panic, never a forged
//! delivery accepted, never a correctly signed one refused as forged.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clerk_actix::__fuzz::targets::webhook_headers(data));
