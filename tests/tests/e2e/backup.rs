//! Backups: `gatewayctl backup FILE` while the daemon serves, `gatewayd restore FILE
//! --data-dir DIR` into a wiped directory, and everything (keys, accounts, the audit
//! chain, usage) is back; a damaged backup or a running daemon is refused; periodic
//! backups keep the newest few.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use gateway_tests::harness::{bin, eventually, Daemon};

use crate::support::{contains, status_and_json, World, CLAUDE_UPSTREAM_KEY};

fn restore(file: &std::path::Path, data_dir: &std::path::Path) -> std::process::Output {
    Command::new(bin("gatewayd"))
        .arg("restore")
        .arg(file)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("GATEWAYD_MASTER_KEY")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_every_key_account_audit_entry_and_usage() {
    let w = World::new();
    let (status, _) = status_and_json(w.claude(false, "before the backup").await).await;
    assert_eq!(status, 200);
    w.daemon.create_key("second", &["--rpm", "10"]);
    w.daemon.settle();
    let keys = w.daemon.ctl_json(&["key", "list", "--all"]);
    let accounts = w.daemon.ctl_json(&["account", "list"]);
    let audit = w.daemon.ctl_json(&["audit", "list", "--limit", "1000"]);

    let file = w.daemon.dir.path().join("state.backup");
    let summary = w.daemon.ctl_json(&["backup", file.to_str().unwrap()]);
    assert_eq!(summary["keys"], 2, "{summary}");
    assert_eq!(summary["accounts"], 2, "{summary}");
    assert_eq!(summary["audit_entries"], audit.as_array().unwrap().len());
    assert_eq!(summary["master_key_included"], false);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let bytes = std::fs::read(&file).unwrap();
    for secret in [w.secret.as_str(), CLAUDE_UPSTREAM_KEY] {
        assert!(
            !contains(&bytes, secret),
            "a secret is in the backup in plaintext"
        );
    }
    let again = w.daemon.ctl(&["backup", file.to_str().unwrap()]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is not overwritten"
    );

    // Restoring into the running daemon's directory is refused.
    let data = w.daemon.data_dir();
    let out = restore(&file, &data);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));

    // Wipe everything but the master key, restore, start.
    let World {
        daemon,
        mock,
        secret,
        ..
    } = w;
    let (dir, _) = daemon.stop();
    let master = std::fs::read(data.join("master.key")).unwrap();
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("master.key"), master).unwrap();
    std::fs::set_permissions(
        data.join("master.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = restore(&file, &data);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("2 keys, 2 accounts"), "{said}");

    let daemon = Daemon::start_in(dir, &[]);
    assert_eq!(daemon.ctl_json(&["key", "list", "--all"]), keys);
    let restored = daemon.ctl_json(&["account", "list"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].to_string())
            .collect()
    };
    assert_eq!(ids(&restored), ids(&accounts));
    assert_eq!(
        daemon.ctl_json(&["audit", "list", "--limit", "1000"]),
        audit
    );
    let verified = daemon.ctl_json(&["audit", "verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    let stats = daemon.ctl_json(&["stats", "--by", "model"]);
    assert_eq!(stats[0]["requests"], 1, "{stats}");

    // The restored key and account serve.
    let response = crate::support::post(
        &format!("{}/v1/messages", daemon.url),
        "x-api-key",
        &secret,
        &crate::support::claude_body(false, "after the restore"),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_damaged_backup_is_refused() {
    let daemon = Daemon::start();
    daemon.create_key("k", &[]);
    let file = daemon.dir.path().join("state.backup");
    daemon.ctl_json(&["backup", file.to_str().unwrap()]);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let target = tempfile::tempdir().unwrap();
    let out = restore(&file, target.path());
    assert_eq!(out.status.code(), Some(65));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("fails its checksum") || said.contains("not readable"),
        "{said}"
    );
    assert!(!target.path().join("db").exists(), "nothing was written");
}

#[test]
fn periodic_backups_keep_the_newest() {
    let daemon = Daemon::start_with_config("[backup]\ninterval = \"200ms\"\nkeep = 2\n");
    daemon.create_key("k", &[]);
    let dir = daemon.data_dir().join("backups");
    let list = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".backup"))
            .collect();
        names.sort();
        names
    };
    let first = eventually("two backups", || {
        let names = list();
        (names.len() == 2).then_some(names)
    });
    eventually("an older backup removed for a newer one", || {
        let names = list();
        (names.len() == 2 && names[0] != first[0]).then_some(())
    });
}
