//! A full disk: the data plane keeps serving, control writes are refused with exit 74 and
//! a message naming the disk (nothing half done), usage is held and written once space
//! frees, control writes work again, all without a restart. The data dir lives on a small
//! tmpfs, so this needs root: `.ci/run` runs it with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use gateway_tests::harness::{eventually, Daemon};
use gateway_tests::mock::{MockConfig, MockHandle};

use crate::support::{claude_body, post};

/// A tmpfs mounted for the test's life.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Self {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        Self(at.to_owned())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros into `path` until the file system refuses.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "mounts a tmpfs (root only); .ci/run runs it"]
async fn a_full_disk_refuses_control_writes_keeps_serving_and_recovers() {
    let mock = MockHandle::start(MockConfig::default());
    let home = tempfile::tempdir().unwrap();
    let mnt = Tmpfs::mount(&home.path().join("small"), "24m");
    // The daemon's log and socket stay on the ordinary disk; its data dir is the tmpfs.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(mnt.0.join("data"), dir.path().join("data")).unwrap();
    std::fs::create_dir(mnt.0.join("data")).unwrap();
    let daemon = Daemon::start_in(dir, &[]);
    let (key_id, secret) = daemon.create_key("dev", &[]);
    daemon.add_account("up", "claude-code", "sk-ant-full-0001", &mock.url(), &[]);
    let url = format!("{}/v1/messages", daemon.url);
    let body = claude_body(false, "hi");
    let ask = || post(&url, "x-api-key", &secret, &body);
    assert_eq!(ask().await.status(), 200);

    fill(&mnt.0.join("fill"));
    for _ in 0..20 {
        assert_eq!(
            ask().await.status(),
            200,
            "the data plane serves on a full disk"
        );
    }
    // Long enough for the recorder to have tried (and been refused) more than once.
    eventually("the ledger refusing a batch", || {
        daemon
            .log()
            .contains("cannot write usage to the ledger")
            .then_some(())
    });
    let out = daemon.ctl(&["key", "create", "--name", "refused"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(74), "{said}");
    assert!(
        said.contains("disk holding") && said.contains("is full"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    let out = daemon.ctl(&["key", "revoke", &key_id]);
    assert_eq!(out.status.code(), Some(74));
    let keys = daemon.ctl_json(&["key", "list"]);
    assert_eq!(
        keys.as_array().unwrap().len(),
        1,
        "nothing half done: {keys}"
    );
    assert_eq!(
        ask().await.status(),
        200,
        "the refused revocation did not happen"
    );

    // Last, a security event (a bad-key storm, which locks this address out) while the
    // disk is full: refused by the store, which stays healthy for when space is back.
    for _ in 0..25 {
        let refused = post(&url, "x-api-key", "gwk_not-a-real-key-0000000000", &body).await;
        assert!(refused.status() == 401 || refused.status() == 429);
    }
    eventually("the security event refused by the full disk", || {
        daemon
            .log()
            .contains("cannot append a security event to the audit log")
            .then_some(())
    });
    std::fs::remove_file(mnt.0.join("fill")).unwrap();
    eventually("all usage written once space is back", || {
        let stats = daemon.ctl_json(&["stats", "--by", "key"]);
        (stats[0]["requests"] == 22).then_some(())
    });
    daemon.create_key("after", &[]);
    daemon.ctl_json(&["key", "revoke", &key_id]);
    let verified = daemon.ctl_json(&["audit", "verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    let (_, status) = daemon.stop();
    assert!(status.success());
}
