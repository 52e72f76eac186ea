//! Allowances against card testing on tokenization: per merchant key and per client address,
//! as token buckets (GCRA, the `governor` crate).
//!
//! A merchant's publishable key is public, so a request with it proves nothing: a refused one
//! (bad envelope, wrong origin, no body) must not spend the merchant's allowance, or anyone
//! could exhaust it. The vault takes from a key's allowance only once an envelope has opened
//! (`vault/tokens.rs`); what a client spends before that is its address's own allowance. And
//! each key has its own bucket: the publishable key's traffic (browsers, and whoever copies the
//! key from a page) cannot use up what the secret key's relays (the merchant's backend) have.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::{Error, KeyKind};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// Tokenizations per minute allowed; 0 turns a limit off.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Per merchant key: its publishable key and its secret key each have this allowance.
    pub per_key_per_minute: u32,
    /// Per client address, with a publishable key.
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
pub(crate) struct RateLimits {
    per_key: Option<Keyed<(String, KeyKind)>>,
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
) -> Result<(), Error> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter
        .check_key(key)
        .map_err(|not_until| Error::RateLimited {
            retry_after: not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .saturating_add(1),
        })
}

impl RateLimits {
    /// Limiters for `limits`.
    pub(crate) fn new(limits: Limits) -> RateLimits {
        RateLimits {
            per_key: limiter(limits.per_key_per_minute),
            per_client: limiter(limits.per_client_per_minute),
        }
    }

    /// Takes one request of the client address's allowance.
    pub(crate) fn spend_client(&self, client: IpAddr) -> Result<(), Error> {
        check(self.per_client.as_ref(), &client)
    }

    /// Takes one tokenization of the merchant's `kind` key's allowance.
    pub(crate) fn spend_key(&self, merchant_id: &str, kind: KeyKind) -> Result<(), Error> {
        match &self.per_key {
            Some(limiter) => check(Some(limiter), &(merchant_id.to_owned(), kind)),
            None => Ok(()),
        }
    }

    /// Forgets idle keys (call now and then).
    pub(crate) fn purge(&self) {
        if let Some(l) = &self.per_key {
            l.retain_recent();
        }
        if let Some(l) = &self.per_client {
            l.retain_recent();
        }
    }
}
