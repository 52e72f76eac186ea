//! The field at work: mounting, the listeners, the page's messages, tokenize and encrypt.

use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};
use core::cell::{Cell, RefCell};

use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    CssStyleSheet, Document, Element, Event, EventTarget, FocusEvent, HtmlElement, InputEvent,
    MessageEvent, Node, ResizeObserver, Window, console,
};
use zeroize::Zeroizing;

use super::dom::View;
use super::i18n::{Locale, Messages};
use super::protocol::{self, Request};
use super::state::{self, Check, CvcPolicy, EditKind, FIELDS, Form, Summary};
use super::style;
use super::vault::{self, Failure, Vault};
use crate::card::{self, Brand, CardError, Field as Input, YearMonth};
use crate::envelope::{EnvelopeError, SealingKey};

/// How a field is set up: who it works for and whom it talks to.
pub struct FieldConfig {
    /// The merchant's publishable key (`pk_…`), sent with every envelope.
    pub key: String,
    /// The parent page's origin (`https://shop.example`): the only origin messages are
    /// accepted from and posted to.
    pub origin: String,
    /// The only window messages are accepted from: in the iframe, `window.parent`.
    pub parent: Window,
    /// Where the field's messages go. [`FieldConfig::new`] makes it
    /// `parent.postMessage(message, origin)`; tests put their own.
    pub post: Rc<dyn Fn(&JsValue)>,
    /// The merchant's options `{style, locale, messages, cvc}` (`undefined` for none).
    pub options: JsValue,
}

impl FieldConfig {
    /// A field for the merchant with publishable key `key`, embedded by `parent` on `origin`,
    /// posting its messages to `parent` with `origin` as the target. Fails when `origin` is
    /// not an `http(s)` origin.
    pub fn new(key: &str, origin: &str, parent: Window) -> Result<FieldConfig, JsValue> {
        let origin = checked_origin(origin)?;
        let (target, target_origin) = (parent.clone(), origin.clone());
        Ok(FieldConfig {
            key: key.to_owned(),
            origin,
            parent,
            post: Rc::new(move |message| {
                // Posting a plain object to a window cannot fail.
                let _ = target.post_message(message, &target_origin);
            }),
            options: JsValue::UNDEFINED,
        })
    }
}

fn checked_origin(origin: &str) -> Result<String, JsValue> {
    protocol::normalize_origin(origin)
        .ok_or_else(|| JsValue::from_str("cardvault: the field needs its parent's http(s) origin"))
}

/// A mounted field. Dropping it removes its form and stylesheet and every listener.
pub struct Field {
    inner: Rc<Inner>,
    listeners: Vec<Listener>,
    observer: ResizeObserver,
    _on_resize: Closure<dyn FnMut()>,
}

impl Field {
    /// Fetches the vault's key now, so that the first tokenize need not wait for it.
    pub fn prefetch_key(&self) {
        let inner = Rc::clone(&self.inner);
        spawn_local(async move {
            // A failure here is met again, and reported, at the first tokenize.
            let _ = inner.vault.sealing_key().await;
        });
    }

    /// The field's form element.
    pub fn element(&self) -> &HtmlElement {
        &self.inner.view.form
    }
}

impl Drop for Field {
    fn drop(&mut self) {
        self.observer.disconnect();
        self.listeners.clear();
        self.inner.view.form.remove();
        if let Some(sheet) = self.inner.sheet.take() {
            remove_sheet(&self.inner.document, &sheet);
        }
    }
}

