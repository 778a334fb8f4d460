//! Client addresses: which IP a request comes from (the socket peer, or
//! `X-Forwarded-For` when the peer is a trusted proxy), and allow and deny lists of
//! networks, IPv4 and IPv6.

use std::net::IpAddr;

use http::HeaderMap;
use ipnet::IpNet;

/// A CIDR, or a single address as a /32 or /128.
pub fn parse_net(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Parsed network lists; built once per config load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IpRules {
    allow: Vec<IpNet>,
    deny: Vec<IpNet>,
    trusted_proxies: Vec<IpNet>,
}

impl IpRules {
    /// Parses validated lists (invalid entries were refused by config validation).
    pub fn new(allow: &[String], deny: &[String], trusted: &[String]) -> Self {
        let parse = |list: &[String]| list.iter().filter_map(|n| parse_net(n)).collect();
        Self {
            allow: parse(allow),
            deny: parse(deny),
            trusted_proxies: parse(trusted),
        }
    }

    /// The client's address: the peer, unless the peer is a trusted proxy, in which case
    /// the right-most `X-Forwarded-For` address that is not itself a trusted proxy.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !contains(&self.trusted_proxies, peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !contains(&self.trusted_proxies, *ip))
            .unwrap_or(peer)
    }

    /// Whether the global lists let `ip` in.
    pub fn admits(&self, ip: IpAddr) -> bool {
        admits(&self.allow, &self.deny, ip)
    }
}

/// `deny` wins; an empty `allow` allows everything else.
pub fn admits(allow: &[IpNet], deny: &[IpNet], ip: IpAddr) -> bool {
    !contains(deny, ip) && (allow.is_empty() || contains(allow, ip))
}

fn contains(nets: &[IpNet], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    nets.iter().any(|n| n.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_forwarded_addresses() {
        let rules = IpRules::new(
            &["10.0.0.0/8".into(), "2001:db8::/32".into()],
            &["10.9.0.0/16".into()],
            &["127.0.0.1".into()],
        );
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(rules.admits(ip("10.1.2.3")));
        assert!(!rules.admits(ip("10.9.2.3")), "deny wins");
        assert!(!rules.admits(ip("192.0.2.1")));
        assert!(rules.admits(ip("2001:db8::1")));
        assert!(rules.admits(ip("::ffff:10.1.2.3")), "v4-mapped");

        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 10.1.2.3, 127.0.0.1".parse().unwrap(),
        );
        assert_eq!(rules.client_ip(ip("127.0.0.1"), &h), ip("10.1.2.3"));
        assert_eq!(
            rules.client_ip(ip("10.5.5.5"), &h),
            ip("10.5.5.5"),
            "an untrusted peer's header is ignored"
        );
    }
}
