//! Quick fixes: the suggestions the checker attached to findings
//! (`diagnostic::Suggestion`), as code actions with a workspace edit.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Url, WorkspaceEdit,
};

use super::convert::{Encoding, Spans};
use super::session::Snapshot;
use crate::diagnostic::Applicability;

/// The fixes for the findings of `uri` whose range touches `range`.
pub fn quick_fixes(
    snapshot: &Snapshot,
    uri: &Url,
    range: Range,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    for analysis in &snapshot.analyses {
        let mut spans = Spans::new(&analysis.sources, encoding);
        for reported in &analysis.reported {
            let Some(suggestion) = &reported.finding().suggestion else {
                continue;
            };
            let Some((at, diagnostic)) = spans.diagnostic(reported) else {
                continue;
            };
            if at != *uri || !touches(diagnostic.range, range) {
                continue;
            }
            let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
            for edit in &suggestion.edits {
                let Some(file) = spans.uri(edit.span) else {
                    continue;
                };
                changes.entry(file).or_default().push(TextEdit {
                    range: spans.range(edit.span),
                    new_text: edit.replacement.clone(),
                });
            }
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: suggestion.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(suggestion.applicability == Applicability::MachineApplicable),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// Whether two ranges overlap or touch (a cursor at either end of a
/// diagnostic is on it).
fn touches(a: Range, b: Range) -> bool {
    let before = |p: lsp_types::Position, q: lsp_types::Position| {
        (p.line, p.character) < (q.line, q.character)
    };
    !before(a.end, b.start) && !before(b.end, a.start)
}

#[cfg(test)]
mod tests {
    use lsp_types::Position;

    use super::*;

    #[test]
    fn a_cursor_touches_a_range_at_its_ends_and_inside() {
        let r =
            |a: u32, b: u32, c: u32, d: u32| Range::new(Position::new(a, b), Position::new(c, d));
        let diag = r(3, 4, 3, 20);
        assert!(touches(diag, r(3, 4, 3, 4)));
        assert!(touches(diag, r(3, 20, 3, 20)));
        assert!(touches(diag, r(3, 10, 3, 10)));
        assert!(touches(diag, r(0, 0, 9, 0)));
        assert!(!touches(diag, r(3, 21, 3, 21)));
        assert!(!touches(diag, r(2, 0, 3, 3)));
    }
}
