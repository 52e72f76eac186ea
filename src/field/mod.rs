//! The field: the card inputs, in WebAssembly, inside the iframe the vault serves at
//! `GET /v1/field?key=pk_…&origin=<parent origin>#<options JSON>`.
//!
//! The shopper types into one form (number, expiry, CVC, optional name); the field formats as
//! they type, shows errors when they are due, and on the page's request seals the card to the
//! vault's key ([`SealingKey::seal`](crate::envelope::SealingKey::seal)) and either posts the
//! envelope to the vault (`tokenize`) or hands it over (`encrypt`). The merchant's page hears
//! only what [`protocol`] says, never a digit of the number.
//!
//! - [`state`]: edits, statuses and which errors show, without the DOM (tested natively);
//! - [`style`]: the merchant's style object through the allow-list (tested natively);
//! - [`i18n`]: words in eleven locales (English, French, German, Spanish, Italian, Dutch,
//!   Portuguese and Brazilian Portuguese, Japanese, Polish, Swedish), and the merchant's overrides;
//! - [`protocol`]: the messages between the field and the page;
//! - on wasm32 only: `dom` (the elements), `vault` (JWKS and tokens), `app` ([`mount`], the
//!   listeners, tokenize and encrypt) and [`start`], which mounts the field into the page.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

pub mod i18n;
pub mod protocol;
pub mod state;
pub mod style;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod vault;

#[cfg(target_arch = "wasm32")]
pub use app::{Field, FieldConfig, mount};
#[cfg(target_arch = "wasm32")]
pub use page::{CONTAINER_ID, start};

/// The field page (`field.html`) and its entry point.
#[cfg(target_arch = "wasm32")]
mod page {
    use alloc::string::String;

    use wasm_bindgen::JsValue;
    use wasm_bindgen::prelude::wasm_bindgen;
    use web_sys::UrlSearchParams;

    use super::{FieldConfig, mount};

    /// The id of the element of `field.html` the field mounts into. Without it (a test page,
    /// any other page) [`start`] does nothing.
    pub const CONTAINER_ID: &str = "cardvault-field";

    /// Mounts the field into `#cardvault-field`, with the publishable key and the parent's
    /// origin from the query (`?key=pk_…&origin=…`) and the options from the fragment
    /// (URL-encoded JSON), talking to `window.parent`.
    #[wasm_bindgen(start)]
    pub fn start() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or("cardvault: no window")?;
        let document = window.document().ok_or("cardvault: no document")?;
        let Some(container) = document.get_element_by_id(CONTAINER_ID) else {
            return Ok(());
        };
        let location = window.location();
        let query = UrlSearchParams::new_with_str(&location.search()?)?;
        let key = query.get("key").unwrap_or_default();
        let origin = query.get("origin").unwrap_or_default();
        let parent = window.parent()?.unwrap_or_else(|| window.clone());
        let mut config = FieldConfig::new(&key, &origin, parent)?;
        config.options = options_from_fragment(&location.hash()?);
        let field = mount(&document, &container, config)?;
        field.prefetch_key();
        // The page's field lives as long as the page: its listeners are never removed.
        core::mem::forget(field);
        Ok(())
    }

    /// The options object from the URL fragment (`#` and URL-encoded JSON).
    fn options_from_fragment(fragment: &str) -> JsValue {
        let encoded = fragment.strip_prefix('#').unwrap_or(fragment);
        if encoded.is_empty() {
            return JsValue::UNDEFINED;
        }
        let parsed = js_sys::decode_uri_component(encoded)
            .ok()
            .and_then(|json| js_sys::JSON::parse(&String::from(json)).ok());
        parsed.unwrap_or_else(|| {
            web_sys::console::warn_1(&JsValue::from_str(
                "cardvault: the options in the URL fragment are not JSON: using the defaults",
            ));
            JsValue::UNDEFINED
        })
    }
}
