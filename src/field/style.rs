//! The merchant's style object, through an allow-list, as CSS rules for the field's own
//! stylesheet (applied through the CSSOM: the page's policy forbids inline styles).
//!
//! ```json
//! {"base": {"fontSize": "16px", "::placeholder": {"color": "#999"}},
//!  "invalid": {"color": "#c00"}, "complete": {…}, "empty": {…}}
//! ```
//!
//! Each state (`base`, `empty`, `complete`, `invalid`) takes allowed properties, in camelCase,
//! and the variants `:hover`, `:focus` and `::placeholder` holding allowed properties. Anything
//! else, and any value that could reach outside its declaration or load something, is left out
//! with a warning.

use alloc::{string::String, vec::Vec};

/// A JSON-like value of the style object.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string or a number.
    Text(String),
    /// An object's members, in order.
    Object(Vec<(String, Value)>),
    /// Anything else (`true`, `null`, an array).
    Other,
}

/// The allowed properties: the style object's key and its CSS name.
const PROPERTIES: [(&str, &str); 11] = [
    ("color", "color"),
    ("backgroundColor", "background-color"),
    ("fontFamily", "font-family"),
    ("fontSize", "font-size"),
    ("fontWeight", "font-weight"),
    ("fontStyle", "font-style"),
    ("letterSpacing", "letter-spacing"),
    ("lineHeight", "line-height"),
    ("padding", "padding"),
    ("textTransform", "text-transform"),
    ("textAlign", "text-align"),
];

/// The states, in cascade order, and the inputs each applies to.
const STATES: [(&str, &str); 4] = [
    ("base", ".cv .cv-input"),
    ("empty", ".cv .cv-input.is-empty"),
    ("complete", ".cv .cv-input.is-complete"),
    ("invalid", ".cv .cv-input.is-invalid"),
];

/// The variants a state may hold.
const VARIANTS: [&str; 3] = [":hover", ":focus", "::placeholder"];

/// Text no value may contain (compared in ASCII lower case): what could end a declaration or a
/// rule, escape, open markup or an at-rule, or load a resource.
const REFUSED: [&str; 11] = [
    ";",
    "{",
    "}",
    "\\",
    "<",
    "@",
    "/*",
    "url(",
    "src(",
    "image-set(",
    "expression",
];

/// The longest value accepted, in bytes.
const MAX_VALUE_LEN: usize = 200;

/// The style object as CSS rules, and a warning for everything left out.
#[derive(Debug, Default, PartialEq)]
pub struct Compiled {
    /// One rule each, e.g. `.cv .cv-input:focus{color:#333}`, in cascade order.
    pub rules: Vec<String>,
    /// What was ignored and why (names the keys only, never echoes a value).
    pub warnings: Vec<String>,
}

/// Filters the merchant's style object into CSS rules.
pub fn compile(style: &[(String, Value)]) -> Compiled {
    let mut out = Compiled::default();
    for (key, _) in style {
        if !STATES.iter().any(|(state, _)| state == key) {
            out.warn(key, "is not base, empty, complete or invalid");
        }
    }
    for (state, selector) in STATES {
        let Some((_, value)) = style.iter().find(|(key, _)| key == state) else {
            continue;
        };
        let Value::Object(members) = value else {
            out.warn(state, "is not an object");
            continue;
        };
        let declarations = out.declarations(state, members, true);
        // Labels and messages follow the base font and colour; the error text the invalid colour.
        if state == "base" {
            out.push_rule(".cv", &inherited(&declarations, &["color", "font-family"]));
        }
        if state == "invalid" {
            out.push_rule(".cv .cv-error", &inherited(&declarations, &["color"]));
        }
        out.push_rule(selector, &declarations);
        for variant in VARIANTS {
            let Some((_, value)) = members.iter().find(|(key, _)| key == variant) else {
                continue;
            };
            let path = concat(&[state, ".", variant]);
            let Value::Object(members) = value else {
                out.warn(&path, "is not an object");
                continue;
            };
            let declarations = out.declarations(&path, members, false);
            out.push_rule(&concat(&[selector, variant]), &declarations);
        }
    }
    out
}

impl Compiled {
    /// The allowed declarations among `members`, as `(css name, value)`.
    fn declarations<'a>(
        &mut self,
        path: &str,
        members: &'a [(String, Value)],
        variants_allowed: bool,
    ) -> Vec<(&'static str, &'a str)> {
        let mut declarations = Vec::new();
        for (key, value) in members {
            if variants_allowed && VARIANTS.contains(&key.as_str()) {
                continue;
            }
            let here = concat(&[path, ".", key]);
            let Some(&(_, css)) = PROPERTIES.iter().find(|(name, _)| name == key) else {
                self.warn(&here, "is not an allowed property");
                continue;
            };
            match value {
                Value::Text(text) if safe_value(text) => declarations.push((css, text.trim())),
                _ => self.warn(&here, "has a value that is not allowed"),
            }
        }
        declarations
    }

    fn push_rule(&mut self, selector: &str, declarations: &[(&str, &str)]) {
        if declarations.is_empty() {
            return;
        }
        let mut rule = String::from(selector);
        rule.push('{');
        for (i, (name, value)) in declarations.iter().enumerate() {
            if i > 0 {
                rule.push(';');
            }
            rule.push_str(name);
            rule.push(':');
            rule.push_str(value);
        }
        rule.push('}');
        self.rules.push(rule);
    }

    fn warn(&mut self, path: &str, why: &str) {
        self.warnings
            .push(concat(&["cardvault: style `", path, "` ignored: it ", why]));
    }
}

