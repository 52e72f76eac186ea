//! Refused requests in the audit log, without letting a flood of them take the log over.
//!
//! Every invalid access attempt is audited (PCI DSS 10.2.1.4), but an entry costs a write, and
//! anyone can send refused requests as fast as the network carries them. So each second the
//! first [`Refusals::per_second`] refusals are written one by one, with their request id and
//! client; beyond that they are counted by kind (action, outcome and merchant, all bounded: the
//! vault's own names, the contract's codes, merchants that exist) and written as one entry per
//! kind, `count=N since=T`, when the next second's first refusal comes or at the next
//! housekeeping tick. Nothing is lost (the counts add up) and the writer sees at most
//! `per_second` plus one entry per kind each second, whatever the flood.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::store::AuditEvent;

/// What refusals are counted by: action, outcome (both the vault's own names) and merchant (one
/// that authenticated, if any).
type Kind = (String, String, Option<String>);

struct Window {
    /// The second (Unix time) the counts are for.
    second: i64,
    /// Entries written one by one in it.
    written: u32,
    /// Refusals beyond the allowance: how many, and the second of the first.
    held: BTreeMap<Kind, (u64, i64)>,
}

/// The allowance of individual refusal entries, and what is counted beyond it.
pub(crate) struct Refusals {
    per_second: u32,
    window: Mutex<Window>,
}

impl Refusals {
    /// Up to `per_second` refusal entries each second.
    pub(crate) fn new(per_second: u32) -> Refusals {
        Refusals {
            per_second,
            window: Mutex::new(Window {
                second: i64::MIN,
                written: 0,
                held: BTreeMap::new(),
            }),
        }
    }

    /// What to write for a refusal `event` at `now` (Unix seconds): the entries of counts held
    /// from earlier seconds, then `event` if it is within this second's allowance; or nothing,
    /// when it is counted.
    pub(crate) fn admit(&self, now: i64, event: AuditEvent) -> Vec<AuditEvent> {
        let Ok(mut window) = self.window.lock() else {
            // A panic elsewhere poisoned the lock: write every refusal rather than lose one.
            return vec![event];
        };
        let mut out = Vec::new();
        if window.second != now {
            out = summaries(&mut window.held, now);
            window.second = now;
            window.written = 0;
        }
        if window.written < self.per_second {
            window.written += 1;
            out.push(event);
        } else {
            let kind = (event.action, event.outcome, event.merchant_id);
            let (count, _) = window.held.entry(kind).or_insert((0, now));
            *count += 1;
        }
        out
    }

    /// The entries of every count held (at the housekeeping tick, so that a flood that stopped
    /// is written down within a tick).
    pub(crate) fn flush(&self, now: i64) -> Vec<AuditEvent> {
        match self.window.lock() {
            Ok(mut window) => summaries(&mut window.held, now),
            Err(_) => Vec::new(),
        }
    }
}

fn summaries(held: &mut BTreeMap<Kind, (u64, i64)>, now: i64) -> Vec<AuditEvent> {
    std::mem::take(held)
        .into_iter()
        .map(
            |((action, outcome, merchant_id), (count, since))| AuditEvent {
                at: now,
                request_id: None,
                merchant_id,
                key_kind: None,
                client: None,
                action,
                token: None,
                outcome,
                detail: Some(format!("count={count} since={since}")),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Refusals;
    use crate::store::AuditEvent;

    fn refusal(outcome: &str) -> AuditEvent {
        AuditEvent {
            at: 0,
            request_id: Some("req_1".into()),
            merchant_id: None,
            key_kind: None,
            client: Some("192.0.2.1".into()),
            action: "refused".into(),
            token: None,
            outcome: outcome.into(),
            detail: None,
        }
    }

    fn count(entry: &AuditEvent) -> u64 {
        entry
            .detail
            .as_deref()
            .and_then(|d| d.strip_prefix("count="))
            .and_then(|d| d.split(' ').next())
            .map_or(1, |n| n.parse().unwrap())
    }

    #[test]
    fn beyond_the_allowance_refusals_are_counted_by_kind_and_none_is_lost() {
        let refusals = Refusals::new(3);
        let mut written = Vec::new();
        for i in 0..1000 {
            let code = if i % 2 == 0 {
                "unauthorized"
            } else {
                "not_found"
            };
            written.extend(refusals.admit(100, refusal(code)));
        }
        assert_eq!(written.len(), 3, "the allowance of the second");
        // The next second: the counts of the last one, then this refusal.
        written.extend(refusals.admit(101, refusal("unauthorized")));
        assert_eq!(written.len(), 3 + 2 + 1);
        let summaries: Vec<_> = written.iter().filter(|e| e.detail.is_some()).collect();
        assert_eq!(summaries.len(), 2, "one entry per kind");
        for s in &summaries {
            assert!(
                s.detail.as_deref().unwrap().ends_with(" since=100"),
                "{s:?}"
            );
            assert_eq!((s.request_id.as_deref(), s.client.as_deref()), (None, None));
        }
        assert_eq!(written.iter().map(count).sum::<u64>(), 1001);
        assert!(refusals.flush(102).is_empty());
    }

    #[test]
    fn the_tick_writes_what_is_held() {
        let refusals = Refusals::new(1);
        assert_eq!(refusals.admit(7, refusal("unauthorized")).len(), 1);
        assert!(refusals.admit(7, refusal("unauthorized")).is_empty());
        let flushed = refusals.flush(8);
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].detail.as_deref(), Some("count=1 since=7"));
        assert!(refusals.flush(9).is_empty());
    }
}
