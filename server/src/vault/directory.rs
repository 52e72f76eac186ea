//! Merchants by key, kept in memory for a moment: authenticating a request reads no row (a
//! read after every commit costs a page fetch from the WAL), and a merchant created or changed
//! by the command line, another process, is seen within [`TTL`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use crate::store::{MerchantRecord, Store, StoreError};

/// How long a merchant found by its key is trusted before it is read again.
pub const TTL: Duration = Duration::from_secs(2);

/// A cached lookup's key: the publishable key, or the secret key's hash (never the key).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Publishable(String),
    Secret([u8; 32]),
}

/// Found merchants only: an unknown key is read every time, so guessing keys cannot fill the
/// map; entries older than [`TTL`] are dropped whenever one is added.
#[derive(Default)]
pub(super) struct Directory {
    found: Mutex<HashMap<Key, (Instant, Arc<MerchantRecord>)>>,
}

impl Directory {
    pub(super) fn by_publishable_key(
        &self,
        store: &Store,
        pk: &str,
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        self.lookup(Key::Publishable(pk.to_owned()), || {
            store.merchant_by_publishable_key(pk)
        })
    }

    pub(super) fn by_secret_hash(
        &self,
        store: &Store,
        hash: &[u8; 32],
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        let found = self.lookup(Key::Secret(*hash), || store.merchant_by_secret_hash(hash))?;
        // The index found it by equality; the answer is confirmed in constant time.
        Ok(found.filter(|m| bool::from(m.secret_key_hash.ct_eq(hash))))
    }

    fn lookup(
        &self,
        key: Key,
        read: impl FnOnce() -> Result<Option<MerchantRecord>, StoreError>,
    ) -> Result<Option<Arc<MerchantRecord>>, StoreError> {
        let now = Instant::now();
        if let Ok(found) = self.found.lock()
            && let Some((at, merchant)) = found.get(&key)
            && now.duration_since(*at) < TTL
        {
            return Ok(Some(Arc::clone(merchant)));
        }
        let Some(merchant) = read()?.map(Arc::new) else {
            return Ok(None);
        };
        if let Ok(mut found) = self.found.lock() {
            found.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            found.insert(key, (now, Arc::clone(&merchant)));
        }
        Ok(Some(merchant))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

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

    #[test]
    fn a_found_merchant_is_read_once_an_unknown_key_every_time() {
        let directory = Directory::default();
        let reads = Cell::new(0);
        let read = |found: Option<MerchantRecord>| {
            let reads = &reads;
            move || {
                reads.set(reads.get() + 1);
                Ok(found)
            }
        };
        let key = || Key::Publishable("pk_mer_a".into());

        // Unknown: not remembered, so a merchant created meanwhile is found at once.
        assert!(directory.lookup(key(), read(None)).unwrap().is_none());
        assert!(directory.lookup(key(), read(None)).unwrap().is_none());
        assert_eq!(reads.get(), 2);

        let first = directory.lookup(key(), read(Some(merchant("mer_a"))));
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
            .insert(key.clone(), (stale, Arc::new(merchant("mer_old"))));
        let read = || Ok(Some(merchant("mer_new")));
        assert_eq!(directory.lookup(key, read).unwrap().unwrap().id, "mer_new");
    }
}
