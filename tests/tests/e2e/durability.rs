//! What is acknowledged survives kill -9, and a data directory that lost records or had
//! its audit chain cut short is refused at start, never served.

use gateway_tests::harness::Daemon;
use serde_json::Value;

/// Rounds of each control write, each followed at once by kill -9 and a restart.
const ROUNDS: usize = 20;

fn restart_after_kill(daemon: Daemon) -> Daemon {
    Daemon::start_in(daemon.kill(), &[])
}

#[test]
fn every_acknowledged_control_write_survives_kill_9() {
    let mut daemon = Daemon::start();
    for round in 0..ROUNDS {
        let name = format!("k{round}");
        let (id, _) = daemon.create_key(&name, &[]);
        daemon = restart_after_kill(daemon);
        let shown = daemon.ctl_json(&["key", "show", &id]);
        assert_eq!(
            shown["name"],
            name.as_str(),
            "round {round}: created key lost"
        );

        let rotated = daemon.ctl_json(&["key", "rotate", &id]);
        let hint = rotated["hint"].clone();
        daemon.remember(rotated["secret"].as_str().unwrap());
        daemon = restart_after_kill(daemon);
        let shown = daemon.ctl_json(&["key", "show", &id]);
        assert_eq!(shown["hint"], hint, "round {round}: rotation lost");

        daemon.ctl_json(&["key", "revoke", &id]);
        daemon = restart_after_kill(daemon);
        let shown = daemon.ctl_json(&["key", "show", &id]);
        assert!(
            shown["revoked_at"].as_i64().is_some_and(|t| t > 0),
            "round {round}: revocation lost: {shown}"
        );

        let account = daemon.add_account(
            &format!("a{round}"),
            "claude-code",
            "sk-ant-durable-0001",
            "http://127.0.0.1:9",
            &[],
        );
        daemon = restart_after_kill(daemon);
        daemon.ctl_json(&["account", "show", &account]);

        daemon.ctl_json(&["account", "disable", &account]);
        daemon = restart_after_kill(daemon);
        let shown = daemon.ctl_json(&["account", "show", &account]);
        assert_eq!(
            shown["status"], "inactive",
            "round {round}: disable lost: {shown}"
        );
    }
    let verified = daemon.ctl_json(&["audit", "verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["entries"], (ROUNDS * 5) as u64);
}

/// A daemon with a few keys, accounts and audit entries, stopped cleanly.
fn stopped_with_records() -> tempfile::TempDir {
    let daemon = Daemon::start();
    for name in ["a", "b", "c"] {
        daemon.create_key(name, &[]);
    }
    daemon.add_account(
        "up",
        "claude-code",
        "sk-ant-lost-0001",
        "http://127.0.0.1:9",
        &[],
    );
    let (dir, status) = daemon.stop();
    assert!(status.success());
    dir
}

fn edit_sled(dir: &tempfile::TempDir, edit: impl FnOnce(&sled::Db)) {
    let db = sled::open(dir.path().join("data/db")).unwrap();
    edit(&db);
    db.flush().unwrap();
}

#[test]
fn a_lost_key_is_refused_at_start_with_the_way_out() {
    let dir = stopped_with_records();
    edit_sled(&dir, |db| {
        let keys = db.open_tree("keys").unwrap();
        let first = keys.first().unwrap().unwrap().0;
        keys.remove(first).unwrap();
    });
    let refusal = Daemon::try_start_in(dir, &[]).err().expect("refused");
    assert_eq!(refusal.code, Some(65), "{}", refusal.log);
    let said = refusal.log.lines().last().unwrap_or_default().to_owned();
    assert!(
        said.contains("2 keys and 1 accounts where 3 and 1 were acknowledged"),
        "{said}"
    );
    assert!(said.contains("gatewayd restore"), "{said}");

    // The way out it names: move the manifest away, and the database is taken as it is.
    let data = refusal.dir.path().join("data");
    std::fs::rename(data.join("manifest.json"), data.join("manifest.old")).unwrap();
    let daemon = Daemon::start_in(refusal.dir, &[]);
    let keys = daemon.ctl_json(&["key", "list"]);
    assert_eq!(keys.as_array().unwrap().len(), 2);
}

#[test]
fn a_truncated_audit_chain_is_refused_at_start() {
    let dir = stopped_with_records();
    edit_sled(&dir, |db| {
        // The last entry and every seal: what a cut at the tail of the log leaves.
        let audit = db.open_tree("audit").unwrap();
        let last = audit.last().unwrap().unwrap().0;
        audit.remove(last).unwrap();
        db.open_tree("audit_seals").unwrap().clear().unwrap();
    });
    let refusal = Daemon::try_start_in(dir, &[]).err().expect("refused");
    assert_eq!(refusal.code, Some(65), "{}", refusal.log);
    assert!(
        refusal
            .log
            .contains("the audit chain ends at entry 3 but entry 4 was acknowledged"),
        "{}",
        refusal.log
    );
}

#[test]
fn an_edited_manifest_is_refused() {
    let dir = stopped_with_records();
    let path = dir.path().join("data/manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut file: Value = serde_json::from_str(&text).unwrap();
    file["manifest"]["keys"] = 2.into();
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let refusal = Daemon::try_start_in(dir, &[]).err().expect("refused");
    assert_eq!(refusal.code, Some(65), "{}", refusal.log);
    assert!(
        refusal.log.contains("fails its checksum"),
        "{}",
        refusal.log
    );
}

/// Copies a directory tree (files and folders only).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_flipped_byte_in_the_records_is_never_served_silently() {
    let pristine = stopped_with_records();
    let len = std::fs::metadata(pristine.path().join("data/db/db"))
        .unwrap()
        .len();
    for tenth in 1..10 {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&pristine.path().join("data"), &dir.path().join("data"));
        let file = dir.path().join("data/db/db");
        let mut bytes = std::fs::read(&file).unwrap();
        let at = (len * tenth / 10) as usize;
        bytes[at] ^= 0x55;
        std::fs::write(&file, bytes).unwrap();
        match Daemon::try_start_in(dir, &[]) {
            // Started: then nothing may be missing.
            Ok(daemon) => {
                let keys = daemon.ctl_json(&["key", "list"]);
                let accounts = daemon.ctl_json(&["account", "list"]);
                assert_eq!(keys.as_array().unwrap().len(), 3, "flip at {at}");
                assert_eq!(accounts.as_array().unwrap().len(), 1, "flip at {at}");
                let verified = daemon.ctl_json(&["audit", "verify"]);
                assert_eq!(verified["entries"], 4, "flip at {at}");
            }
            Err(refusal) => {
                assert_ne!(refusal.code, Some(0), "flip at {at}");
                assert!(
                    refusal.log.contains("gatewayd: "),
                    "flip at {at}: refused without a message: {}",
                    refusal.log
                );
            }
        }
    }
}

#[test]
fn a_damaged_usage_ledger_is_refused() {
    let pristine = stopped_with_records();
    let ledger = pristine.path().join("data/ledger.sqlite");
    let len = std::fs::metadata(&ledger).unwrap().len() as usize;
    // A garbled header, and (separately) garbage over the pages after the first.
    for (at, garbage) in [(0, 100), (4096, len.saturating_sub(4096))] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&pristine.path().join("data"), &dir.path().join("data"));
        let file = dir.path().join("data/ledger.sqlite");
        let mut bytes = std::fs::read(&file).unwrap();
        for b in &mut bytes[at..at + garbage.max(1)] {
            *b = 0xA5;
        }
        std::fs::write(&file, bytes).unwrap();
        let refusal = Daemon::try_start_in(dir, &[]).err().expect("refused");
        assert_eq!(refusal.code, Some(65), "garbage at {at}: {}", refusal.log);
        assert!(
            refusal.log.contains("the usage ledger") && refusal.log.contains("is damaged"),
            "{}",
            refusal.log
        );
    }
}

