//! Rate limits against card testing on `POST /v1/tokens`: per publishable key and per client
//! address, as token buckets (GCRA, the `governor` crate).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::ApiError;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// Requests per minute allowed; 0 turns a limit off.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Per publishable key.
    pub per_key_per_minute: u32,
    /// Per client address.
    pub per_client_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_key_per_minute: 6_000,
            per_client_per_minute: 60,
        }
    }
}

/// The limiters.
pub struct RateLimits {
    per_key: Option<Keyed<String>>,
    per_client: Option<Keyed<IpAddr>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<Keyed<K>> {
    let n = NonZeroU32::new(per_minute)?;
    // A burst of a tenth of a minute's allowance (at least 5) before the steady rate applies.
    let burst = NonZeroU32::new((per_minute / 10).max(5)).unwrap_or(n);
    Some(RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst)))
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: Option<&Keyed<K>>,
    key: &K,
) -> Result<(), ApiError> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter
        .check_key(key)
        .map_err(|not_until| ApiError::RateLimited {
            retry_after: not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .saturating_add(1),
        })
}

impl RateLimits {
    /// Limiters for `limits`.
    pub fn new(limits: Limits) -> RateLimits {
        RateLimits {
            per_key: limiter(limits.per_key_per_minute),
            per_client: limiter(limits.per_client_per_minute),
        }
    }

    /// Takes one request of the client's and the key's allowance.
    pub fn check(&self, client: Option<IpAddr>, key: &str) -> Result<(), ApiError> {
        if let Some(ip) = client {
            check(self.per_client.as_ref(), &ip)?;
        }
        check(self.per_key.as_ref(), &key.to_owned())
    }

    /// Forgets idle keys (call now and then).
    pub fn purge(&self) {
        if let Some(l) = &self.per_key {
            l.retain_recent();
        }
        if let Some(l) = &self.per_client {
            l.retain_recent();
        }
    }
}