/// Builds the field at the end of `container`, an element of `document` (its id, when it has
/// one, prefixes the field's element ids), listens to its inputs and to the messages of
/// `config.parent` arriving at `document`'s window, and posts `ready`.
pub fn mount(
    document: &Document,
    container: &Element,
    config: FieldConfig,
) -> Result<Field, JsValue> {
    let origin = checked_origin(&config.origin)?;
    let window = document
        .default_view()
        .ok_or_else(|| JsValue::from_str("cardvault: the document has no window"))?;
    let options = &config.options;
    let cvc_policy = read_cvc(options);
    let messages = Messages::new(read_locale(options, &window), read_messages(options));
    let view = View::build(document, container, &messages, cvc_policy)?;
    let sheet = apply_style(document, &read_style(options));
    let inner = Rc::new(Inner {
        view,
        messages: RefCell::new(messages),
        document: document.clone(),
        sheet: RefCell::new(sheet),
        origin,
        parent: config.parent,
        post: config.post,
        vault: Vault::new(config.key),
        form: RefCell::new(Form::default()),
        number_len: Cell::new(0),
        last: RefCell::new(None),
        height: Cell::new(0),
        cvc_policy,
    });

    // One listener each on the form (events bubble up from the inputs) and on the window.
    let form: &EventTarget = &inner.view.form;
    let targets = [form, form, form, form, &window];
    let kinds = ["input", "focusin", "focusout", "submit", "message"];
    let listeners = targets
        .into_iter()
        .zip(kinds)
        .map(|(target, kind)| {
            let inner = Rc::clone(&inner);
            Listener::new(target, kind, move |event| inner.on_event(&event))
        })
        .collect();
    let on_resize = {
        let inner = Rc::clone(&inner);
        Closure::<dyn FnMut()>::new(move || inner.report_height("resize"))
    };
    let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref())?;
    observer.observe(&inner.view.form);

    // The page starts from an empty field: the first `change` is the first difference.
    inner.refresh(false);
    inner.report_height("ready");
    Ok(Field {
        inner,
        listeners,
        observer,
        _on_resize: on_resize,
    })
}

/// An event listener, removed when dropped (what `gloo-events` does, which needs std).
struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens to `kind` events at `target`. Not passive: the callback may prevent the default.
    fn new(
        target: &EventTarget,
        kind: &'static str,
        callback: impl FnMut(Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(callback);
        // Adding a listener that is a function cannot fail.
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let callback = self.callback.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, callback);
    }
}

/// Seconds since the epoch, by the browser's clock.
fn now() -> u64 {
    (Date::now() / 1000.0) as u64
}

fn warn(text: &str) {
    console::warn_1(&JsValue::from_str(text));
}

/// The merchant's style object through the allow-list, adopted as a constructed stylesheet
/// (CSSOM: the page's policy allows no inline style). A browser without constructed
/// stylesheets shows the field in its default style.
fn apply_style(document: &Document, style: &[(String, style::Value)]) -> Option<CssStyleSheet> {
    let compiled = style::compile(style);
    for warning in &compiled.warnings {
        warn(warning);
    }
    if compiled.rules.is_empty() {
        return None;
    }
    let Ok(sheet) = CssStyleSheet::new() else {
        warn("cardvault: this browser cannot apply the style option");
        return None;
    };
    // Each rule at index 0, last first: one rule the browser refuses cannot affect another.
    for rule in compiled.rules.iter().rev() {
        if sheet.insert_rule(rule).is_err() {
            warn("cardvault: a style rule was refused by the browser");
        }
    }
    let sheets = document.adopted_style_sheets();
    sheets.push(&sheet);
    document.set_adopted_style_sheets(&sheets);
    Some(sheet)
}

/// Takes `sheet` out of `document`'s adopted stylesheets.
fn remove_sheet(document: &Document, sheet: &CssStyleSheet) {
    let sheet: &JsValue = sheet.as_ref();
    let kept = document
        .adopted_style_sheets()
        .filter(&mut |other, _, _| &other != sheet);
    document.set_adopted_style_sheets(&kept);
}

/// The options' `style` object (none when it is missing or not an object, with a warning for
/// the latter).
fn read_style(options: &JsValue) -> Vec<(String, style::Value)> {
    match to_value(&get(options, "style"), 0) {
        style::Value::Object(members) => members,
        _ => {
            if !get(options, "style").is_undefined() {
                warn("cardvault: option `style` ignored: it is not an object");
            }
            Vec::new()
        }
    }
}

/// The options' `locale`: a language tag, or `auto` for the browser's; English when missing
/// or not one the field speaks (with a warning).
fn read_locale(options: &JsValue, window: &Window) -> Locale {
    match get(options, "locale").as_string() {
        None => Locale::En,
        Some(tag) => {
            let tag = if tag == "auto" {
                window.navigator().language().unwrap_or_default()
            } else {
                tag
            };
            Locale::parse(&tag).unwrap_or_else(|| {
                warn("cardvault: option `locale` not supported: using English");
                Locale::En
            })
        }
    }
}