/// Usage recorded before a kill -9: every request answered more than two flush intervals
/// before the kill is in the ledger after the restart (the figure the README states:
/// at most one interval of usage is lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_at_most_the_last_flush_interval_of_usage() {
    const FLUSH_MS: u64 = 200;
    let mock = gateway_tests::mock::MockHandle::start(Default::default());
    let daemon =
        Daemon::start_with_config(&format!("[record]\nflush_interval = \"{FLUSH_MS}ms\"\n"));
    let (_, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("up", "claude-code", "sk-ant-kill-0001", &mock.url(), &[]);
    let url = format!("{}/v1/messages", daemon.url);
    let body = crate::support::claude_body(false, "hi");
    let client = crate::support::World::client();
    let mut answered = Vec::new();
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(2) {
        let response = client
            .post(&url)
            .header("x-api-key", &secret)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        answered.push(std::time::Instant::now());
    }
    let dir = tokio::task::spawn_blocking(move || daemon.kill())
        .await
        .unwrap();
    let killed = std::time::Instant::now();
    let daemon = Daemon::start_in(dir, &[]);
    let stats = daemon.ctl_json(&["stats", "--by", "key"]);
    let recorded = stats[0]["requests"].as_u64().unwrap_or(0) as usize;
    let safe = std::time::Duration::from_millis(2 * FLUSH_MS);
    let must_have = answered
        .iter()
        .filter(|at| killed.duration_since(**at) > safe)
        .count();
    eprintln!("{} answered, {recorded} recorded after kill -9, {must_have} answered over {safe:?} before it", answered.len());
    assert!(
        recorded >= must_have,
        "{recorded} recorded, but {must_have} were answered more than {safe:?} before the kill"
    );
}
