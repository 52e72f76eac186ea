//! Merchants by key, kept in memory for a moment: authenticating a request reads no row (a
//! read after every commit costs a page fetch from the WAL), and a merchant created or changed
//! by the command line, another process, is seen within [`TTL`]. A key rolled away is refused
//! from the end of its grace to the second once read as a previous key (the entry keeps the
//! key's end); a vault that found it as the current key just before the roll may accept it
//! until that entry's [`TTL`] is over, so a grace shorter than [`TTL`] (`--grace-hours 0`)
//! ends within [`TTL`] of the roll. A new key is found at once: unknown keys are not cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use super::now_unix;
use crate::store::{FoundMerchant, MerchantRecord, Store, StoreError};

/// How long a merchant found by its key is trusted before it is read again.
pub const TTL: Duration = Duration::from_secs(2);

/// A cached lookup's key: the publishable key, or the secret key's hash (never the key).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Publishable(String),
    Secret([u8; 32]),
}

/// A merchant found, when, and until when (Unix seconds) the key it was found by is accepted
/// (`None`: its current key).
type Entry = (Instant, Arc<MerchantRecord>, Option<i64>);

/// Found merchants only: an unknown key is read every time, so guessing keys cannot fill the
/// map; entries older than [`TTL`] are dropped whenever one is added.
#[derive(Default)]
pub(super) struct Directory {
    found: Mutex<HashMap<Key, Entry>>,
}

impl Directory {
    pub(super) fn by_publishable_key(
        &self,
        store: &Store,
        pk: &str,
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        self.lookup(Key::Publishable(pk.to_owned()), |now| {
            store.merchant_by_publishable_key(pk, now)
        })
    }

    pub(super) fn by_secret_hash(
        &self,
        store: &Store,
        hash: &[u8; 32],
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        self.lookup(Key::Secret(*hash), |now| {
            let found = store.merchant_by_secret_hash(hash, now)?;
            // The index found it by equality; the answer is confirmed in constant time.
            Ok(found.filter(|f| bool::from(f.key.key.as_slice().ct_eq(hash.as_slice()))))
        })
    }

    fn lookup(
        &self,
        key: Key,
        read: impl FnOnce(i64) -> Result<Option<FoundMerchant>, StoreError>,
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        let now = Instant::now();
        let unix = now_unix();
        if let Ok(found) = self.found.lock()
            && let Some((at, merchant, until)) = found.get(&key)
            && now.duration_since(*at) < TTL
            && until.is_none_or(|until| unix < until)
        {
            return Ok(Some(Arc::clone(merchant)));
        }
        let Some(FoundMerchant {
            merchant,
            key: used,
        }) = read(unix)?
        else {
            return Ok(None);
        };
        let merchant = Arc::new(merchant);
        if let Ok(mut found) = self.found.lock() {
            found.retain(|_, (at, _, _)| now.duration_since(*at) < TTL);
            found.insert(key, (now, Arc::clone(&merchant), used.usable_until));
        }
        Ok(Some(merchant))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::store::{MerchantKeyKind, MerchantKeyRecord};

    fn merchant(id: &str) -> MerchantRecord {
        MerchantRecord {
            id: id.into(),
            name: "Shop".into(),
            publishable_key: format!("pk_{id}"),
            secret_key_hash: [7; 32],
            origins: vec!["https://shop.example".into()],
            fingerprint_key: vec![1; 40],
            token_ttl_secs: None,
            require_cvc: true,
            created_at: 0,
        }
    }

    /// `id` found by its publishable key: the current one, or one accepted until `until`.
    fn found(id: &str, until: Option<i64>) -> FoundMerchant {
        let merchant = merchant(id);
        FoundMerchant {
            key: MerchantKeyRecord {
                merchant_id: merchant.id.clone(),
                kind: MerchantKeyKind::Publishable,
                key: merchant.publishable_key.clone().into_bytes(),
                created_at: 0,
                retired_at: until.map(|_| 0),
                usable_until: until,
            },
            merchant,
        }
    }

    #[test]
    fn a_found_merchant_is_read_once_an_unknown_key_every_time() {
        let directory = Directory::default();
        let reads = Cell::new(0);
        let read = |found: Option<FoundMerchant>| {
            let reads = &reads;
            move |_| {
                reads.set(reads.get() + 1);
                Ok(found)
            }
        };
        let key = || Key::Publishable("pk_mer_a".into());

        // Unknown: not remembered, so a merchant created meanwhile is found at once.
        assert!(directory.lookup(key(), read(None)).unwrap().is_none());
        assert!(directory.lookup(key(), read(None)).unwrap().is_none());
        assert_eq!(reads.get(), 2);

        let first = directory.lookup(key(), read(Some(found("mer_a", None))));
        assert_eq!(first.unwrap().unwrap().id, "mer_a");
        let again = directory.lookup(key(), read(None));
        assert_eq!(again.unwrap().unwrap().id, "mer_a");
        assert_eq!(reads.get(), 3, "the second lookup is answered from memory");

        // Another key is another entry.
        let other = directory.lookup(Key::Secret([7; 32]), read(None)).unwrap();
        assert!(other.is_none());
        assert_eq!(reads.get(), 4);
    }

    #[test]
    fn entries_expire() {
        let directory = Directory::default();
        let key = Key::Publishable("pk_mer_a".into());
        let stale = Instant::now().checked_sub(TTL).unwrap();
        directory
            .found
            .lock()
            .unwrap()
            .insert(key.clone(), (stale, Arc::new(merchant("mer_old")), None));
        let read = |_| Ok(Some(found("mer_new", None)));
        assert_eq!(directory.lookup(key, read).unwrap().unwrap().id, "mer_new");
    }

    #[test]
    fn a_previous_key_is_not_answered_from_memory_after_its_grace() {
        let directory = Directory::default();
        let key = || Key::Publishable("pk_mer_a".into());
        let fresh = Instant::now();
        // Cached a moment ago, its grace over since a second.
        directory.found.lock().unwrap().insert(
            key(),
            (fresh, Arc::new(merchant("mer_a")), Some(now_unix() - 1)),
        );
        let reads = Cell::new(0);
        let gone = |now: i64| {
            reads.set(reads.get() + 1);
            assert!(now >= now_unix() - 1);
            Ok(None)
        };
        assert!(directory.lookup(key(), gone).unwrap().is_none());
        assert_eq!(reads.get(), 1, "read again, and refused");

        // One in its grace is remembered, until it ends.
        let until = now_unix() + 60;
        let first = directory.lookup(key(), |_| Ok(Some(found("mer_a", Some(until)))));
        assert_eq!(first.unwrap().unwrap().id, "mer_a");
        let again = directory.lookup(key(), |_| Ok(None));
        assert_eq!(again.unwrap().unwrap().id, "mer_a");
    }
}
