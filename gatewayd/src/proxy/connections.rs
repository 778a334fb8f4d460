//! Open connections per client address, so one host cannot take every file descriptor:
//! past `max_per_ip` a new connection from that address is closed at once. Addresses of
//! trusted proxies are exempt (every client behind them shares their address).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The counts, shared by the accept loop and the connection tasks.
#[derive(Clone)]
pub struct ConnectionCaps {
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
    max_per_ip: u32,
    exempt: Arc<Vec<ipnet::IpNet>>,
}

/// One counted connection; the count goes down when it drops.
pub struct Slot {
    caps: ConnectionCaps,
    ip: IpAddr,
}

impl ConnectionCaps {
    /// `max_per_ip` 0 = no cap; `trusted_proxies` are never capped.
    pub fn new(max_per_ip: u32, trusted_proxies: &[String]) -> Self {
        Self {
            open: Arc::default(),
            max_per_ip,
            exempt: Arc::new(
                trusted_proxies
                    .iter()
                    .filter_map(|p| crate::admission::parse_net(p))
                    .collect(),
            ),
        }
    }

    /// A slot for a new connection from `ip`, or `None` when it has its share already.
    pub fn admit(&self, ip: IpAddr) -> Option<Slot> {
        if self.max_per_ip == 0 || self.exempt.iter().any(|net| net.contains(&ip)) {
            return Some(Slot {
                caps: self.clone(),
                ip,
            });
        }
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max_per_ip {
            return None;
        }
        *count += 1;
        Some(Slot {
            caps: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.caps.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}
