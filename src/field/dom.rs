//! The view: the form's elements, built once, and the state drawn onto them.
//!
//! ```html
//! <form class="cv" novalidate lang="en">
//!   <div class="cv-row">
//!     <label class="cv-label" for="cardvault-field-number">Card number</label>
//!     <div class="cv-number">
//!       <input class="cv-input is-empty" id="cardvault-field-number" autocomplete="cc-number" inputmode="numeric" …>
//!       <span class="cv-brand" id="cardvault-field-brand" data-brand="unknown" hidden></span>
//!     </div>
//!   </div>
//!   <div class="cv-row cv-split"> expiry (cc-exp) and CVC (cc-csc) </div>
//!   <div class="cv-row"> name (cc-name) </div>
//!   <div class="cv-errors" role="alert"> <p class="cv-error" id="cardvault-field-number-error"></p> … </div>
//! </form>
//! ```
//!
//! One form so that autofill fills every input; real labels; `aria-invalid` and
//! `aria-describedby` pointing at each input's error text; one live region holding the errors.

use alloc::{string::String, vec::Vec};

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlInputElement};
use zeroize::Zeroizing;

use super::i18n::Messages;
use super::state::{Check, CvcPolicy, FIELDS, Form, Status, Values, brand_name};
use crate::card::{Brand, Field};

/// The form's content; `$` stands for the element id prefix. Static markup only: the words
/// (which the merchant may override) are set as text and attributes afterwards, never as HTML.
const TEMPLATE: &str = concat!(
    r#"<div class="cv-row"><label class="cv-label" for="$-number" id="$-number-label"></label>"#,
    r#"<div class="cv-number"><input class="cv-input is-empty" id="$-number" name="cardnumber" type="text" autocomplete="cc-number" inputmode="numeric" autocorrect="off" autocapitalize="off" spellcheck="false" aria-required="true" aria-invalid="false" aria-describedby="$-brand">"#,
    r#"<span class="cv-brand" id="$-brand" data-brand="unknown" hidden></span></div></div>"#,
    r#"<div class="cv-row cv-split"><div class="cv-col"><label class="cv-label" for="$-exp" id="$-exp-label"></label>"#,
    r#"<input class="cv-input is-empty" id="$-exp" name="exp-date" type="text" autocomplete="cc-exp" inputmode="numeric" autocorrect="off" autocapitalize="off" spellcheck="false" aria-required="true" aria-invalid="false"></div>"#,
    r#"<div class="cv-col"><label class="cv-label" for="$-cvc" id="$-cvc-label"></label>"#,
    r#"<input class="cv-input is-empty" id="$-cvc" name="cvc" type="text" autocomplete="cc-csc" inputmode="numeric" autocorrect="off" autocapitalize="off" spellcheck="false" aria-required="true" aria-invalid="false"></div></div>"#,
    r#"<div class="cv-row"><label class="cv-label" for="$-name" id="$-name-label"></label>"#,
    r#"<input class="cv-input is-empty" id="$-name" name="ccname" type="text" autocomplete="cc-name" spellcheck="false" aria-invalid="false"></div>"#,
    r#"<div class="cv-errors" role="alert"><p class="cv-error" id="$-number-error"></p><p class="cv-error" id="$-exp-error"></p>"#,
    r#"<p class="cv-error" id="$-cvc-error"></p><p class="cv-error" id="$-name-error"></p></div>"#,
);

/// Per input, in [`FIELDS`] order (the template's order): the message keys of its label and
/// placeholder.
const WORDS: [[&str; 2]; 4] = [
    ["number_label", "number_placeholder"],
    ["exp_label", "exp_placeholder"],
    ["cvc_label", "cvc_placeholder"],
    ["name_label", "name_placeholder"],
];

/// The field's elements.
pub(crate) struct View {
    /// The form, root of everything the field shows.
    pub(crate) form: HtmlElement,
    labels: [Element; 4],
    inputs: [HtmlInputElement; 4],
    errors: [Element; 4],
    brand: Element,
}

impl View {
    /// Builds the form at the end of `container`. Element ids start with the container's id
    /// (`cv` when it has none usable): give each field's container its own id. An optional CVC
    /// is labelled so (`cvc_label_optional`) and not `aria-required`.
    pub(crate) fn build(
        document: &Document,
        container: &Element,
        messages: &Messages,
        cvc_policy: CvcPolicy,
    ) -> Result<View, JsValue> {
        let id = container.id();
        let usable = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let prefix = if usable { id } else { String::from("cv") };
        let form = document.create_element("form")?;
        form.set_class_name("cv");
        form.set_attribute("novalidate", "")?;
        form.set_inner_html(&TEMPLATE.replace('$', &prefix));
        // Found inside this form, by position: whatever else the document holds.
        let all_labels = form.get_elements_by_tag_name("label");
        let all_inputs = form.get_elements_by_tag_name("input");
        let all_errors = form.get_elements_by_class_name("cv-error");
        let mut labels = Vec::with_capacity(4);
        let mut inputs = Vec::with_capacity(4);
        let mut errors = Vec::with_capacity(4);
        for i in 0..4 {
            let (Some(label), Some(input), Some(error)) =
                (all_labels.item(i), all_inputs.item(i), all_errors.item(i))
            else {
                break;
            };
            labels.push(label);
            inputs.push(input.unchecked_into::<HtmlInputElement>());
            errors.push(error);
        }
        let brand = form.get_elements_by_class_name("cv-brand").item(0);
        let (Ok(labels), Ok(inputs), Ok(errors), Some(brand)) = (
            labels.try_into(),
            inputs.try_into(),
            errors.try_into(),
            brand,
        ) else {
            return Err(JsValue::from_str(
                "cardvault: the field's form is incomplete",
            ));
        };
        let view = View {
            form: form.unchecked_into(),
            labels,
            inputs,
            errors,
            brand,
        };
        if cvc_policy == CvcPolicy::Optional {
            view.input(Field::Cvc)
                .set_attribute("aria-required", "false")?;
        }
        view.words(messages, cvc_policy);
        container.append_child(&view.form)?;
        Ok(view)
    }

