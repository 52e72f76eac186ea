//! The messages between the field (this iframe) and the merchant's page (its parent), version 1.
//!
//! The field posts only to its parent window, with the parent's origin as `targetOrigin`, and
//! accepts a message only when `event.origin` is that origin, `event.source` that window and
//! `data.v === 1`. Everything else is ignored.
//!
//! Field → page:
//! - `{v:1, type:"ready", height}` once mounted, `{v:1, type:"resize", height}` when its height
//!   changes (CSS pixels);
//! - `{v:1, type:"change", brand, complete, empty, error: {code, message} | null}`: never a digit;
//! - `{v:1, type:"focus"}` and `{v:1, type:"blur"}` when focus enters or leaves the field;
//! - `{v:1, type:"result", id, ok:true, token, card:{brand, last4, exp_month, exp_year}}` for a
//!   `tokenize`, `{v:1, type:"result", id, ok:true, envelope}` for an `encrypt`, and
//!   `{v:1, type:"result", id, ok:false, error:{code, message, field?}}` when either fails.
//!
//! Page → field: `{v:1, type:"tokenize" | "encrypt" | "focus" | "clear", id}` (`focus` and
//! `clear` get no reply), and `{v:1, type:"update", style?, locale?, messages?}`, which applies
//! new options without a reload, and gets no reply: each member given replaces the one the field
//! has (a `messages` object replaces every override), a member left out keeps it. The inputs
//! keep what the shopper typed; when an error is shown, a `change` follows with its message in
//! the new words.

use alloc::string::String;

/// What the page asks of the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Validate, seal, send to the vault, and reply with the token and the card's metadata.
    Tokenize,
    /// Validate, seal, and reply with the envelope.
    Encrypt,
    /// Focus the number input.
    Focus,
    /// Empty every input.
    Clear,
    /// Apply new options (style, locale, messages).
    Update,
}

impl Request {
    /// The request a message's `type` names.
    pub fn from_type(kind: &str) -> Option<Request> {
        Some(match kind {
            "tokenize" => Request::Tokenize,
            "encrypt" => Request::Encrypt,
            "focus" => Request::Focus,
            "clear" => Request::Clear,
            "update" => Request::Update,
            _ => return None,
        })
    }

    /// Whether the page expects a `result` for it (and so must give an `id`).
    pub fn replies(self) -> bool {
        matches!(self, Request::Tokenize | Request::Encrypt)
    }
}

/// The origin the page gave as an `http` or `https` origin in its serialized form (as
/// `event.origin` shows it): scheme and host in lower case, no default port, no path. `None`
/// for anything else, including `*` and `null`, so that the field never posts to an origin it
/// cannot name.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let lower = origin.to_ascii_lowercase();
    let (scheme, default_port, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        ("https", ":443", rest)
    } else {
        ("http", ":80", lower.strip_prefix("http://")?)
    };
    let host_ok = |host: &str| {
        !host.is_empty()
            && host.len() <= 262
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    };
    if !host_ok(rest) {
        return None;
    }
    let host = rest.strip_suffix(default_port).unwrap_or(rest);
    let mut out = String::with_capacity(scheme.len() + 3 + host.len());
    out.push_str(scheme);
    out.push_str("://");
    out.push_str(host);
    Some(out)
}

#[cfg(target_arch = "wasm32")]
pub(crate) use js::*;

/// Reading and building the messages as JS objects.
#[cfg(target_arch = "wasm32")]
mod js {
    use js_sys::{Object, Reflect};
    use wasm_bindgen::JsValue;

    use super::Request;
    use crate::field::i18n::Messages;
    use crate::field::state::Summary;

    /// A page message's request and id, when it is a version 1 message this field knows.
    /// The id (a string or a number) is kept as it came, to be echoed in the reply.
    pub(crate) fn parse(data: &JsValue) -> Option<(Request, JsValue)> {
        if !data.is_object() || get(data, "v").as_f64() != Some(1.0) {
            return None;
        }
        let request = Request::from_type(&get(data, "type").as_string()?)?;
        let id = get(data, "id");
        let id_ok = id.is_string() || id.as_f64().is_some_and(f64::is_finite);
        if request.replies() && !id_ok {
            return None;
        }
        Some((request, id))
    }

