//! Audit entries in one line: what an entry changed (the fields that differ between its
//! record before and after), as gatewayctl and the dashboard both show it.

use serde_json::Value;

/// One line saying what an entry changed: the fields that differ between `before` and
/// `after` (bookkeeping fields left out), `created`/`removed`, or the entry's own text.
pub fn summary(detail: &Value) -> String {
    const QUIET: [&str; 3] = ["updated_at", "last_used", "last_health_check"];
    let line = match (&detail["before"], &detail["after"]) {
        (Value::Null, Value::Object(_)) => "created".to_owned(),
        (Value::Object(_), Value::Null) => "removed".to_owned(),
        (Value::Object(before), Value::Object(after)) => {
            let changed: Vec<String> = after
                .iter()
                .filter(|(name, value)| {
                    !QUIET.contains(&name.as_str()) && before.get(*name) != Some(value)
                })
                .map(|(name, value)| format!("{name}: {} → {}", short(&before[name]), short(value)))
                .collect();
            match changed.is_empty() {
                true => "no change".to_owned(),
                false => changed.join("; "),
            }
        }
        _ => match detail {
            Value::Object(fields) => fields
                .iter()
                .map(|(name, value)| format!("{name}: {}", short(value)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
            other => short(other),
        },
    };
    shorten(&line, 72)
}

fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    shorten(&text, 24)
}

fn shorten(text: &str, max: usize) -> String {
    match text.chars().count() > max {
        true => format!("{}…", text.chars().take(max - 1).collect::<String>()),
        false => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn a_change_is_summed_up_in_one_line() {
        let update = json!({"before": {"name": "a", "weight": 1, "updated_at": 1},
                            "after": {"name": "a", "weight": 3, "updated_at": 2}});
        assert_eq!(summary(&update), "weight: 1 → 3");
        assert_eq!(
            summary(&json!({"before": null, "after": {"name": "a"}})),
            "created"
        );
        assert_eq!(
            summary(&json!({"before": {"name": "a"}, "after": null})),
            "removed"
        );
        assert_eq!(summary(&json!({"kind": "ip_denied"})), "kind: ip_denied");
    }
}
