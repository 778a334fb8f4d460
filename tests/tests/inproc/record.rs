//! The recorder under load: a busy gateway's usage is written in batches of a bounded
//! size, not held for a whole flush interval.

use gateway_proto::v1 as pb;
use gateway_tests::mock::{MockConfig, MockHandle};

use crate::harness::{eventually, InProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_batch_is_written_without_waiting_for_the_flush_interval() {
    // A queue of 320 records: a batch is full at 10 log entries. The interval's first
    // tick comes at start, the next in an hour.
    let toml = "[record]\nqueue = 320\nflush_interval = \"1h\"\n";
    let mock = MockHandle::start(MockConfig::default());
    let gw = InProcess::start(toml).await;
    gw.account("first", "first", &mock.url(), 0).await;
    let secret = gw.key("dev", pb::Limits::default(), None).await;
    for i in 0..12 {
        assert_eq!(gw.claude(&secret, &format!("busy {i}")).await.0, 200);
    }
    eventually("a full batch in the request log", || async {
        (gw.log().await.len() >= 10).then_some(())
    })
    .await;
}