    fn get(target: &JsValue, key: &str) -> JsValue {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// A plain object with these members.
    pub(crate) fn object(members: &[(&str, JsValue)]) -> Object {
        let object = Object::new();
        for (key, value) in members {
            // Setting a data property on a fresh plain object cannot fail.
            let _ = Reflect::set(&object, &JsValue::from_str(key), value);
        }
        object
    }

    /// A message `{v:1, type, …members}`.
    pub(crate) fn message(kind: &str, members: &[(&str, JsValue)]) -> Object {
        let message = object(&[("v", 1.into()), ("type", kind.into())]);
        for (key, value) in members {
            let _ = Reflect::set(&message, &JsValue::from_str(key), value);
        }
        message
    }

    /// `{v:1, type:"ready"|"resize", height}`.
    pub(crate) fn height(kind: &str, height: f64) -> Object {
        message(kind, &[("height", height.into())])
    }

    /// `{v:1, type:"change", brand, complete, empty, error}`.
    pub(crate) fn change(summary: &Summary, messages: &Messages) -> Object {
        let error = match summary.error {
            Some(e) => object(&[
                ("code", e.code().into()),
                ("message", messages.error(e).into()),
            ])
            .into(),
            None => JsValue::NULL,
        };
        message(
            "change",
            &[
                ("brand", summary.brand.id().into()),
                ("complete", summary.complete.into()),
                ("empty", summary.empty.into()),
                ("error", error),
            ],
        )
    }

    /// `{v:1, type:"result", id, ok:true, …members}`.
    pub(crate) fn success(id: &JsValue, members: &[(&str, JsValue)]) -> Object {
        let reply = message("result", &[("id", id.clone()), ("ok", true.into())]);
        for (key, value) in members {
            let _ = Reflect::set(&reply, &JsValue::from_str(key), value);
        }
        reply
    }

    /// `{v:1, type:"result", id, ok:false, error:{code, message, field?}}`.
    pub(crate) fn failure(id: &JsValue, code: &str, text: &str, field: Option<&str>) -> Object {
        let error = object(&[("code", code.into()), ("message", text.into())]);
        if let Some(field) = field {
            let _ = Reflect::set(&error, &JsValue::from_str("field"), &field.into());
        }
        message(
            "result",
            &[
                ("id", id.clone()),
                ("ok", false.into()),
                ("error", error.into()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        assert_eq!(Request::from_type("tokenize"), Some(Request::Tokenize));
        assert_eq!(Request::from_type("encrypt"), Some(Request::Encrypt));
        assert_eq!(Request::from_type("focus"), Some(Request::Focus));
        assert_eq!(Request::from_type("clear"), Some(Request::Clear));
        assert_eq!(Request::from_type("update"), Some(Request::Update));
        assert_eq!(Request::from_type("Tokenize"), None);
        assert_eq!(Request::from_type("result"), None);
        assert!(Request::Tokenize.replies() && Request::Encrypt.replies());
        assert!(!Request::Focus.replies() && !Request::Clear.replies());
        assert!(!Request::Update.replies());
    }

    #[test]
    fn origins() {
        let n = |s| normalize_origin(s);
        assert_eq!(
            n("https://shop.example").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            n("HTTPS://Shop.Example:443").as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            n("http://127.0.0.1:8081").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            n("http://localhost:80").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            n("https://[::1]:8443").as_deref(),
            Some("https://[::1]:8443")
        );
        assert_eq!(
            n("https://shop.example:8443").as_deref(),
            Some("https://shop.example:8443")
        );
        for refused in [
            "",
            "*",
            "null",
            "https://",
            "https://shop.example/",
            "https://shop.example/path",
            "https://shop.example?x",
            "https://user@shop.example",
            "https://shop example",
            "javascript://x",
            "file:///etc",
            "shop.example",
        ] {
            assert_eq!(n(refused), None, "{refused}");
        }
    }
}
