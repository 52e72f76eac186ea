//! `rsa_decrypt_rps`: raw RSA-OAEP-256 (2048-bit) unwraps per second, single thread, with the
//! vault's own code (`TransportKey::unwrap_cek`, aws-lc-rs) on encrypted keys of envelopes sealed
//! by the field's code beforehand.

use std::time::{Duration, Instant};

use cardvault::card::{Card, YearMonth};
use cardvault::envelope::{Envelope, SealingKey};
use cardvault_server::keys::TransportKey;

/// Distinct encrypted keys cycled through.
const KEYS: usize = 64;
/// Unwraps before the clock starts (caches, frequency).
const WARM_UP: usize = 200;

/// Unwraps per second over at least `seconds`, on the calling thread.
pub fn unwraps_per_second(seconds: f64) -> Result<f64, String> {
    let key = TransportKey::generate(2048).map_err(|e| format!("generating an RSA key: {e}"))?;
    let jwk = key.jwk();
    let sealing =
        SealingKey::from_jwk(&jwk.n, &jwk.e).map_err(|e| format!("parsing the JWK: {e}"))?;
    let card = Card::new(
        "4242424242424242",
        12,
        2030,
        Some("123"),
        Some("Ada Lovelace"),
        YearMonth::now(),
    )
    .map_err(|e| format!("a test card: {e}"))?;
    let mut encrypted_keys = Vec::with_capacity(KEYS);
    for _ in 0..KEYS {
        let sealed = sealing
            .seal(&card, "pk_bench", crate::unix_now())
            .map_err(|e| format!("sealing: {e}"))?;
        let envelope =
            Envelope::parse(sealed.as_bytes()).map_err(|e| format!("parsing an envelope: {e}"))?;
        encrypted_keys.push(envelope.encrypted_key().to_vec());
    }

    let unwrap = |i: usize| -> Result<(), String> {
        let encrypted = encrypted_keys
            .get(i % KEYS)
            .ok_or_else(|| "no encrypted key".to_owned())?;
        if key.unwrap_cek(encrypted).is_valid() {
            Ok(())
        } else {
            Err("unwrapping failed".to_owned())
        }
    };
    for i in 0..WARM_UP {
        unwrap(i)?;
    }
    let limit = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut count = 0usize;
    loop {
        for _ in 0..16 {
            unwrap(count)?;
            count += 1;
        }
        let elapsed = start.elapsed();
        if elapsed >= limit {
            return Ok(count as f64 / elapsed.as_secs_f64());
        }
    }
}
