//! Snapshot tests of the expansion: each `tests/expand/NAME.rs` is
//! expanded and compared with `tests/expand/NAME.expanded.rs`. Run with
//! `BLESS=1` to write the snapshots after reviewing a change.

use std::fs;
use std::path::Path;

use proc_macro2::TokenStream;
use syn::Item;

fn expand_file(input: &str) -> String {
    let mut file: syn::File = syn::parse_str(input).expect("snapshot input parses");
    let Some(Item::Fn(function)) = file.items.pop() else {
        panic!("snapshot input is one function");
    };
    let mut function = function;
    let attr = function.attrs.remove(0);
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    let item = quote::quote!(#function);
    let expanded = crate::expand::expand(args, item).expect("expansion succeeds");
    let file: syn::File = syn::parse2(expanded).expect("expansion parses");
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("BLESS").is_some();
    let mut checked = 0;
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !p.to_string_lossy().ends_with(".expanded.rs"))
        .collect();
    inputs.sort();
    for input in inputs {
        let actual = expand_file(&fs::read_to_string(&input).unwrap());
        let snapshot = input.with_extension("expanded.rs");
        if bless {
            fs::write(&snapshot, &actual).unwrap();
        } else {
            let expected = fs::read_to_string(&snapshot)
                .unwrap_or_else(|_| panic!("{} is missing; run with BLESS=1", snapshot.display()));
            assert_eq!(
                expected,
                actual,
                "expansion of {} changed; review and run with BLESS=1",
                input.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 2,
        "no snapshot inputs found in {}",
        dir.display()
    );
}