    /// Sets the form's language, the labels and the placeholders in `messages`' words (at
    /// mount, and again when the page changes the locale or the messages).
    pub(crate) fn words(&self, messages: &Messages, cvc_policy: CvcPolicy) {
        set_if_changed(&self.form, "lang", Some(messages.locale().tag()));
        let mut words = WORDS;
        if cvc_policy == CvcPolicy::Optional {
            words[slot(Field::Cvc)][0] = "cvc_label_optional";
        }
        for (i, [label_key, placeholder_key]) in words.into_iter().enumerate() {
            let label = messages.text(label_key).unwrap_or_default();
            if self.labels[i].text_content().as_deref().unwrap_or_default() != label {
                self.labels[i].set_text_content(Some(label));
            }
            let placeholder = messages.text(placeholder_key).filter(|p| !p.is_empty());
            set_if_changed(&self.inputs[i], "placeholder", placeholder);
        }
    }

    /// The input of `field`.
    pub(crate) fn input(&self, field: Field) -> &HtmlInputElement {
        &self.inputs[slot(field)]
    }

    /// Every input's value (zeroized when dropped).
    pub(crate) fn values(&self) -> Values {
        let value = |field| Zeroizing::new(self.input(field).value());
        Values {
            number: value(Field::Number),
            exp: value(Field::Exp),
            cvc: value(Field::Cvc),
            name: value(Field::Name),
        }
    }

    /// Empties every input.
    pub(crate) fn clear(&self) {
        for input in &self.inputs {
            input.set_value("");
        }
    }

    /// Draws `check` onto the elements: the brand, each input's state classes, its
    /// `aria-invalid` and `aria-describedby`, and its error text. Touches only what changed,
    /// so that the live region announces only new errors.
    pub(crate) fn render(&self, check: &Check, form: &Form, messages: &Messages) {
        self.render_brand(check.brand);
        for (i, &field) in FIELDS.iter().enumerate() {
            let error = form.error(check, field);
            let status = check.status(field);
            let input: &Element = &self.inputs[i];
            let mut class = String::from("cv-input");
            if status == Status::Empty {
                class.push_str(" is-empty");
            }
            if status == Status::Complete {
                class.push_str(" is-complete");
            }
            if error.is_some() {
                class.push_str(" is-invalid");
            }
            set_if_changed(input, "class", Some(&class));
            set_if_changed(
                input,
                "aria-invalid",
                Some(if error.is_some() { "true" } else { "false" }),
            );
            let mut described_by = if field == Field::Number {
                self.brand.id()
            } else {
                String::new()
            };
            if error.is_some() {
                if !described_by.is_empty() {
                    described_by.push(' ');
                }
                described_by.push_str(&self.errors[i].id());
            }
            set_if_changed(
                input,
                "aria-describedby",
                (!described_by.is_empty()).then_some(described_by.as_str()),
            );
            let message = error.map_or("", |e| messages.error(e));
            if self.errors[i].text_content().as_deref().unwrap_or_default() != message {
                self.errors[i].set_text_content(Some(message));
            }
        }
    }

    fn render_brand(&self, brand: Brand) {
        set_if_changed(&self.brand, "data-brand", Some(brand.id()));
        let name = brand_name(brand);
        if self.brand.text_content().as_deref().unwrap_or_default() != name.unwrap_or_default() {
            self.brand.set_text_content(name);
        }
        set_if_changed(&self.brand, "hidden", name.is_none().then_some(""));
    }
}

/// Sets (or with `None` removes) an attribute, unless it already has that value.
fn set_if_changed(element: &Element, name: &str, value: Option<&str>) {
    if element.get_attribute(name).as_deref() == value {
        return;
    }
    // Setting or removing an attribute with a valid, fixed name cannot fail.
    let _ = match value {
        Some(value) => element.set_attribute(name, value),
        None => element.remove_attribute(name),
    };
}

fn slot(field: Field) -> usize {
    match field {
        Field::Number => 0,
        Field::Exp => 1,
        Field::Cvc => 2,
        Field::Name => 3,
    }
}
