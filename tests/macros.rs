//! The guard attributes at compile time: what must compile (`tests/ui/pass`) and what must fail
//! with a spanned error (`tests/ui/fail`, expected output in the `.stderr` files; regenerate them
//! with `TRYBUILD=overwrite cargo test --test macros` and review the diff).

#[test]
fn guard_attributes() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}

/// The attributes check names at compile time with the same rules the guards apply at run
/// time: the two crates hold the same file.
#[test]
fn name_rules_are_shared_by_both_crates() {
    assert_eq!(
        include_str!("../clerk-actix/src/name_rules.rs"),
        include_str!("../clerk-actix-macros/src/name_rules.rs"),
        "clerk-actix/src/name_rules.rs and clerk-actix-macros/src/name_rules.rs must stay identical"
    );
}