/// The options' `messages`: overrides by key; anything but a string is left out.
fn read_messages(options: &JsValue) -> Vec<(String, String)> {
    let mut messages = Vec::new();
    if let style::Value::Object(members) = to_value(&get(options, "messages"), 2) {
        for (key, value) in members {
            match value {
                style::Value::Text(text) => messages.push((key, text)),
                _ => warn("cardvault: a message that is not a string was ignored"),
            }
        }
    }
    messages
}

/// The options' `cvc`: `required` (the default) or `optional`.
fn read_cvc(options: &JsValue) -> CvcPolicy {
    match get(options, "cvc").as_string().as_deref() {
        Some("optional") => CvcPolicy::Optional,
        Some("required") | None => CvcPolicy::Required,
        Some(_) => {
            warn("cardvault: option `cvc` must be \"required\" or \"optional\": required");
            CvcPolicy::Required
        }
    }
}

fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS value as a style tree, at most three objects deep.
fn to_value(value: &JsValue, depth: u8) -> style::Value {
    if let Some(text) = value.as_string() {
        return style::Value::Text(text);
    }
    if let Some(number) = value.as_f64() {
        return match js_sys::Number::from(number).to_string_with_radix(10) {
            Ok(text) => style::Value::Text(text.into()),
            Err(_) => style::Value::Other,
        };
    }
    if !value.is_object() || Array::is_array(value) || depth >= 3 {
        return style::Value::Other;
    }
    let object: &Object = value.unchecked_ref();
    let members = Object::keys(object)
        .iter()
        .filter_map(|key| {
            let member = Reflect::get(value, &key).ok()?;
            Some((key.as_string()?, to_value(&member, depth + 1)))
        })
        .collect();
    style::Value::Object(members)
}

/// Why a tokenize or encrypt failed.
enum Rejection {
    Card(CardError),
    Vault(Failure),
}

impl From<CardError> for Rejection {
    fn from(e: CardError) -> Self {
        Rejection::Card(e)
    }
}

impl From<Failure> for Rejection {
    fn from(f: Failure) -> Self {
        Rejection::Vault(f)
    }
}

/// The field's state, shared by its listeners and its running requests.
struct Inner {
    view: View,
    /// The words, which an `update` may change.
    messages: RefCell<Messages>,
    document: Document,
    /// The merchant's style as adopted, which an `update` may replace.
    sheet: RefCell<Option<CssStyleSheet>>,
    origin: String,
    parent: Window,
    post: Rc<dyn Fn(&JsValue)>,
    vault: Vault,
    form: RefCell<Form>,
    /// How many digits the number had after the last edit.
    number_len: Cell<usize>,
    /// What the page was last told.
    last: RefCell<Option<Summary>>,
    /// The height last posted.
    height: Cell<i32>,
    /// Whether the shopper must give a CVC (the merchant's `cvc` option).
    cvc_policy: CvcPolicy,
}

impl Inner {
    fn post(&self, message: &JsValue) {
        (self.post)(message);
    }

    fn check(&self) -> Check {
        Check::of(
            &self.view.values(),
            YearMonth::from_unix(now()),
            self.cvc_policy,
        )
    }

    /// Redraws the view from the inputs and, when `tell` and it changed, posts the summary.
    fn refresh(&self, tell: bool) {
        let values = self.view.values();
        let check = Check::of(&values, YearMonth::from_unix(now()), self.cvc_policy);
        self.number_len
            .set(values.number.bytes().filter(u8::is_ascii_digit).count());
        drop(values);
        let form = self.form.borrow();
        let messages = self.messages.borrow();
        self.view.render(&check, &form, &messages);
        let summary = form.summary(&check);
        drop(form);
        let changed = self.last.replace(Some(summary)) != Some(summary);
        if tell && changed {
            self.post(&protocol::change(&summary, &messages));
        }
    }

