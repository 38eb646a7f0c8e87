use std::path::PathBuf;
use std::time::Instant;
use tapi_lint::source::FileId;
fn collect(dir: &std::path::Path, out: &mut Vec<PathBuf>) { for e in std::fs::read_dir(dir).unwrap() { let e = e.unwrap(); let p = e.path(); if e.file_type().unwrap().is_dir() { collect(&p, out) } else if p.extension().is_some_and(|x| x=="rs") { out.push(p) } } }
#[test]
fn prof() {
    let mut files = vec![]; collect(std::path::Path::new("/root/.cargo/registry/src"), &mut files);
    files.sort();
    let pool = tapi_lint::stack::build_pool(None).unwrap();
    use rayon::prelude::*;
    let t0 = Instant::now();
    let limit: usize = std::env::var("LIMIT").ok().and_then(|x| x.parse().ok()).unwrap_or(usize::MAX);
    let mut res: Vec<(f64, f64, usize, PathBuf)> = pool.install(|| files.par_iter().take(limit).map(|f| {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let t = Instant::now();
        let ir = tapi_lint::lower::lower_file(FileId(0), f, &text, vec!["crate".into()]);
        proc_macro2::extra::invalidate_current_thread_spans();
        let tl = t.elapsed().as_secs_f64();
        let mut sm = tapi_lint::source::SourceMap::default();
        sm.add(tapi_lint::source::SourceFile::new(f.clone(), "x".into(), text.clone().into()));
        let krate = tapi_lint::ir::CrateIr { name: "x".into(), files: vec![ir] };
        let t = Instant::now();
        let _ = tapi_lint::check::check_crate(&krate, &sm);
        (tl, t.elapsed().as_secs_f64(), text.len(), f.clone())
    }).collect());
    let total = t0.elapsed();
    let (sl, sc): (f64, f64) = res.iter().fold((0.,0.), |a, r| (a.0 + r.0, a.1 + r.1));
    let bytes: usize = res.iter().map(|r| r.2).sum();
    println!("{} files {} MB wall {:?} lower {:.1}s check {:.1}s", res.len(), bytes/1000000, total, sl, sc);
    res.sort_by(|a, b| (b.0 + b.1).partial_cmp(&(a.0 + a.1)).unwrap());
    for r in res.iter().take(15) { println!("lower {:.2}s check {:.2}s {} KB {}", r.0, r.1, r.2/1000, r.3.display()); }
}
