//! Cookie header parsing: never a panic; a value found is a value of the header.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clerk_actix::__fuzz::targets::cookie_header(data));
