//! Open client connections, so neither one host nor all of them together can take every
//! file descriptor: past `max_per_ip` a new connection from that address is closed at
//! once (trusted proxies are exempt: every client behind them shares their address);
//! past `max_total` a small reserve of connections is still served, but only `/healthz`
//! gets a real answer there, everything else a 503; past the reserve, closed at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Connections past the total cap that are still served (with 503s, and `/healthz`).
pub const OVERFLOW_RESERVE: u32 = 64;

/// The counts, shared by the accept loop and the connection tasks.
#[derive(Clone)]
pub struct ConnectionCaps {
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
    total: Arc<AtomicU32>,
    max_total: u32,
    max_per_ip: u32,
    exempt: Arc<Vec<ipnet::IpNet>>,
}

/// What becomes of a new connection.
pub enum Admit {
    Serve(Slot),
    /// Over the total cap, within the reserve: answered 503 (`/healthz` excepted).
    Overflow(Slot),
    Refuse,
}

/// One counted connection; the counts go down when it drops.
pub struct Slot {
    caps: ConnectionCaps,
    /// Counted against its address.
    ip: Option<IpAddr>,
}

impl ConnectionCaps {
    /// `max_total` 0 = from the open-file limit; `max_per_ip` 0 = no cap per address;
    /// `trusted_proxies` are never capped per address.
    pub fn new(max_total: u32, max_per_ip: u32, trusted_proxies: &[String]) -> Self {
        Self {
            open: Arc::default(),
            total: Arc::default(),
            max_total: match max_total {
                0 => from_fd_limit(),
                n => n,
            },
            max_per_ip,
            exempt: Arc::new(
                trusted_proxies
                    .iter()
                    .filter_map(|p| crate::admission::parse_net(p))
                    .collect(),
            ),
        }
    }

    /// The total cap in force.
    pub fn max_total(&self) -> u32 {
        self.max_total
    }

    /// Counts a new connection from `ip`, or refuses it.
    pub fn admit(&self, ip: IpAddr) -> Admit {
        let total = self.total.fetch_add(1, Ordering::Relaxed) + 1;
        let mut slot = Slot {
            caps: self.clone(),
            ip: None,
        };
        if total > self.max_total.saturating_add(OVERFLOW_RESERVE) || !self.count_ip(ip, &mut slot)
        {
            return Admit::Refuse;
        }
        match total > self.max_total {
            true => Admit::Overflow(slot),
            false => Admit::Serve(slot),
        }
    }

    fn count_ip(&self, ip: IpAddr, slot: &mut Slot) -> bool {
        if self.max_per_ip == 0 || self.exempt.iter().any(|net| net.contains(&ip)) {
            return true;
        }
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max_per_ip {
            return false;
        }
        *count += 1;
        slot.ip = Some(ip);
        true
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.caps.total.fetch_sub(1, Ordering::Relaxed);
        let Some(ip) = self.ip else {
            return;
        };
        let mut open = self.caps.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// Half the open-file limit less a margin for the daemon's own files: each proxied
/// request holds a client and an upstream connection.
fn from_fd_limit() -> u32 {
    use nix::sys::resource::{getrlimit, Resource};
    let soft = getrlimit(Resource::RLIMIT_NOFILE).map_or(1_024, |(soft, _)| soft);
    let usable = soft.saturating_sub(256) / 2;
    usable.clamp(64, u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::{Admit, ConnectionCaps, OVERFLOW_RESERVE};
    use std::net::{IpAddr, Ipv4Addr};

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    #[test]
    fn past_the_total_cap_a_reserve_is_served_then_nothing() {
        let caps = ConnectionCaps::new(2, 0, &[]);
        let mut held = Vec::new();
        let mut kinds = Vec::new();
        for i in 0..(2 + OVERFLOW_RESERVE + 1) {
            match caps.admit(ip((i % 200) as u8)) {
                Admit::Serve(slot) => (kinds.push('s'), held.push(slot)),
                Admit::Overflow(slot) => (kinds.push('o'), held.push(slot)),
                Admit::Refuse => (kinds.push('r'), ()),
            };
        }
        assert_eq!(&kinds[..3], &['s', 's', 'o']);
        assert_eq!(kinds.last(), Some(&'r'));
        held.truncate(1);
        assert!(matches!(caps.admit(ip(1)), Admit::Serve(_)), "slots freed");
    }

    #[test]
    fn one_address_gets_its_share_and_trusted_proxies_are_exempt() {
        let caps = ConnectionCaps::new(100, 1, &["192.0.2.9/32".to_owned()]);
        let first = caps.admit(ip(1));
        assert!(matches!(first, Admit::Serve(_)));
        assert!(matches!(caps.admit(ip(1)), Admit::Refuse));
        assert!(matches!(caps.admit(ip(2)), Admit::Serve(_)));
        let proxies: Vec<Admit> = (0..3).map(|_| caps.admit(ip(9))).collect();
        assert!(proxies.iter().all(|a| matches!(a, Admit::Serve(_))));
        drop(first);
        assert!(matches!(caps.admit(ip(1)), Admit::Serve(_)));
    }
}
