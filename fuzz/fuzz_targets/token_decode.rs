//! Token decoding, the pre-key checks, the claim checks and Clerk's claim layout on arbitrary
//! input: never a panic, and a decodable token's checks agree with each other.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clerk_actix::__fuzz::targets::token_decode(data));
