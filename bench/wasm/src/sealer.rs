//! `new Sealer(n, e, aud, card)` parses the vault's key and the card once; `sealer.seal()` seals
//! the card as the field does at tokenize (`SealingKey::seal`: a fresh content key, IV and `jti`
//! each time). The page owns the card, so that WebCrypto encrypts the same card JSON.

use alloc::borrow::ToOwned;
use alloc::string::String;

use cardvault::card::{Card, YearMonth};
use cardvault::envelope::SealingKey;
use wasm_bindgen::prelude::*;

/// The card to seal, as the page gives it.
#[wasm_bindgen]
pub struct CardInput {
    number: String,
    exp_month: u32,
    exp_year: u32,
    cvc: String,
    name: String,
}

#[wasm_bindgen]
impl CardInput {
    /// A card from its parts: the number (digits), expiry month and year, CVC and name.
    #[wasm_bindgen(constructor)]
    pub fn new(
        number: String,
        exp_month: u32,
        exp_year: u32,
        cvc: String,
        name: String,
    ) -> CardInput {
        CardInput {
            number,
            exp_month,
            exp_year,
            cvc,
            name,
        }
    }
}

/// The vault's key, parsed, and the card to seal.
#[wasm_bindgen]
pub struct Sealer {
    key: SealingKey,
    card: Card,
    aud: String,
}

#[wasm_bindgen]
impl Sealer {
    /// Parses the JWK members `n` and `e` (base64url) once, as the field caches its key, and
    /// checks the card as the field does before sealing.
    #[wasm_bindgen(constructor)]
    pub fn new(n: &str, e: &str, aud: &str, card: CardInput) -> Result<Sealer, JsError> {
        let key = SealingKey::from_jwk(n, e).map_err(|e| JsError::new(e.message()))?;
        let card = Card::new(
            &card.number,
            card.exp_month,
            card.exp_year,
            Some(&card.cvc),
            Some(&card.name),
            YearMonth::from_unix(now()),
        )
        .map_err(|e| JsError::new(e.message()))?;
        Ok(Sealer {
            key,
            card,
            aud: aud.to_owned(),
        })
    }

    /// Seals the card once: the envelope in JWE compact form.
    pub fn seal(&self) -> Result<String, JsError> {
        self.key
            .seal(&self.card, &self.aud, now())
            .map_err(|e| JsError::new(e.message()))
    }
}

/// Seconds since the Unix epoch, from the browser's clock (as the field reads it).
fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}
