//! API server example (being built): see README.
fn main() {}
