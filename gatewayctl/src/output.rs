//! Output contract: stdout is the answer (a table, or one JSON document with --json);
//! stderr carries errors and notes. Everything on stdout goes through [`emit`] (the
//! `say!` macro): a reader that has gone away (`| head -1`) ends gatewayctl quietly with
//! success instead of a panic. Text from the daemon is shown with control characters
//! escaped, so no stored name can drive an operator's terminal.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde_json::{json, Value};

use crate::CtlError;

/// Renders answers as tables or JSON.
pub struct Printer {
    pub json: bool,
    /// Tables at their content's width instead of the terminal's.
    wide: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Self { json, wide: false }
    }

    /// An id as a table shows it: whole with `--wide`, else its first ten characters
    /// (`acc_d58f0e`), which every command also takes.
    pub fn id(&self, id: &str) -> String {
        match self.wide {
            true => id.to_owned(),
            false => id.chars().take(10).collect(),
        }
    }

    /// With `--wide`, tables are never wrapped to the terminal.
    pub fn wide(self, wide: bool) -> Self {
        Self { wide, ..self }
    }

    /// Prints one JSON document.
    pub fn json(&self, value: &Value) {
        say!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    }

    /// Prints a table, narrowed to the columns at `narrow` (indexes) unless `--wide` asks
    /// for everything: a listing fits an 80-column terminal.
    pub fn listing(&self, headers: &[&str], rows: Vec<Vec<String>>, narrow: &[usize]) {
        if self.wide {
            return self.table(headers, rows);
        }
        let pick = |cells: &[String]| {
            narrow
                .iter()
                .filter_map(|&i| cells.get(i).cloned())
                .collect()
        };
        let headers: Vec<&str> = narrow
            .iter()
            .filter_map(|&i| headers.get(i).copied())
            .collect();
        let rows = rows.iter().map(|r| pick(r)).collect();
        self.table(&headers, rows);
    }

    /// Prints a table with upper-case headers, fitted to the terminal: only columns of
    /// free text (cells with spaces) wrap; ids, numbers and times never break mid-word.
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<String>>) {
        let mut table = Table::new();
        let arrangement = match self.wide {
            true => ContentArrangement::Disabled,
            false => ContentArrangement::Dynamic,
        };
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(arrangement)
            .set_header(headers.iter().map(|h| h.to_uppercase()));
        let words = |i: usize| {
            rows.iter()
                .all(|r| r.get(i).is_none_or(|c| !c.contains(' ')))
        };
        let whole: Vec<bool> = (0..headers.len()).map(words).collect();
        for row in &rows {
            table.add_row(row.iter().map(|cell| printable(cell)));
        }
        for (column, whole) in table.column_iter_mut().zip(whole) {
            if whole {
                column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
        say!("{table}");
    }

    /// A note for a person, on stderr (never in JSON mode).
    pub fn note(&self, text: &str) {
        if !self.json {
            eprintln!("{text}");
        }
    }
}

/// Prints an error on stderr: one line, or a JSON object with --json.
pub fn print_error(e: &CtlError, json: bool) {
    if json {
        let doc = json!({"error": {"code": e.code_name(), "message": e.to_string()}});
        eprintln!("{doc}");
    } else {
        eprintln!("gatewayctl: error: {e}");
    }
}

/// Unix seconds for a table cell.
pub fn time(secs: Option<i64>) -> String {
    secs.map_or_else(|| "-".to_owned(), gateway_shared::duration::format_unix)
}

/// Writes one line to stdout. A closed pipe ends the program with success: the reader
/// has what it wanted. Any other write failure ends it with the failure code.
pub fn emit(line: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("gatewayctl: cannot write the output: {e}");
        std::process::exit(i32::from(crate::exit::FAILURE));
    }
}

/// `text` with control characters (ANSI escapes included) shown as `\u{..}` escapes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let escaped = text
        .chars()
        .map(|c| match c.is_control() {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect();
    std::borrow::Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_kept() {
        assert_eq!(printable("claude-1 ü"), "claude-1 ü");
        assert_eq!(printable("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(printable("two\nlines"), "two\\u{a}lines");
    }
}