    /// Applies an `update` message's options: each of `style`, `locale` and `messages` that it
    /// has replaces the field's. What the shopper typed stays; an error shown is told again in
    /// the new words.
    fn update(&self, data: &JsValue) {
        if !get(data, "style").is_undefined() {
            let sheet = apply_style(&self.document, &read_style(data));
            if let Some(old) = self.sheet.replace(sheet) {
                remove_sheet(&self.document, &old);
            }
        }
        let (locale, messages) = (get(data, "locale"), get(data, "messages"));
        if locale.is_undefined() && messages.is_undefined() {
            return;
        }
        {
            let mut words = self.messages.borrow_mut();
            if !locale.is_undefined()
                && let Some(window) = self.document.default_view()
            {
                words.set_locale(read_locale(data, &window));
            }
            if !messages.is_undefined() {
                words.set_overrides(read_messages(data));
            }
            self.view.words(&words, self.cvc_policy);
        }
        let before = *self.last.borrow();
        self.refresh(true);
        // Unchanged, the summary was not posted again: its error's message was, in old words.
        let after = *self.last.borrow();
        if let Some(summary) = after.filter(|s| s.error.is_some() && after == before) {
            self.post(&protocol::change(&summary, &self.messages.borrow()));
        }
    }

    /// Posts `ready`, or `resize` when the height changed.
    fn report_height(&self, kind: &str) {
        let height = self.view.form.offset_height();
        if kind == "ready" || height != self.height.get() {
            self.height.set(height);
            self.post(&protocol::height(kind, height.into()));
        }
    }

    /// Every event the field listens to.
    fn on_event(self: &Rc<Self>, event: &Event) {
        let kind = event.type_();
        if kind == "message" {
            return self.on_message(event);
        }
        if kind == "submit" {
            return event.prevent_default();
        }
        let target = event.target().map(JsValue::from);
        let Some(field) = FIELDS.into_iter().find(|&field| {
            let input: &JsValue = self.view.input(field).as_ref();
            target.as_ref() == Some(input)
        }) else {
            return;
        };
        match kind.as_str() {
            "input" => self.on_input(field, event),
            "focusin" => self.on_focus(event),
            "focusout" => self.on_blur(field, event),
            _ => {}
        }
    }

    fn on_input(&self, field: Input, event: &Event) {
        let input = self.view.input(field);
        let kind = event.dyn_ref::<InputEvent>().map_or(EditKind::Insert, |e| {
            EditKind::from_input_type(&e.input_type())
        });
        let value = Zeroizing::new(input.value());
        let caret = match input.selection_start() {
            Ok(Some(caret)) => caret as usize,
            _ => value.encode_utf16().count(),
        };
        let display = match field {
            Input::Number => Some(state::edit_number(
                &value,
                caret,
                kind,
                self.number_len.get(),
            )),
            Input::Exp => Some(state::edit_expiry(&value, caret, kind)),
            Input::Cvc => {
                let number = Zeroizing::new(self.view.input(Input::Number).value());
                let digits = Zeroizing::new(card::digits_of(&number, 64));
                Some(state::edit_cvc(&value, caret, Brand::detect(&digits)))
            }
            Input::Name => None,
        };
        if let Some(display) = display {
            if *display.value != *value {
                input.set_value(&display.value);
            }
            let focused = input
                .owner_document()
                .and_then(|document| document.active_element());
            if focused.as_ref() == Some(input.as_ref()) {
                let caret = display.caret as u32;
                let _ = input.set_selection_range(caret, caret);
            }
        }
        self.form.borrow_mut().input(field);
        self.refresh(true);
    }

    fn on_blur(&self, field: Input, event: &Event) {
        let status = self.check().status(field);
        self.form.borrow_mut().blur(field, status);
        self.refresh(true);
        if self.crosses_edge(event) {
            self.post(&protocol::message("blur", &[]));
        }
    }

    fn on_focus(&self, event: &Event) {
        if self.crosses_edge(event) {
            self.post(&protocol::message("focus", &[]));
        }
    }

    /// Whether focus comes from, or goes to, outside the form (not from one input to another).
    fn crosses_edge(&self, event: &Event) -> bool {
        let other = event
            .dyn_ref::<FocusEvent>()
            .and_then(FocusEvent::related_target);
        !other.is_some_and(|other| self.view.form.contains(other.dyn_ref::<Node>()))
    }

