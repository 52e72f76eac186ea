//! The card field in headless Chromium (`wasm-bindgen-test`): rendering, formatting and caret
//! behaviour under simulated input events, brand changes, validation messages, locales, the
//! style allow-list, and the message protocol (including tokenize and encrypt against a mocked
//! vault). Each test mounts a field into its own container with [`mount`], with a recording
//! function in place of `parent.postMessage`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;

use cardvault::field::{Field, FieldConfig, mount};
use js_sys::{Array, Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    Document, Element, HtmlElement, HtmlIFrameElement, HtmlInputElement, InputEvent,
    InputEventInit, MessageEvent, MessageEventInit, Window,
};

wasm_bindgen_test_configure!(run_in_browser);

const ORIGIN: &str = "https://shop.example";
const KEY: &str = "pk_test_1";

/// The RSA public key of RFC 7638 §3.1, as the mocked vault's JWKS.
const N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS\
                 oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65\
                 YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr\
                 dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK\
                 nqDKgw";

/// A mounted field and what it posted.
struct Harness {
    field: Option<Field>,
    container: Element,
    posted: Rc<RefCell<Vec<JsValue>>>,
    window: Window,
    document: Document,
}

fn window() -> Window {
    web_sys::window().unwrap()
}

/// Mounts a field with `options` (JSON, or empty for none) into a fresh container.
fn mount_with(options: &str) -> Harness {
    let window = window();
    let document = window.document().unwrap();
    let container = document.create_element("div").unwrap();
    // A failed test never drops its harness: take its field out of the way, so ids stay unique.
    let stale = document.get_element_by_id("test-field");
    if let Some(stale) = stale {
        stale.remove();
    }
    container.set_id("test-field");
    document.body().unwrap().append_child(&container).unwrap();
    let mut config = FieldConfig::new(KEY, ORIGIN, window.clone()).unwrap();
    let posted = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&posted);
    config.post = Rc::new(move |message: &JsValue| sink.borrow_mut().push(message.clone()));
    if !options.is_empty() {
        config.options = JSON::parse(options).unwrap();
    }
    let field = mount(&document, &container, config).unwrap();
    Harness {
        field: Some(field),
        container,
        posted,
        window,
        document,
    }
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.field.take();
        self.container.remove();
    }
}

