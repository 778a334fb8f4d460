//! The audit log: who changed what (with before and after, never a secret), signed heads
//! that survive a restart, and `audit verify` catching an entry edited in the store.

use std::os::unix::fs::MetadataExt;

use gateway_tests::harness::Daemon;

#[test]
fn changes_are_chained_signed_and_tampering_is_caught() {
    let daemon = Daemon::start();
    let me = std::fs::metadata(daemon.dir.path()).unwrap().uid();
    let (key_id, secret) = daemon.create_key("ci", &[]);
    daemon.ctl_json(&["key", "update", &key_id, "--rpm", "30"]);
    let account = daemon.add_account(
        "up",
        "claude-code",
        "sk-ant-audit-secret",
        "http://127.0.0.1:9",
        &[],
    );
    daemon.ctl_json(&["account", "disable", &account]);

    let entries = daemon.ctl_json(&["audit", "list"]);
    let entries = entries.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "Keys/CreateKey",
            "Keys/UpdateKey",
            "Accounts/AddAccount",
            "Accounts/SetAccountEnabled"
        ]
    );
    for e in entries {
        assert_eq!(e["actor"], format!("uid:{me}"));
    }
    let update = &entries[1];
    assert_eq!(update["target"], key_id.as_str());
    assert_eq!(
        update["detail"]["before"]["rate_limit"]["requests_per_minute"],
        0
    );
    assert_eq!(
        update["detail"]["after"]["rate_limit"]["requests_per_minute"],
        30
    );
    assert_eq!(entries[3]["detail"]["after"]["status"], "inactive");
    let text = serde_json::to_string(entries).unwrap();
    for secret_bit in [
        secret.as_str(),
        "sk-ant-audit-secret",
        "\"digest\"",
        "\"credentials\"",
    ] {
        assert!(!text.contains(secret_bit), "{secret_bit} in the audit log");
    }
    for pair in entries.windows(2) {
        assert_eq!(
            pair[1]["prev_hash"], pair[0]["hash"],
            "each entry links to the one before"
        );
    }

    // A restart signs the head on the way down; the chain goes on after it.
    let (dir, _) = daemon.stop();
    let daemon = Daemon::start_in(dir, &[]);
    let verified = daemon.ctl_json(&["audit", "verify"]);
    assert_eq!(verified["ok"], true);
    assert_eq!(verified["signed_through"], 4, "{verified}");
    assert_eq!(verified["public_key"].as_str().unwrap().len(), 64);
    daemon.ctl_json(&["account", "enable", &account]);
    let last = daemon.ctl_json(&["audit", "list", "--limit", "1"]);
    assert_eq!(last[0]["seq"], 5);

    // Someone edits entry 2 in the store while the daemon is down.
    let (dir, _) = daemon.stop();
    {
        let db = sled::open(dir.path().join("data/db")).unwrap();
        let tree = db.open_tree("audit").unwrap();
        let raw = tree.get(2u64.to_be_bytes()).unwrap().unwrap();
        let mut entry: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        entry["detail"]["after"]["rate_limit"]["requests_per_minute"] = 3000.into();
        tree.insert(2u64.to_be_bytes(), serde_json::to_vec(&entry).unwrap())
            .unwrap();
        db.flush().unwrap();
    }
    let daemon = Daemon::start_in(dir, &[]);
    let out = daemon.ctl(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(5), "tampering fails verification");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken at entry 2"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}
