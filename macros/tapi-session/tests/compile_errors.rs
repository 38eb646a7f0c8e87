//! Wrong uses of the attribute fail to compile with a precise message;
//! right ones compile (against the real windows-sys) and run (against the
//! simulator).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
