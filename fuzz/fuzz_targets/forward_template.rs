//! Any text as a forward's template (header value or body) and as its path.
//!
//! - A template parses or is refused, never panics; one that parses fills with every escape,
//!   a template without placeholders fills to itself, and its `Debug` never shows its text.
//! - A path that `check_path` accepts is a valid HTTP request target (the vault sends it as
//!   one), starts with one `/`, and has no `..`/`.` segment, no `//`, no braces.
#![no_main]

use std::str::FromStr;

use cardvault_server::forward::template::{Escape, MAX_PATH, Placeholder, Template, check_path};
use libfuzzer_sys::fuzz_target;

fn value(p: Placeholder) -> Option<&'static str> {
    Some(match p {
        Placeholder::Number => "4242424242424242",
        Placeholder::Cvc => "123",
        Placeholder::ExpMonth => "12",
        Placeholder::ExpYear => "2030",
        Placeholder::Name => "Ada \"Countess\" \\ Lovelace\n\u{1}é",
        Placeholder::Last4 => "4242",
        Placeholder::Brand => "visa",
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(template) = Template::parse(text) {
        let placeholders = template.placeholders().count();
        for escape in [Escape::None, Escape::Json, Escape::Form] {
            let filled = template.fill(value, escape).expect("every value is given");
            if placeholders == 0 {
                assert_eq!(&filled[..], text.as_bytes());
            }
            if escape == Escape::Json && !text.contains('"') && !text.contains('\\') {
                // Filled inside a JSON string, it stays one.
                let quoted = format!("\"{}\"", String::from_utf8_lossy(&filled));
                if !text.chars().any(char::is_control) {
                    assert!(
                        serde_json::from_str::<String>(&quoted).is_ok(),
                        "a JSON-escaped fill broke the string"
                    );
                }
            }
        }
        let shown = format!("{template:?}");
        assert!(shown.starts_with("Template { text_bytes: "));
        if placeholders > 0 {
            // The missing value is named, the fill refused.
            let first = template.placeholders().next().expect("one");
            assert_eq!(template.fill(|_| None, Escape::None).err(), Some(first));
        }
    }

    if check_path(text).is_ok() {
        assert!(text.len() <= MAX_PATH);
        assert!(text.starts_with('/') && !text.contains("//"));
        assert!(!text.contains('{') && !text.contains('}'));
        let path = text.split('?').next().unwrap_or_default();
        assert!(path.split('/').all(|s| s != "." && s != ".."));
        http::uri::PathAndQuery::from_str(text).expect("an accepted path is a request target");
    }
});