/// The declarations among `all` whose names are in `names`.
fn inherited<'a>(all: &[(&'static str, &'a str)], names: &[&str]) -> Vec<(&'static str, &'a str)> {
    all.iter()
        .copied()
        .filter(|(name, _)| names.contains(name))
        .collect()
}

/// Whether `value` may stand as a declaration's value.
fn safe_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    !value.trim().is_empty()
        && value.len() <= MAX_VALUE_LEN
        && !value.chars().any(char::is_control)
        && !REFUSED.iter().any(|refused| {
            lower
                .as_bytes()
                .windows(refused.len())
                .any(|window| window == refused.as_bytes())
        })
}

fn concat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn obj(members: &[(&str, Value)]) -> Value {
        Value::Object(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn style(members: &[(&str, Value)]) -> Vec<(String, Value)> {
        match obj(members) {
            Value::Object(members) => members,
            _ => unreachable!(),
        }
    }

    #[test]
    fn allowed_properties_become_rules() {
        let out = compile(&style(&[
            (
                "base",
                obj(&[
                    ("fontSize", text("16px")),
                    ("fontFamily", text("\"Helvetica Neue\", sans-serif")),
                    ("color", text("#333")),
                    (":focus", obj(&[("color", text("rgb(0, 0, 255)"))])),
                    ("::placeholder", obj(&[("color", text("#999"))])),
                ]),
            ),
            ("invalid", obj(&[("color", text("#c00"))])),
            ("complete", obj(&[("fontWeight", text("600"))])),
        ]));
        assert_eq!(
            out.rules,
            [
                ".cv{font-family:\"Helvetica Neue\", sans-serif;color:#333}",
                ".cv .cv-input{font-size:16px;font-family:\"Helvetica Neue\", sans-serif;color:#333}",
                ".cv .cv-input:focus{color:rgb(0, 0, 255)}",
                ".cv .cv-input::placeholder{color:#999}",
                ".cv .cv-input.is-complete{font-weight:600}",
                ".cv .cv-error{color:#c00}",
                ".cv .cv-input.is-invalid{color:#c00}",
            ]
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn every_allowed_property_maps_to_its_css_name() {
        let members: Vec<(&str, Value)> = PROPERTIES
            .iter()
            .map(|(name, _)| (*name, text("1px")))
            .collect();
        let out = compile(&style(&[("empty", obj(&members))]));
        assert_eq!(out.rules.len(), 1);
        for (_, css) in PROPERTIES {
            assert!(out.rules[0].contains(&format!("{css}:1px")), "{css}");
        }
    }

    #[test]
    fn anything_else_is_ignored_with_a_warning() {
        let out = compile(&style(&[
            (
                "base",
                obj(&[
                    ("position", text("absolute")),
                    ("background-color", text("red")),
                    ("backgroundImage", text("none")),
                    ("color", text("red; position: fixed")),
                    ("backgroundColor", text("url(https://evil.example/x)")),
                    ("fontFamily", text("x} .cv{color:red")),
                    ("lineHeight", text("EXPRESSION(alert(1))")),
                    ("padding", text("\\31 px")),
                    ("fontSize", text("@import")),
                    ("letterSpacing", text("</style>")),
                    ("textAlign", text("left/*")),
                    ("textTransform", text("")),
                    ("fontStyle", text("italic\n")),
                    ("fontWeight", obj(&[])),
                    ("fontSize", Value::Other),
                    (":active", obj(&[("color", text("red"))])),
                    (":focus", text("red")),
                ]),
            ),
            ("hover", obj(&[("color", text("red"))])),
            ("complete", text("red")),
            (
                "invalid",
                obj(&[("::placeholder", obj(&[("margin", text("0"))]))]),
            ),
        ]));
        assert_eq!(out.rules, Vec::<String>::new());
        assert_eq!(out.warnings.len(), 20, "{:#?}", out.warnings);
        assert!(
            out.warnings
                .iter()
                .all(|w| w.starts_with("cardvault: style `"))
        );
        assert!(out.warnings.iter().any(|w| w.contains("`base.position`")));
        assert!(
            out.warnings
                .iter()
                .any(|w| w.contains("`invalid.::placeholder.margin`"))
        );
        // Values are never echoed.
        assert!(!out.warnings.iter().any(|w| w.contains("evil")));
    }

    #[test]
    fn a_long_value_is_refused() {
        let long = "a".repeat(MAX_VALUE_LEN + 1);
        let out = compile(&style(&[("base", obj(&[("fontFamily", text(&long))]))]));
        assert!(out.rules.is_empty());
        assert_eq!(out.warnings.len(), 1);
    }
}
