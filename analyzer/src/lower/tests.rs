use super::*;
use crate::ir::{Callee, Stmt, Terminator};

fn lower(src: &str) -> FileIr {
    lower_file(
        FileId(0),
        Path::new("src/main.rs"),
        src,
        vec!["crate".into()],
    )
}

#[test]
fn collects_uses_items_and_external_modules() {
    let ir = lower(
        "use windows_sys::Win32::Devices::Tapi::{self as tapi, lineOpenW as open, *};\n\
         pub use a::b;\nmod ffi;\nmod inline { use super::*; fn f() {} }\nstatic mut H: u32 = 0;\nfn main() {}",
    );
    let root = &ir.modules[0];
    let bindings: Vec<_> = root
        .uses
        .iter()
        .map(|u| (u.path.join("::"), u.binding.clone()))
        .collect();
    assert!(bindings.contains(&(
        "windows_sys::Win32::Devices::Tapi".into(),
        UseBinding::Name("tapi".into())
    )));
    assert!(bindings.contains(&(
        "windows_sys::Win32::Devices::Tapi::lineOpenW".into(),
        UseBinding::Name("open".into())
    )));
    assert!(bindings.contains(&("windows_sys::Win32::Devices::Tapi".into(), UseBinding::Glob)));
    assert!(root.uses.iter().any(|u| u.is_pub && u.path == ["a", "b"]));
    assert_eq!(root.statics, ["H"]);
    assert_eq!(ir.modules[1].path, ["crate", "inline"]);
    assert_eq!(ir.external_mods[0].candidates[0], Path::new("src/ffi.rs"));
    assert_eq!(ir.bodies.len(), 2);
}

#[test]
fn a_question_mark_tests_for_success_and_returns_otherwise() {
    let ir = lower("fn f() -> Result<(), i32> { check(g())?; Ok(()) }");
    let body = &ir.bodies[0];
    let tries = body
        .cfg
        .node_weights()
        .filter(|b| {
            matches!(
                b.term,
                Terminator::Return {
                    how: crate::ir::ExitHow::Try,
                    ..
                }
            )
        })
        .count();
    assert_eq!(tries, 1);
    let calls: Vec<_> = body
        .cfg
        .node_weights()
        .flat_map(|b| &b.stmts)
        .filter_map(|s| match s {
            Stmt::Call(c) => Some(c.callee.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(matches!(&calls[0], Callee::Path { path, .. } if path == &["g"]));
}

#[test]
fn closures_become_their_own_bodies() {
    let ir = lower("fn f(h: u32) { let c = move || close(h); c(); }");
    assert_eq!(ir.bodies.len(), 2);
    let f = ir.bodies.iter().position(|b| b.name == "f").unwrap();
    let c = ir.bodies[f].closures[0];
    assert_eq!(ir.bodies[c].parent, Some(f));
    assert_eq!(ir.bodies[c].params.len(), 1, "the capture of `h`");
}

#[test]
fn deep_nesting_does_not_overflow_our_stack() {
    // Run on a thread with a generous stack for syn's own recursion; our
    // lowering grows its stack on the heap as needed.
    let depth = 3000;
    let src = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let ir = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || lower(&src))
        .unwrap()
        .join()
        .unwrap();
    assert!(ir.parse_error.is_none());
}

#[test]
fn a_syntax_error_is_reported_with_its_span() {
    let ir = lower("fn f( {");
    let (span, _) = ir.parse_error.expect("error");
    assert!(span.hi as usize <= 7);
}

#[test]
fn a_byte_order_mark_and_shebang_keep_spans_in_place() {
    let src = "\u{feff}#!/usr/bin/env run\nfn f() {}\n";
    let ir = lower(src);
    assert!(ir.parse_error.is_none());
    let span = ir.bodies[0].span;
    assert_eq!(&src[span.lo as usize..span.hi as usize], "f");
}

#[test]
fn nested_closures_are_lowered_without_copying_their_bodies() {
    // Each closure becomes its own body, linked to the one it is written in.
    let ir = lower("fn f(h: u32) { let a = || { let b = || { let c = || h; }; }; }");
    assert_eq!(ir.bodies.len(), 4);
    let f = ir.bodies.iter().position(|b| b.name == "f").unwrap();
    let a = ir
        .bodies
        .iter()
        .position(|b| b.name == "f::{closure#0}")
        .unwrap();
    assert_eq!(ir.bodies[f].closures, vec![a]);
    assert_eq!(ir.bodies[a].parent, Some(f));
    assert_eq!(ir.bodies[a].closures.len(), 1);
}
