//! Output contract: stdout is the answer (a table, or one JSON document with --json);
//! stderr carries errors and notes.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde_json::{json, Value};

use crate::CtlError;

/// Renders answers as tables or JSON.
pub struct Printer {
    pub json: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints one JSON document.
    pub fn json(&self, value: &Value) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    }

    /// Prints a table with upper-case headers.
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<String>>) {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(headers.iter().map(|h| h.to_uppercase()));
        for row in rows {
            table.add_row(row);
        }
        println!("{table}");
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