    fn on_message(self: &Rc<Self>, event: &Event) {
        let Some(event) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let parent: &JsValue = self.parent.as_ref();
        let from_parent = event
            .source()
            .is_some_and(|source| AsRef::<JsValue>::as_ref(&source) == parent);
        if event.origin() != self.origin || !from_parent {
            return;
        }
        let Some((request, id)) = protocol::parse(&event.data()) else {
            return;
        };
        match request {
            Request::Focus => {
                let _ = self.view.input(Input::Number).focus();
            }
            Request::Clear => {
                self.view.clear();
                self.form.borrow_mut().clear();
                self.refresh(true);
            }
            Request::Update => self.update(&event.data()),
            Request::Tokenize | Request::Encrypt => {
                let inner = Rc::clone(self);
                spawn_local(async move {
                    let reply = inner.reply(request, &id).await;
                    inner.post(&reply);
                });
            }
        }
    }

    /// The `result` for a tokenize or encrypt.
    async fn reply(&self, request: Request, id: &JsValue) -> Object {
        match self.submit(request).await {
            Ok(members) => protocol::success(id, &members),
            Err(Rejection::Card(e)) => {
                let messages = self.messages.borrow();
                protocol::failure(id, e.code(), messages.error(e), Some(e.field().id()))
            }
            Err(Rejection::Vault(failure)) => {
                let text = self.failure_text(&failure);
                protocol::failure(id, &failure.code, &text, failure.field.as_deref())
            }
        }
    }

    /// The shopper-facing message of a failure after validation: the merchant's or the
    /// locale's for its code (`locked` reads as `unavailable`); for a card the vault refused,
    /// the card rules' message for that input; else the vault's own message in English, or
    /// the locale's `internal` in other languages.
    fn failure_text(&self, failure: &Failure) -> String {
        let messages = self.messages.borrow();
        let by_field = match failure.field.as_deref() {
            Some("number") => Some(CardError::InvalidNumber),
            Some("exp") => Some(CardError::InvalidExp),
            Some("cvc") => Some(CardError::InvalidCvc),
            Some("name") => Some(CardError::InvalidName),
            _ => None,
        };
        let code = match failure.code.as_str() {
            "locked" => "unavailable",
            code => code,
        };
        let generic = || messages.text("internal").unwrap_or_default();
        let text = match (messages.text(code), by_field) {
            (Some(text), _) => text,
            (None, Some(e)) => messages.error(e),
            (None, None) if messages.locale() == Locale::En => {
                failure.message.as_deref().unwrap_or_else(generic)
            }
            (None, None) => generic(),
        };
        text.to_owned()
    }

    /// Validates, seals, and for a tokenize sends: the reply's members.
    async fn submit(&self, request: Request) -> Result<Vec<(&'static str, JsValue)>, Rejection> {
        self.form.borrow_mut().submit();
        self.refresh(true);
        // Refused before any request when a card rule says no.
        let today = YearMonth::from_unix(now());
        drop(self.view.values().card(today, self.cvc_policy)?);
        let key = self.vault.sealing_key().await?;
        let envelope = self.seal(&key)?;
        if request == Request::Encrypt {
            return Ok(vec![("envelope", envelope.into())]);
        }
        let body = match self.vault.tokenize(&envelope).await {
            // The vault rotated its key since it was fetched: fetch it again, once.
            Err(failure) if failure.code == "unknown_key" => {
                self.vault.forget_key();
                let key = self.vault.sealing_key().await?;
                self.vault.tokenize(&self.seal(&key)?).await?
            }
            other => other?,
        };
        Ok(vault::token_reply(&body)?.to_vec())
    }

    /// Seals the card as the inputs hold it now. The card's copies are zeroized when it drops,
    /// at the end of this call.
    fn seal(&self, key: &SealingKey) -> Result<String, Rejection> {
        let now = now();
        let card = self
            .view
            .values()
            .card(YearMonth::from_unix(now), self.cvc_policy)?;
        key.seal(&card, self.vault.publishable_key(), now)
            .map_err(|e| match e {
                EnvelopeError::Card(e) => Rejection::Card(e),
                EnvelopeError::InvalidAudience => Failure::code("unauthorized").into(),
                _ => Failure::code("internal").into(),
            })
    }
}
