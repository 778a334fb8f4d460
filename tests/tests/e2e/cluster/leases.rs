//! Leased admissions: a busy key is admitted mostly without a round trip to Redis, the
//! cluster still never admits more than its limit, and what a lease did not use goes
//! back, so all of the limit stays usable.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_busy_key_is_admitted_from_leases_and_its_limits_still_hold_exactly() {
    let cluster = Cluster::start(3);
    cluster.add_claude_account();
    let nodes = &cluster.nodes;
    // A lease holds at most a second's share of 600 a minute, a quarter of 40 in flight.
    let limits = ["--rpm", "600", "--max-concurrent", "40"];
    let secret = shared_key(&cluster, "busy", &limits).await;

    // Busy on one node: ten at a time, all admitted, most without a round trip.
    for _ in 0..10 {
        let statuses = waves(&nodes[..1], &secret, 10).await;
        assert_eq!(count(&statuses, 200), 10, "{statuses:?}");
    }
    let metrics = crate::support::metrics(&nodes[0]).await;
    let leased = counter(&metrics, "gateway_shared_admissions_leased_total");
    let round_trips = counter(&metrics, "gateway_shared_admissions_round_trips_total");
    assert_eq!(leased + round_trips, 100, "{metrics}");
    assert!(leased > round_trips, "{metrics}");
    // What the leases did not hand out goes back within their term: the cluster counts
    // exactly the admissions made, and nothing in flight.
    counted_exactly(&nodes[1], &secret, 100).await;

    // Busy on every node, past the limit: never more than the limit admitted.
    let mut admitted = 100;
    for _ in 0..27 {
        let statuses = waves(nodes, &secret, 10).await;
        assert_eq!(
            count(&statuses, 200) + count(&statuses, 429),
            30,
            "{statuses:?}"
        );
        admitted += count(&statuses, 200) as u64;
    }
    assert!(admitted <= 600, "{admitted} admitted under a limit of 600");

    counted_exactly(&nodes[2], &secret, admitted).await;
    // So the rest of the limit is there, to the last request.
    for _ in admitted..600 {
        assert_eq!(claude(&nodes[1], &secret, "rest").await, 200);
    }
    assert_eq!(claude(&nodes[2], &secret, "over").await, 429);
    assert_eq!(standing(&nodes[0], &secret).await.0, 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn a_node_killed_holding_leased_admissions_frees_their_slots_for_the_others() {
    let cluster = Cluster::start(2);
    cluster.add_claude_account();
    let limits = ["--rpm", "600", "--max-concurrent", "40"];
    let secret = shared_key(&cluster, "killed", &limits).await;
    // Busy on the first node, so it leases; then ten slow answers in flight there.
    for _ in 0..3 {
        let statuses = waves(&cluster.nodes[..1], &secret, 10).await;
        assert_eq!(count(&statuses, 200), 10, "{statuses:?}");
    }
    let doomed = cluster.nodes[0].url.clone();
    for _ in 0..10 {
        let (url, secret) = (doomed.clone(), secret.clone());
        tokio::spawn(async move {
            let url = format!("{url}/v1/messages");
            let slow = claude_body(false, "slow [[mock:ok ttfb_ms=30000]]");
            let _ = post(&url, "x-api-key", &secret, &slow).await;
        });
    }
    let survivor = &cluster.nodes[1];
    let deadline = Instant::now() + Duration::from_secs(5);
    while standing(survivor, &secret).await.1 < 10 {
        assert!(Instant::now() < deadline, "the slow answers never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut cluster = cluster;
    drop(cluster.nodes.remove(0).kill());
    // What the dead node held (its answers' slots and its leases') is no longer counted
    // once its liveness lapses (15 s), and the survivor may use the whole cap.
    let deadline = Instant::now() + Duration::from_secs(25);
    let survivor = &cluster.nodes[0];
    while standing(survivor, &secret).await.1 > 0 {
        assert!(
            Instant::now() < deadline,
            "a killed node's slots are still held"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis (apt install postgresql redis-server); .ci/run runs it"]
async fn with_exact_admissions_every_request_is_decided_in_redis() {
    let cluster = Cluster::start_with(1, "[cluster]\nexact_admissions = true\n");
    cluster.add_claude_account();
    let limits = ["--rpm", "600", "--max-concurrent", "40"];
    let secret = shared_key(&cluster, "exact", &limits).await;
    for _ in 0..5 {
        let statuses = waves(&cluster.nodes, &secret, 10).await;
        assert_eq!(count(&statuses, 200), 10, "{statuses:?}");
    }
    let metrics = crate::support::metrics(&cluster.nodes[0]).await;
    let leased = counter(&metrics, "gateway_shared_admissions_leased_total");
    let round_trips = counter(&metrics, "gateway_shared_admissions_round_trips_total");
    assert_eq!((leased, round_trips), (0, 50), "{metrics}");
    assert_eq!(standing(&cluster.nodes[0], &secret).await, (50, 0));
}

/// Waits until the cluster counts `admitted` requests of the key this minute and none
/// in flight, as its holder sees on `node`: within a lease's term.
async fn counted_exactly(node: &Daemon, secret: &str, admitted: u64) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let (used, in_flight) = standing(node, secret).await;
        if (used, in_flight) == (admitted, 0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "counted {used} (in flight {in_flight}) for {admitted} admitted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `each` requests at once to every node of `nodes`; their statuses.
async fn waves(nodes: &[Daemon], secret: &str, each: usize) -> Vec<u16> {
    let sent = nodes
        .iter()
        .flat_map(|node| (0..each).map(move |_| claude(node, secret, "busy")));
    futures_util::future::join_all(sent).await
}

/// A counter's value in a Prometheus exposition.
fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

/// The key's requests this minute and in flight, for the whole cluster, as its holder
/// sees them on `node`.
async fn standing(node: &Daemon, secret: &str) -> (u64, u64) {
    let url = format!("{}/gateway/usage", node.url);
    let own = crate::support::get_json(&url, "x-api-key", secret).await;
    let used = |name: &str| {
        own["limits"]
            .as_array()
            .and_then(|limits| limits.iter().find(|l| l["name"] == name))
            .and_then(|l| l["used"].as_u64())
            .unwrap_or_else(|| panic!("no {name} in {own}"))
    };
    (used("requests_per_minute"), used("max_concurrent"))
}
