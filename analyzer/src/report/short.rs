//! `--message-format short`: one line per diagnostic, as rustc's
//! `--error-format short` writes it.

use super::{Reported, paint_level, span_line_cols};
use crate::source::SourceMap;

/// `src/main.rs:12:9: error[tapi::line_not_closed]: line `h` is never closed`
pub fn render(d: &Reported, sources: &SourceMap, color: bool) -> String {
    let f = d.finding();
    let file = sources.get(f.primary.span.file);
    let (lo, _) = span_line_cols(sources, f.primary.span);
    format!(
        "{}:{}:{}: {}[{}]: {}",
        file.display,
        lo.line,
        lo.col,
        paint_level(d.level(), color),
        f.lint.code(),
        f.message
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn one_line_with_one_based_character_columns() {
        let sm = sources();
        let diags = diags();
        assert_eq!(
            render(&diags[0], &sm, false),
            "src/main.rs:3:5: error[tapi::line_not_closed]: line `h` is never closed"
        );
        // `été(h)` starts after four spaces on line 4: column 5.
        assert_eq!(
            render(&diags[1], &sm, false),
            "src/main.rs:4:5: warning[tapi::release_order]: `app` is shut down while a line is still open"
        );
        assert!(render(&diags[0], &sm, true).contains("\x1b[1;31merror\x1b[0m[tapi::"));
    }
}
