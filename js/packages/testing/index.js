// @cardvault/testing: drives the cardvault field from Playwright. The field's inputs live in an
// iframe on the vault's origin, out of the page's reach; Playwright reaches into it (even when
// it runs in a process of its own) and types key by key, as a shopper would, so that the field
// formats, checks and reports as it does for a real one.

/** The loader's iframe: `VAULT/v1/field?key=pk_…`. */
export const FIELD_IFRAME = 'iframe[src*="/v1/field?"]';

/** The inputs, by the `autocomplete` the contract gives them. */
const INPUTS = { number: 'cc-number', exp: 'cc-exp', cvc: 'cc-csc', name: 'cc-name' };

/** The field's frame: the only field on the page, or the iframe `options.iframe` names. */
function fieldFrame(page, options) {
  const iframe = options && options.iframe;
  if (!iframe) return page.locator(FIELD_IFRAME).contentFrame();
  return (typeof iframe === 'string' ? page.locator(iframe) : iframe).contentFrame();
}

function input(frame, name) {
  return frame.locator(`input[autocomplete="${INPUTS[name]}"]`);
}

/** `MM/YY`, `MM / YY`, `MMYY` or `MM/YYYY` as the four digits a shopper types. */
function expDigits(exp) {
  const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(String(exp));
  if (!match) throw new Error('fillCard: exp must be MM/YY (or MMYY, MM/YYYY)');
  return match[1].padStart(2, '0') + match[2].slice(-2);
}

/**
 * Types the card into the field, input by input: clicks each, empties it, and presses its keys
 * one by one. Waits for the field to be ready (its iframe has no height until then). An input
 * whose value is not given is left as it is.
 */
export async function fillCard(page, card, options) {
  const frame = fieldFrame(page, options);
  const delay = (options && options.delay) || 0;
  const values = {
    number: card.number === undefined ? undefined : String(card.number).replace(/[\s-]/g, ''),
    exp: card.exp === undefined ? undefined : expDigits(card.exp),
    cvc: card.cvc === undefined ? undefined : String(card.cvc),
    name: card.name,
  };
  for (const name of ['number', 'exp', 'cvc', 'name']) {
    if (values[name] === undefined) continue;
    const field = input(frame, name);
    await field.click();
    await field.clear();
    await field.pressSequentially(values[name], { delay });
  }
}

/**
 * What the field shows, read inside its iframe: its language, the brand it tells, and for each
 * input its state (`empty`, `complete`, `invalid`), label, placeholder, error text and computed
 * style. Never an input's value.
 */
export async function readFieldState(page, options) {
  const frame = fieldFrame(page, options);
  return frame.locator('form.cv').evaluate((form, inputs) => {
    const state = { locale: form.lang, brand: 'unknown', inputs: {}, errors: [] };
    const brand = form.querySelector('.cv-brand');
    if (brand) state.brand = brand.getAttribute('data-brand') || 'unknown';
    for (const [name, autocomplete] of Object.entries(inputs)) {
      const el = form.querySelector(`input[autocomplete="${autocomplete}"]`);
      const label = el && form.querySelector(`label[for="${el.id}"]`);
      const error = el && form.querySelector(`#${CSS.escape(el.id)}-error`);
      const css = getComputedStyle(el);
      state.inputs[name] = {
        empty: el.classList.contains('is-empty'),
        complete: el.classList.contains('is-complete'),
        invalid: el.classList.contains('is-invalid'),
        focused: form.ownerDocument.activeElement === el,
        label: label ? label.textContent : '',
        placeholder: el.placeholder,
        error: error && error.textContent ? error.textContent : null,
        style: {
          color: css.color,
          backgroundColor: css.backgroundColor,
          fontFamily: css.fontFamily,
          fontSize: css.fontSize,
          fontWeight: css.fontWeight,
        },
      };
      if (error && error.textContent) state.errors.push(error.textContent);
    }
    return state;
  }, INPUTS);
}
