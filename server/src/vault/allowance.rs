//! Allowances against card testing on tokenization: per merchant key and per client address,
//! as token buckets (GCRA, the `governor` crate).
//!
//! A merchant's publishable key is public, so a request with it proves nothing: a refused one
//! (bad envelope, wrong origin, no body) must not spend the merchant's allowance, or anyone
//! could exhaust it. The vault takes from a key's allowance only once an envelope has opened
//! (`vault/tokens.rs`); what a client spends before that is its address's own allowance. And
//! each key has its own bucket: the publishable key's traffic (browsers, and whoever copies the
//! key from a page) cannot use up what the secret key's relays (the merchant's backend) have.
//!
//! On a shared store (PostgreSQL, many vaults) the buckets are the cluster's, not an instance's:
//! each request updates its GCRA cell in the database in one statement, against the database's
//! clock (`store/postgres.rs`), so a client alternating between instances gets the allowance
//! once. That costs one round trip to the database per spend (bench/README.md). If the database
//! cannot answer, the request fails with `unavailable` (it could not be stored either).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::{Error, KeyKind};
use crate::store::{Store, StoreError};

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

/// The address a client's allowance belongs to: an IPv4 address (an IPv4-mapped IPv6 one as
/// IPv4), or an IPv6 address's /64, which one subscriber usually holds whole: one host cannot
/// get a fresh allowance (nor a fresh row in the cluster's table) for each of its 2^64 addresses.
fn bucket_of(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The limiters: in this process, and on a shared store the cluster's cells too.
pub(crate) struct RateLimits {
    per_key: Option<Keyed<(String, KeyKind)>>,
    per_client: Option<Keyed<IpAddr>>,
    shared: Option<Shared>,
}

/// The cluster's buckets: the same quotas as GCRA cells in the store.
struct Shared {
    store: Store,
    per_key: Option<Cell>,
    per_client: Option<Cell>,
}

/// One quota as GCRA parameters, in microseconds: a request every `interval`, up to `burst`
/// at once (`tolerance` = (burst - 1) × interval), as `governor` counts them.
#[derive(Clone, Copy)]
struct Cell {
    interval_us: i64,
    tolerance_us: i64,
}

impl Cell {
    fn new(per_minute: u32) -> Option<Cell> {
        let n = i64::from(NonZeroU32::new(per_minute)?.get());
        let interval_us = 60_000_000 / n;
        let burst = i64::from((per_minute / 10).max(5));
        Some(Cell {
            interval_us,
            tolerance_us: interval_us * (burst - 1),
        })
    }
}

impl Shared {
    async fn spend(&self, cell: Option<Cell>, key: String) -> Result<(), Error> {
        let Some(cell) = cell else {
            return Ok(());
        };
        match self
            .store
            .spend_shared_allowance(key, cell.interval_us, cell.tolerance_us)
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(wait_us)) => Err(Error::RateLimited {
                retry_after: u64::try_from(wait_us / 1_000_000)
                    .unwrap_or(0)
                    .saturating_add(1),
            }),
            Err(StoreError::Unavailable) => Err(Error::Unavailable),
            Err(e) => {
                tracing::error!(error = %e, "spending an allowance failed");
                Err(Error::Internal)
            }
        }
    }
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
    /// Limiters for `limits`: the cluster's when `store` is shared, else this process's.
    pub(crate) fn new(limits: Limits, store: &Store) -> RateLimits {
        if store.is_shared() {
            // The local limiters stay in front with the same quotas: a request they refuse
            // would be refused by the cluster's cells too, and costs the database nothing.
            return RateLimits {
                per_key: limiter(limits.per_key_per_minute),
                per_client: limiter(limits.per_client_per_minute),
                shared: Some(Shared {
                    store: store.clone(),
                    per_key: Cell::new(limits.per_key_per_minute),
                    per_client: Cell::new(limits.per_client_per_minute),
                }),
            };
        }
        RateLimits {
            per_key: limiter(limits.per_key_per_minute),
            per_client: limiter(limits.per_client_per_minute),
            shared: None,
        }
    }

    /// Takes one request of the client address's allowance.
    pub(crate) async fn spend_client(&self, client: IpAddr) -> Result<(), Error> {
        let client = bucket_of(client);
        check(self.per_client.as_ref(), &client)?;
        if let Some(shared) = &self.shared {
            return shared.spend(shared.per_client, format!("c:{client}")).await;
        }
        Ok(())
    }

    /// Takes one tokenization of the merchant's `kind` key's allowance.
    pub(crate) async fn spend_key(&self, merchant_id: &str, kind: KeyKind) -> Result<(), Error> {
        if let Some(limiter) = &self.per_key {
            check(Some(limiter), &(merchant_id.to_owned(), kind))?;
        }
        if let Some(shared) = &self.shared {
            let kind = match kind {
                KeyKind::Publishable => "pk",
                KeyKind::Secret => "sk",
            };
            return shared
                .spend(shared.per_key, format!("k:{kind}:{merchant_id}"))
                .await;
        }
        Ok(())
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
