//! `[cluster]`: several gatewayd nodes as one gateway, on PostgreSQL (the record) and
//! Redis (hot shared state). Unset, the node keeps everything in its data directory.

use serde::Deserialize;

use super::ConfigError;

/// Where the cluster's shared state lives, and this node's name in it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// The cluster's record: keys, accounts, settings, the audit chain.
    /// `postgres://user:password@host:5432/gateway`.
    pub postgres_url: Option<String>,
    /// Hot shared state: limit windows, concurrency, sticky sessions, cool-downs.
    /// `redis://[:password@]host:6379/0` (no TLS: a private network or a local tunnel).
    /// Needs `postgres_url`.
    pub redis_url: Option<String>,
    /// This node's name among the others [default: the host name].
    pub node_id: Option<String>,
    /// Decide every admission of every key in Redis, one round trip a request, instead
    /// of leasing a busy key's admissions ahead (which can refuse a request for up to a
    /// second near a limit while another node holds unused ones) [default: false].
    pub exact_admissions: bool,
}

impl ClusterConfig {
    /// Whether this node is part of a cluster.
    pub fn enabled(&self) -> bool {
        self.postgres_url.is_some()
    }

    /// This node's name: `node_id`, else the host name.
    pub fn node(&self) -> String {
        self.node_id.clone().unwrap_or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_owned())
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "gatewayd".to_owned())
        })
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name, message: &str| {
            Err(ConfigError::Invalid {
                name,
                message: message.to_owned(),
            })
        };
        if let Some(url) = &self.postgres_url {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                return invalid("cluster.postgres_url", "must be a postgres:// URL");
            }
        }
        if let Some(url) = &self.redis_url {
            if url.starts_with("rediss://") {
                return invalid(
                    "cluster.redis_url",
                    "TLS to Redis (rediss://) is not built into this gatewayd; reach Redis over a private network, or through a local TLS tunnel at a redis:// address",
                );
            }
            if !url.starts_with("redis://") {
                return invalid("cluster.redis_url", "must be a redis:// URL");
            }
            if self.postgres_url.is_none() {
                return invalid(
                    "cluster.redis_url",
                    "needs cluster.postgres_url: a cluster's records live in PostgreSQL",
                );
            }
        }
        if self.node_id.as_deref().is_some_and(|n| {
            n.is_empty() || n.len() > 64 || !n.bytes().all(|b| b.is_ascii_graphic())
        }) {
            return invalid(
                "cluster.node_id",
                "must be 1 to 64 printable characters without spaces",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ClusterConfig;

    fn check(
        postgres: Option<&str>,
        redis: Option<&str>,
        node: Option<&str>,
    ) -> Result<(), String> {
        ClusterConfig {
            postgres_url: postgres.map(str::to_owned),
            redis_url: redis.map(str::to_owned),
            node_id: node.map(str::to_owned),
            exact_admissions: false,
        }
        .validate()
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_cluster_needs_postgres_urls_that_say_what_they_are_and_a_sane_name() {
        assert!(check(None, None, None).is_ok(), "a single node");
        let pg = Some("postgres://gw@db/gateway");
        assert!(check(pg, Some("redis://cache:6379/0"), Some("gw-1")).is_ok());
        assert!(
            check(pg, None, None).is_ok(),
            "records shared, limits per node"
        );
        let no_pg = check(None, Some("redis://cache"), None).unwrap_err();
        assert!(no_pg.contains("needs cluster.postgres_url"), "{no_pg}");
        assert!(check(Some("mysql://x"), None, None).is_err());
        let tls = check(pg, Some("rediss://cache"), None).unwrap_err();
        assert!(tls.contains("not built into"), "{tls}");
        assert!(check(pg, None, Some("two words")).is_err());
        assert!(check(pg, None, Some("")).is_err());
    }
}
