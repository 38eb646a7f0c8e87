use std::path::Path;
use tapi_lint::source::FileId;
#[test]
fn timing() {
    std::thread::Builder::new().stack_size(1<<30).spawn(|| {
    for (name, text) in tapi_lint::stack::deep_nesting_samples(5000) {
        let t = std::time::Instant::now();
        let p = syn::parse_file(&text); drop(p);
        let t1 = t.elapsed();
        let t = std::time::Instant::now();
        let ir = tapi_lint::lower::lower_file(FileId(0), Path::new("s.rs"), &text, vec!["crate".into()]);
        let t2 = t.elapsed();
        proc_macro2::extra::invalidate_current_thread_spans();
        println!("{name:20} syn {t1:?} lower {t2:?} err={:?}", ir.parse_error.is_some());
    }
    }).unwrap().join().unwrap();
}