impl Harness {
    fn input(&self, autocomplete: &str) -> HtmlInputElement {
        let selector = format!("input[autocomplete={autocomplete}]");
        self.container
            .query_selector(&selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no {selector}"))
            .dyn_into()
            .unwrap()
    }

    fn number(&self) -> HtmlInputElement {
        self.input("cc-number")
    }

    fn exp(&self) -> HtmlInputElement {
        self.input("cc-exp")
    }

    fn cvc(&self) -> HtmlInputElement {
        self.input("cc-csc")
    }

    fn name(&self) -> HtmlInputElement {
        self.input("cc-name")
    }

    fn one(&self, selector: &str) -> Element {
        self.container.query_selector(selector).unwrap().unwrap()
    }

    /// The error shown for `field` (`number`, `exp`, `cvc`, `name`).
    fn error(&self, field: &str) -> String {
        self.one(&format!("#test-field-{field}-error"))
            .text_content()
            .unwrap()
    }

    /// Every posted message of `kind`.
    fn posted(&self, kind: &str) -> Vec<JsValue> {
        self.posted
            .borrow()
            .iter()
            .filter(|m| text(m, "type") == kind)
            .cloned()
            .collect()
    }

    fn last_change(&self) -> JsValue {
        self.posted("change").pop().expect("a change message")
    }

    fn result(&self, id: f64) -> Option<JsValue> {
        self.posted("result")
            .into_iter()
            .find(|m| get(m, "id").as_f64() == Some(id))
    }

    /// Dispatches a `message` event on the window, as a page would send it.
    fn send(&self, origin: &str, source: Option<&Object>, data: &str) {
        let init = MessageEventInit::new();
        init.set_origin(origin);
        init.set_source(source);
        init.set_data(&JSON::parse(data).unwrap());
        let event = MessageEvent::new_with_event_init_dict("message", &init).unwrap();
        self.window.dispatch_event(&event).unwrap();
    }

    /// Sends a request from the right origin and window.
    fn request(&self, kind: &str, id: u32) {
        let data = format!(r#"{{"v":1,"type":"{kind}","id":{id}}}"#);
        self.send(ORIGIN, Some(self.window.as_ref()), &data);
    }

    /// Waits for the result of request `id`.
    async fn reply(&self, id: u32) -> JsValue {
        for _ in 0..200 {
            if let Some(result) = self.result(f64::from(id)) {
                return result;
            }
            sleep(10).await;
        }
        panic!("no result for request {id}");
    }

    fn fill(&self, number: &str, exp: &str, cvc: &str) {
        paste(&self.number(), number);
        paste(&self.exp(), exp);
        paste(&self.cvc(), cvc);
    }
}

/// Sets a value and caret as the browser would after an edit, then dispatches the `input`
/// event the browser would.
/// The text of `input`'s (first) label.
fn label(input: &HtmlInputElement) -> String {
    input
        .labels()
        .unwrap()
        .get(0)
        .unwrap()
        .text_content()
        .unwrap()
}

fn edit(input: &HtmlInputElement, value: &str, caret: u32, input_type: &str) {
    input.focus().unwrap();
    input.set_value(value);
    input.set_selection_range(caret, caret).unwrap();
    let init = InputEventInit::new();
    init.set_input_type(input_type);
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

fn caret(input: &HtmlInputElement) -> u32 {
    input.selection_start().unwrap().unwrap()
}

/// Types `typed` at the caret (replacing any selection).
fn type_text(input: &HtmlInputElement, typed: &str) {
    let value = input.value();
    let start = input
        .selection_start()
        .unwrap()
        .unwrap_or(value.len() as u32) as usize;
    let end = input.selection_end().unwrap().unwrap_or(start as u32) as usize;
    let new = format!("{}{typed}{}", &value[..start], &value[end..]);
    edit(input, &new, (start + typed.len()) as u32, "insertText");
}

/// Pastes into an empty input.
fn paste(input: &HtmlInputElement, pasted: &str) {
    input.focus().unwrap();
    input.set_value("");
    edit(input, pasted, pasted.len() as u32, "insertFromPaste");
}

/// Presses backspace with the caret at `at`.
fn backspace(input: &HtmlInputElement, at: usize) {
    let value = input.value();
    let new = format!("{}{}", &value[..at - 1], &value[at..]);
    edit(input, &new, (at - 1) as u32, "deleteContentBackward");
}

fn place_caret(input: &HtmlInputElement, at: u32) {
    input.focus().unwrap();
    input.set_selection_range(at, at).unwrap();
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Moves focus out of the field, onto a button outside it.
fn focus_outside(h: &Harness) -> HtmlElement {
    let button: HtmlElement = h
        .document
        .create_element("button")
        .unwrap()
        .unchecked_into();
    h.document.body().unwrap().append_child(&button).unwrap();
    button.focus().unwrap();
    button
}

/// This year plus `years`, two digits.
fn year_ahead(years: u32) -> String {
    let year = js_sys::Date::new_0().get_utc_full_year() + years;
    format!("{:02}", year % 100)
}

#[wasm_bindgen_test]
fn renders_one_accessible_form() {
    let h = mount_with("");
    assert_eq!(h.container.query_selector_all("form").unwrap().length(), 1);
    let expected = [
        ("cc-number", "Card number", true),
        ("cc-exp", "Expiry date", true),
        ("cc-csc", "Security code", true),
        ("cc-name", "Name on card (optional)", false),
    ];
    let inputs = h.container.query_selector_all("input").unwrap();
    assert_eq!(inputs.length(), 4, "no other inputs, no hidden decoys");
    for (i, (autocomplete, text, numeric)) in expected.into_iter().enumerate() {
        let input: HtmlInputElement = inputs.get(i as u32).unwrap().dyn_into().unwrap();
        assert_eq!(input.autocomplete(), autocomplete, "tab order is DOM order");
        assert_eq!(input.type_(), "text");
        assert!(input.form().is_some());
        assert_eq!(input.get_attribute("tabindex"), None);
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("false")
        );
        assert_eq!(
            input.get_attribute("inputmode").as_deref(),
            numeric.then_some("numeric"),
            "{autocomplete}"
        );
        assert_eq!(
            input.labels().unwrap().length(),
            1,
            "{autocomplete} has a label"
        );
        assert_eq!(label(&input), text);
    }
    assert_eq!(h.number().placeholder(), "1234 1234 1234 1234");
    assert_eq!(h.exp().placeholder(), "MM / YY");
    let alerts = h.container.query_selector_all("[role=alert]").unwrap();
    assert_eq!(alerts.length(), 1, "one live region");
    assert_eq!(alerts.get(0).unwrap().text_content().unwrap(), "");
    assert!(
        h.container
            .query_selector("img, [style], script")
            .unwrap()
            .is_none()
    );
    assert_eq!(h.one("form").get_attribute("lang").as_deref(), Some("en"));
}

#[wasm_bindgen_test]
fn posts_ready_with_its_height_and_no_change_yet() {
    let h = mount_with("");
    let ready = h.posted("ready");
    assert_eq!(ready.len(), 1);
    assert_eq!(get(&ready[0], "v").as_f64(), Some(1.0));
    assert!(get(&ready[0], "height").as_f64().unwrap() > 50.0);
    assert!(h.posted("change").is_empty());
}

#[wasm_bindgen_test]
fn formats_the_number_and_keeps_the_caret() {
    let h = mount_with("");
    let number = h.number();
    for digit in "42424242".chars() {
        type_text(&number, &digit.to_string());
    }
    assert_eq!(number.value(), "4242 4242");
    assert_eq!(caret(&number), 9);

    // Typing in the middle: the caret stays after the new digit.
    place_caret(&number, 2);
    type_text(&number, "1");
    assert_eq!(number.value(), "4214 2424 2");
    assert_eq!(caret(&number), 3);

    // Backspace just after a gap removes the digit before it.
    edit(&number, "4242 4242", 5, "insertText");
    backspace(&number, 5);
    assert_eq!(number.value(), "4244 242");
    assert_eq!(caret(&number), 3);

    // Pasting with dashes and spaces.
    paste(&number, "4242-4242 4242 4242");
    assert_eq!(number.value(), "4242 4242 4242 4242");
    assert_eq!(caret(&number), 19);

    // Capped at the brand's longest: Mastercard is 16 digits.
    paste(&number, "5555555555554444999");
    assert_eq!(number.value(), "5555 5555 5555 4444");
    place_caret(&number, 5);
    type_text(&number, "1");
    assert_eq!(
        number.value(),
        "5555 5555 5555 4444",
        "a full number takes no more"
    );

    // Amex gaps.
    paste(&number, "378282246310005");
    assert_eq!(number.value(), "3782 822463 10005");
}

#[wasm_bindgen_test]
fn shows_the_brand_and_tells_the_page_without_digits() {
    let h = mount_with("");
    let badge = h.one(".cv-brand");
    assert!(badge.has_attribute("hidden"));
    type_text(&h.number(), "4");
    assert_eq!(badge.text_content().unwrap(), "Visa");
    assert!(!badge.has_attribute("hidden"));
    assert_eq!(text(&h.last_change(), "brand"), "visa");

    paste(&h.number(), "37");
    assert_eq!(badge.text_content().unwrap(), "American Express");
    assert_eq!(badge.get_attribute("data-brand").as_deref(), Some("amex"));
    assert_eq!(text(&h.last_change(), "brand"), "amex");
    // The CVC takes four digits for Amex, three for Visa.
    paste(&h.cvc(), "12345");
    assert_eq!(h.cvc().value(), "1234");
    paste(&h.number(), "4242");
    paste(&h.cvc(), "12345");
    assert_eq!(h.cvc().value(), "123");

    paste(&h.number(), "9");
    assert!(badge.has_attribute("hidden"));
    assert_eq!(text(&h.last_change(), "brand"), "unknown");

    h.fill("4242424242424242", &format!("12{}", year_ahead(2)), "123");
    let change = h.last_change();
    assert_eq!(get(&change, "complete").as_bool(), Some(true));
    assert_eq!(get(&change, "empty").as_bool(), Some(false));
    assert!(get(&change, "error").is_null());
    for message in h.posted("change") {
        let json = String::from(JSON::stringify(&message).unwrap()).replace(r#""v":1"#, "");
        assert!(!json.chars().any(|c| c.is_ascii_digit()), "{json}");
    }
}

#[wasm_bindgen_test]
fn auto_slashes_the_expiry() {
    let h = mount_with("");
    let exp = h.exp();
    type_text(&exp, "1");
    assert_eq!(exp.value(), "1");
    type_text(&exp, "2");
    assert_eq!(exp.value(), "12 / ");
    assert_eq!(caret(&exp), 5);
    backspace(&exp, 5);
    assert_eq!(exp.value(), "12");
    paste(&exp, "4");
    assert_eq!(exp.value(), "04 / ");
    paste(&exp, "12/2030");
    assert_eq!(exp.value(), "12 / 2030");
}

#[wasm_bindgen_test]
fn shows_errors_on_blur_not_while_typing() {
    let h = mount_with("");
    let number = h.number();
    type_text(&number, "4");
    type_text(&number, "2");
    let error = h.one("#test-field-number-error");
    assert_eq!(error.text_content().unwrap(), "");
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert!(get(&h.last_change(), "error").is_null());

    // Leaving the number for the expiry.
    h.exp().focus().unwrap();
    assert_eq!(
        error.text_content().unwrap(),
        "The card number is incomplete."
    );
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let described = number.get_attribute("aria-describedby").unwrap();
    assert!(
        described
            .split(' ')
            .any(|id| id == "test-field-number-error"),
        "{described}"
    );
    assert!(number.class_name().contains("is-invalid"));
    assert_eq!(
        h.one("[role=alert]").text_content().unwrap(),
        "The card number is incomplete."
    );
    let change_error = get(&h.last_change(), "error");
    assert_eq!(text(&change_error, "code"), "incomplete_number");
    assert_eq!(
        text(&change_error, "message"),
        "The card number is incomplete."
    );

    // Typing again hides it; completing it clears it.
    paste(&number, "4242424242424242");
    assert_eq!(error.text_content().unwrap(), "");
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert!(number.class_name().contains("is-complete"));

    // An empty input left alone shows nothing.
    h.cvc().focus().unwrap();
    h.name().focus().unwrap();
    assert_eq!(h.error("cvc"), "");
}

#[wasm_bindgen_test]
fn shows_at_once_a_value_no_typing_can_fix() {
    let h = mount_with("");
    // A 16-digit Mastercard failing Luhn, a month 13.
    paste(&h.number(), "5555555555554445");
    assert_eq!(h.error("number"), "The card number is not valid.");
    paste(&h.exp(), "13");
    assert_eq!(h.error("exp"), "The expiry date is not valid.");
    paste(&h.exp(), "01/20");
    // `20` may still become `2030`: not yet.
    assert_eq!(h.error("exp"), "");
    paste(&h.exp(), "01/19");
    assert_eq!(h.error("exp"), "The card has expired.");
}

#[wasm_bindgen_test]
fn speaks_the_merchants_locale_and_messages() {
    let h = mount_with(
        r#"{"locale":"fr","messages":{"incomplete_number":"Encore un effort","exp_label":"Expire fin"}}"#,
    );
    assert_eq!(h.one("form").get_attribute("lang").as_deref(), Some("fr"));
    assert_eq!(label(&h.number()), "Numéro de carte");
    assert_eq!(label(&h.exp()), "Expire fin");
    assert_eq!(h.exp().placeholder(), "MM / AA");
    type_text(&h.number(), "4");
    h.exp().focus().unwrap();
    assert_eq!(h.error("number"), "Encore un effort");
    paste(&h.exp(), "13");
    assert_eq!(h.error("exp"), "La date d’expiration n’est pas valide.");
    drop(h);

    for (locale, expected, lang) in [
        ("de", "Kartennummer", "de"),
        ("es-MX", "Número de tarjeta", "es"),
        ("it", "Numero della carta", "it"),
        ("nl-BE", "Kaartnummer", "nl"),
        ("pt-PT", "Número do cartão", "pt"),
        ("pt-BR", "Número do cartão", "pt-BR"),
        ("ja", "カード番号", "ja"),
        ("pl", "Numer karty", "pl"),
        ("sv", "Kortnummer", "sv"),
        ("zh", "Card number", "en"),
    ] {
        let h = mount_with(&format!(r#"{{"locale":"{locale}"}}"#));
        assert_eq!(label(&h.number()), expected);
        assert_eq!(h.one("form").get_attribute("lang").as_deref(), Some(lang));
    }
}

#[wasm_bindgen_test]
fn an_update_changes_words_and_style_and_keeps_the_input() {
    let h = mount_with(r#"{"style":{"base":{"fontSize":"21px"}},"messages":{"exp_label":"Ends"}}"#);
    let sheets = h.document.adopted_style_sheets().length();
    type_text(&h.number(), "4242");
    h.exp().focus().unwrap();
    assert_eq!(h.error("number"), "The card number is incomplete.");
    let changes = h.posted("change").len();
    let update = |data: &str| h.send(ORIGIN, Some(h.window.as_ref()), data);

    // The locale alone: the merchant's overrides stay, the style stays.
    update(r#"{"v":1,"type":"update","locale":"sv"}"#);
    assert_eq!(h.one("form").get_attribute("lang").as_deref(), Some("sv"));
    assert_eq!(label(&h.number()), "Kortnummer");
    assert_eq!(label(&h.exp()), "Ends");
    assert_eq!(h.exp().placeholder(), "MM / ÅÅ");
    assert_eq!(h.number().value(), "4242");
    assert_eq!(h.error("number"), "Kortnumret är ofullständigt.");
    // The error shown, told again in the new words (and nothing else).
    let posted = h.posted("change");
    assert_eq!(posted.len(), changes + 1);
    let error = get(posted.last().unwrap(), "error");
    assert_eq!(text(&error, "code"), "incomplete_number");
    assert_eq!(text(&error, "message"), "Kortnumret är ofullständigt.");
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("font-size").unwrap(), "21px");

    // The style alone replaces the style: one sheet still, with the new rules.
    update(
        r#"{"v":1,"type":"update","style":{"base":{"fontSize":"13px","color":"rgb(9, 8, 7)"}}}"#,
    );
    assert_eq!(h.document.adopted_style_sheets().length(), sheets);
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("font-size").unwrap(), "13px");
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(9, 8, 7)");
    assert_eq!(label(&h.number()), "Kortnummer");
    assert_eq!(
        h.posted("change").len(),
        changes + 1,
        "a style is no change"
    );

    // New messages replace the old ones; an empty style takes the sheet away.
    update(r#"{"v":1,"type":"update","messages":{"number_label":"Kort"},"style":{}}"#);
    assert_eq!(label(&h.number()), "Kort");
    assert_eq!(label(&h.exp()), "Utgångsdatum");
    assert_eq!(h.document.adopted_style_sheets().length(), sheets - 1);

    // Not from the parent: ignored.
    let other = h.document.create_element("iframe").unwrap();
    h.document.body().unwrap().append_child(&other).unwrap();
    let foreign: HtmlIFrameElement = other.dyn_into().unwrap();
    let foreign_window: Object = foreign.content_window().unwrap().unchecked_into();
    h.send(
        ORIGIN,
        Some(&foreign_window),
        r#"{"v":1,"type":"update","locale":"ja"}"#,
    );
    h.send(
        "https://evil.example",
        Some(h.window.as_ref()),
        r#"{"v":1,"type":"update","locale":"ja"}"#,
    );
    assert_eq!(label(&h.exp()), "Utgångsdatum");
    foreign.remove();

    // An optional CVC keeps its label's key through a locale change.
    drop(h);
    let h = mount_with(r#"{"cvc":"optional"}"#);
    h.send(
        ORIGIN,
        Some(h.window.as_ref()),
        r#"{"v":1,"type":"update","locale":"pt-BR"}"#,
    );
    assert_eq!(label(&h.cvc()), "Código de segurança (opcional)");
    assert_eq!(label(&h.name()), "Nome impresso no cartão (opcional)");
    assert!(
        h.posted("change").is_empty(),
        "no error shown, nothing to tell"
    );
}

#[wasm_bindgen_test]
fn applies_only_allowed_styles() {
    let h = mount_with(
        r#"{"style":{
            "base":{"color":"rgb(1, 2, 3)","fontSize":"21px","position":"absolute",
                    "backgroundColor":"url(https://evil.example/x.png)","padding":"1px; display: none",
                    ":focus":{"color":"rgb(4, 5, 6)"}},
            "invalid":{"color":"rgb(200, 0, 0)"},
            "evil":{"color":"red"}}}"#,
    );
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("font-size").unwrap(), "21px");
    assert_eq!(style.get_property_value("position").unwrap(), "static");
    assert_ne!(style.get_property_value("display").unwrap(), "none");
    assert_eq!(
        style.get_property_value("background-image").unwrap(),
        "none"
    );
    h.cvc().focus().unwrap();
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(1, 2, 3)");
    h.number().focus().unwrap();
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(4, 5, 6)");
    paste(&h.number(), "5555555555554445");
    h.cvc().focus().unwrap();
    let style = h.window.get_computed_style(&h.number()).unwrap().unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(200, 0, 0)");
    // Only through the CSSOM: no style attribute anywhere.
    assert!(h.container.query_selector("[style]").unwrap().is_none());
    let adopted = h.document.adopted_style_sheets().length();
    drop(h);
    assert_eq!(
        window().document().unwrap().adopted_style_sheets().length(),
        adopted - 1
    );
}

#[wasm_bindgen_test]
async fn ignores_messages_from_anyone_but_the_parent() {
    let h = mount_with("");
    let frame: HtmlIFrameElement = h
        .document
        .create_element("iframe")
        .unwrap()
        .unchecked_into();
    h.document.body().unwrap().append_child(&frame).unwrap();
    let stranger = frame.content_window().unwrap();
    let tokenize = r#"{"v":1,"type":"tokenize","id":1}"#;
    h.send("https://evil.example", Some(h.window.as_ref()), tokenize);
    h.send(ORIGIN, Some(stranger.as_ref()), tokenize);
    h.send(ORIGIN, None, tokenize);
    h.send(
        ORIGIN,
        Some(h.window.as_ref()),
        r#"{"v":2,"type":"tokenize","id":1}"#,
    );
    h.send(
        ORIGIN,
        Some(h.window.as_ref()),
        r#"{"type":"tokenize","id":1}"#,
    );
    h.send(
        ORIGIN,
        Some(h.window.as_ref()),
        r#"{"v":1,"type":"tokenize"}"#,
    );
    h.send(
        ORIGIN,
        Some(h.window.as_ref()),
        r#"{"v":1,"type":"steal","id":1}"#,
    );
    h.send(ORIGIN, Some(h.window.as_ref()), r#""tokenize""#);
    sleep(50).await;
    assert!(h.posted("result").is_empty());
    assert!(h.posted("change").is_empty(), "nothing was even validated");
    frame.remove();

    // The same request from the parent is answered.
    h.request("tokenize", 2);
    assert_eq!(get(&h.reply(2).await, "ok").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn tokenize_refuses_an_invalid_card_with_its_field() {
    let h = mount_with("");
    h.request("tokenize", 7);
    let reply = h.reply(7).await;
    assert_eq!(get(&reply, "v").as_f64(), Some(1.0));
    assert_eq!(get(&reply, "ok").as_bool(), Some(false));
    let error = get(&reply, "error");
    assert_eq!(text(&error, "code"), "incomplete_number");
    assert_eq!(text(&error, "field"), "number");
    assert_eq!(text(&error, "message"), "The card number is incomplete.");
    // Every missing value now shows its error.
    assert_eq!(h.error("cvc"), "The security code is incomplete.");

    h.fill("4242424242424242", "12/19", "123");
    h.request("encrypt", 8);
    let error = get(&h.reply(8).await, "error");
    assert_eq!(text(&error, "code"), "expired");
    assert_eq!(text(&error, "field"), "exp");

    h.fill("378282246310005", &format!("12/{}", year_ahead(1)), "123");
    h.request("tokenize", 9);
    let error = get(&h.reply(9).await, "error");
    assert_eq!(text(&error, "code"), "incomplete_cvc");
    assert_eq!(text(&error, "field"), "cvc");
}

/// Replaces `window.fetch` with a mock vault for the life of the guard: the JWKS holds the
/// RFC 7638 key; `POST /v1/tokens` answers with `replies` in turn (status, body), the last
/// one again once they run out. Every call is recorded in `globalThis.__cvCalls`.
struct MockVault {
    original: JsValue,
}

impl MockVault {
    fn install(replies: &str) -> MockVault {
        let window = window();
        let original = get(&window, "fetch");
        let global: &JsValue = window.as_ref();
        Reflect::set(global, &"__cvN".into(), &N.into()).unwrap();
        Reflect::set(
            global,
            &"__cvReplies".into(),
            &JSON::parse(replies).unwrap(),
        )
        .unwrap();
        Reflect::set(global, &"__cvCalls".into(), &Array::new()).unwrap();
        let fetch = Function::new_with_args(
            "url, init",
            r#"
            init = init || {};
            const call = { url: String(url), method: init.method || 'GET', headers: init.headers || {}, body: init.body };
            globalThis.__cvCalls.push(call);
            const json = (status, body) => Promise.resolve(new Response(JSON.stringify(body),
                { status, headers: { 'Content-Type': 'application/json' } }));
            if (call.url === '/.well-known/jwks.json') {
                return json(200, { keys: [
                    { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'not-rsa' },
                    { kty: 'RSA', alg: 'RSA-OAEP-256', use: 'enc', kid: 'k', n: globalThis.__cvN, e: 'AQAB' },
                ] });
            }
            if (call.url === '/v1/tokens' && call.method === 'POST') {
                const replies = globalThis.__cvReplies;
                const [status, body] = replies.length > 1 ? replies.shift() : replies[0];
                return json(status, body);
            }
            return json(404, { error: { code: 'not_found', message: 'Not found.' } });
            "#,
        );
        Reflect::set(global, &"fetch".into(), &fetch).unwrap();
        MockVault { original }
    }

    fn calls(&self) -> Vec<JsValue> {
        Array::from(&get(&window(), "__cvCalls")).iter().collect()
    }
}

impl Drop for MockVault {
    fn drop(&mut self) {
        let window = window();
        Reflect::set(window.as_ref(), &"fetch".into(), &self.original).unwrap();
    }
}

const TOKEN_201: &str = r#"[201, {"token":"tok_abc","card":{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2031},"fingerprint":"fp_x","created_at":"2026-11-27T17:00:00Z"}]"#;

#[wasm_bindgen_test]
async fn tokenize_and_encrypt_seal_the_card_for_the_vault() {
    let vault = MockVault::install(&format!("[{TOKEN_201}]"));
    let h = mount_with("");
    h.fill(
        "4242 4242 4242 4242",
        &format!("12/{}", year_ahead(5)),
        "123",
    );
    paste(&h.name(), "Ada Lovelace");

    h.request("tokenize", 1);
    let reply = h.reply(1).await;
    assert_eq!(get(&reply, "ok").as_bool(), Some(true), "{reply:?}");
    assert_eq!(text(&reply, "token"), "tok_abc");
    let card = get(&reply, "card");
    assert_eq!(text(&card, "brand"), "visa");
    assert_eq!(text(&card, "last4"), "4242");
    assert_eq!(get(&card, "exp_month").as_f64(), Some(12.0));
    assert!(
        get(&reply, "fingerprint").is_undefined(),
        "only the token and the card"
    );

    let calls = vault.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(text(&calls[0], "url"), "/.well-known/jwks.json");
    let post = &calls[1];
    assert_eq!(text(post, "url"), "/v1/tokens");
    assert_eq!(text(post, "method"), "POST");
    let headers = get(post, "headers");
    assert_eq!(text(&headers, "Authorization"), "Bearer pk_test_1");
    assert_eq!(text(&headers, "Content-Type"), "application/jose");
    let envelope = text(post, "body");
    assert_eq!(envelope.split('.').count(), 5, "a JWE in compact form");
    assert!(!envelope.contains("4242"));

    // The form is kept as it is, for a retry.
    assert_eq!(h.number().value(), "4242 4242 4242 4242");

    // Encrypt: the envelope, with the key from the cache.
    h.request("encrypt", 2);
    let reply = h.reply(2).await;
    assert_eq!(get(&reply, "ok").as_bool(), Some(true));
    let sealed = text(&reply, "envelope");
    assert_eq!(sealed.split('.').count(), 5);
    assert_ne!(sealed, envelope, "fresh randomness every time");
    assert_eq!(vault.calls().len(), 2, "the JWKS is fetched once");

    for message in h.posted.borrow().iter() {
        if text(message, "type") != "result" {
            let json = String::from(JSON::stringify(message).unwrap());
            assert!(!json.contains("4242"), "{json}");
        }
    }
}

#[wasm_bindgen_test]
async fn an_optional_cvc_may_be_left_empty() {
    let required = mount_with("");
    assert_eq!(label(&required.cvc()), "Security code");
    assert_eq!(
        required.cvc().get_attribute("aria-required").as_deref(),
        Some("true")
    );
    drop(required);

    let vault = MockVault::install(&format!("[{TOKEN_201}]"));
    let h = mount_with(r#"{"cvc":"optional","locale":"de"}"#);
    assert_eq!(label(&h.cvc()), "Sicherheitscode (optional)");
    assert_eq!(
        h.cvc().get_attribute("aria-required").as_deref(),
        Some("false")
    );
    paste(&h.number(), "4242 4242 4242 4242");
    paste(&h.exp(), &format!("12/{}", year_ahead(5)));
    assert_eq!(get(&h.last_change(), "complete").as_bool(), Some(true));
    // A CVC begun must still be finished.
    paste(&h.cvc(), "12");
    assert_eq!(get(&h.last_change(), "complete").as_bool(), Some(false));
    paste(&h.cvc(), "");
    assert_eq!(get(&h.last_change(), "complete").as_bool(), Some(true));

    h.request("tokenize", 1);
    let reply = h.reply(1).await;
    assert_eq!(get(&reply, "ok").as_bool(), Some(true), "{reply:?}");
    assert_eq!(h.error("cvc"), "");
    assert_eq!(text(&vault.calls()[1], "url"), "/v1/tokens");

    // Anything else than "required" or "optional" is "required".
    let h = mount_with(r#"{"cvc":"maybe"}"#);
    assert_eq!(label(&h.cvc()), "Security code");
}

#[wasm_bindgen_test]
async fn tokenize_passes_on_the_vaults_refusal_and_refetches_a_rotated_key() {
    let vault = MockVault::install(&format!(
        r#"[[400, {{"error":{{"code":"unknown_key","message":"Unknown key."}}}}], {TOKEN_201}]"#
    ));
    let h = mount_with(r#"{"locale":"de"}"#);
    h.fill("4242424242424242", &format!("12/{}", year_ahead(5)), "123");
    h.request("tokenize", 1);
    let reply = h.reply(1).await;
    assert_eq!(get(&reply, "ok").as_bool(), Some(true));
    let urls: Vec<String> = vault.calls().iter().map(|c| text(c, "url")).collect();
    assert_eq!(
        urls,
        [
            "/.well-known/jwks.json",
            "/v1/tokens",
            "/.well-known/jwks.json",
            "/v1/tokens"
        ]
    );
    drop(vault);

    let _vault = MockVault::install(
        r#"[[429, {"error":{"code":"rate_limited","message":"Too many requests."}}],
            [422, {"error":{"code":"invalid_card","message":"The card number is not valid.","field":"number"}}],
            [503, {"error":{"code":"locked","message":"The vault is locked."}}],
            [400, {"error":{"code":"stale_envelope","message":"Stale envelope."}}],
            [403, {"error":{"code":"forbidden_origin","message":"Forbidden origin."}}]]"#,
    );
    h.request("tokenize", 2);
    let error = get(&h.reply(2).await, "error");
    assert_eq!(text(&error, "code"), "rate_limited");
    assert_eq!(
        text(&error, "message"),
        "Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut."
    );
    assert!(get(&error, "field").is_undefined());
    h.request("tokenize", 3);
    let error = get(&h.reply(3).await, "error");
    assert_eq!(text(&error, "code"), "invalid_card");
    assert_eq!(text(&error, "field"), "number");
    assert_eq!(text(&error, "message"), "Die Kartennummer ist ungültig.");
    // Every code in German: the vault's English message never reaches the shopper.
    for (id, code, message) in [
        (
            4,
            "locked",
            "Der Dienst ist gerade nicht verfügbar. Bitte versuchen Sie es in einigen Minuten erneut.",
        ),
        (
            5,
            "stale_envelope",
            "Die Uhr Ihres Geräts scheint falsch zu gehen. Prüfen Sie Datum und Uhrzeit und versuchen Sie es erneut.",
        ),
        (
            6,
            "forbidden_origin",
            "Ein Fehler ist aufgetreten. Bitte versuchen Sie es erneut.",
        ),
    ] {
        h.request("tokenize", id);
        let error = get(&h.reply(id).await, "error");
        assert_eq!(text(&error, "code"), code);
        assert_eq!(text(&error, "message"), message);
    }
}

#[wasm_bindgen_test]
async fn clear_and_focus_on_request() {
    let h = mount_with("");
    h.fill("4242424242424242", "12/30", "123");
    paste(&h.name(), "Ada");
    let outside = focus_outside(&h);
    h.request("clear", 1);
    for input in [h.number(), h.exp(), h.cvc(), h.name()] {
        assert_eq!(input.value(), "");
    }
    let change = h.last_change();
    assert_eq!(get(&change, "empty").as_bool(), Some(true));
    assert_eq!(get(&change, "complete").as_bool(), Some(false));
    assert!(get(&change, "error").is_null());
    assert_eq!(text(&change, "brand"), "unknown");

    h.request("focus", 2);
    let active = h.document.active_element().unwrap();
    assert_eq!(&active, AsRef::<Element>::as_ref(&h.number()));
    assert!(h.result(2.0).is_none(), "focus and clear get no reply");
    outside.remove();
}

#[wasm_bindgen_test]
fn tells_the_page_when_focus_enters_or_leaves_the_field() {
    let h = mount_with("");
    let outside = focus_outside(&h);
    let before = (h.posted("focus").len(), h.posted("blur").len());
    h.number().focus().unwrap();
    h.exp().focus().unwrap();
    h.cvc().focus().unwrap();
    assert_eq!(
        h.posted("focus").len(),
        before.0 + 1,
        "moving inside is not a focus"
    );
    assert_eq!(h.posted("blur").len(), before.1);
    outside.focus().unwrap();
    assert_eq!(h.posted("blur").len(), before.1 + 1);
    outside.remove();
}
