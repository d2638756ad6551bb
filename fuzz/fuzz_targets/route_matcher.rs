//! Route pattern compilation and matching: never a panic, whatever the patterns and paths.
//! Input: patterns separated by `\n`, then `\0`, then the paths to match, separated by `\n`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clerk_actix::__fuzz::targets::route_matcher(data));
