// Type-checked only (tsc --strict --noEmit), never run: every option, event, result and error
// code of the loader's declarations in use, and what they must refuse (@ts-expect-error fails
// the check when the declarations accept it).
import { isCardVaultError, loadCardVault } from '@cardvault/js';
import type {
  Brand,
  CardField,
  CardVault,
  CardVaultError,
  ChangeEvent,
  Envelope,
  ErrorCode,
  FieldErrorEvent,
  MessageKey,
  MountOptions,
  Style,
  TokenizeResult,
} from '@cardvault/js';
import { fillCard, readFieldState } from '@cardvault/testing';
import type { FieldState } from '@cardvault/testing';
import type { Page } from 'playwright-core';

const style: Style = {
  base: {
    color: '#32325d',
    backgroundColor: 'transparent',
    fontFamily: '"Helvetica Neue", sans-serif',
    fontSize: '16px',
    fontWeight: 400,
    fontStyle: 'normal',
    letterSpacing: '0.02em',
    lineHeight: 1.5,
    padding: '4px 8px',
    textTransform: 'none',
    textAlign: 'left',
    ':hover': { color: '#111' },
    ':focus': { color: '#000' },
    '::placeholder': { color: '#aab7c4' },
  },
  empty: { color: '#999' },
  complete: { color: '#2e7d32' },
  invalid: { color: '#c62828', '::placeholder': { color: '#e57373' } },
};

const messages: Partial<Record<MessageKey, string>> = {
  number_label: 'Card',
  number_placeholder: '0000 0000 0000 0000',
  exp_label: 'Expires',
  exp_placeholder: 'MM / YY',
  cvc_label: 'CVC',
  cvc_label_optional: 'CVC (if any)',
  cvc_placeholder: '123',
  name_label: 'Name',
  name_placeholder: 'As on the card',
  invalid_number: 'Check the number.',
  network_error: 'Offline?',
  card_enumeration: 'Too many cards tried.',
};

const options: MountOptions = {
  publishableKey: 'pk_test',
  style,
  locale: 'pt-BR',
  messages,
  cvc: 'optional',
  title: 'Card details',
  readyTimeout: 15_000,
};

// @ts-expect-error: a publishable key starts with pk_.
const secretKey: MountOptions = { publishableKey: 'sk_live' };
// @ts-expect-error: a property the field does not apply.
const position: Style = { base: { position: 'absolute' } };
// @ts-expect-error: a language the field does not speak.
const klingon: MountOptions = { publishableKey: 'pk_x', locale: 'tlh' };
// @ts-expect-error: no such message.
const unknownMessage: Partial<Record<MessageKey, string>> = { pay_button: 'Pay' };
// @ts-expect-error: `cvc` is required or optional.
const cvcNever: MountOptions = { publishableKey: 'pk_x', cvc: 'never' };
void [secretKey, position, klingon, unknownMessage, cvcNever];

/** The message a checkout shows for each code: the compiler wants every one. */
function explain(code: ErrorCode): string {
  switch (code) {
    case 'invalid_number':
    case 'incomplete_number':
    case 'invalid_exp':
    case 'incomplete_exp':
    case 'expired':
    case 'invalid_cvc':
    case 'incomplete_cvc':
    case 'invalid_name':
    case 'invalid_card':
      return 'Check the card.';
    case 'network_error':
    case 'unavailable':
    case 'locked':
    case 'rate_limited':
    case 'card_enumeration':
      return 'Try again later.';
    case 'stale_envelope':
      return 'Check your clock.';
    case 'invalid_envelope':
    case 'unknown_key':
    case 'replayed_envelope':
    case 'unauthorized':
    case 'forbidden_origin':
    case 'payload_too_large':
    case 'unsupported_media_type':
    case 'internal':
      return 'Something went wrong.';
    case 'invalid_target':
    case 'invalid_key':
    case 'not_ready':
    case 'destroyed':
    case 'ready_timeout':
    case 'load_failed':
      return 'The page is broken.';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export async function checkout(): Promise<void> {
  const vault: CardVault | null = await loadCardVault('https://vault.example', {
    integrity: 'sha384-abc',
  });
  if (!vault) return;
  const version: 1 = vault.version;
  const card: CardField = vault.mount('#card', options).on('ready', (e) => {
    const none: Record<string, never> = e;
    void none;
  });
  card
    .on('change', (e: ChangeEvent) => {
      const brand: Brand = e.brand;
      const flags: [boolean, boolean] = [e.complete, e.empty];
      if (e.error) explain(e.error.code);
      void [brand, flags, e.error?.message];
    })
    .on('focus', () => {})
    .on('blur', () => {})
    .on('error', (e: FieldErrorEvent) => {
      const code: 'ready_timeout' = e.code;
      void [code, e.message];
    });
  // @ts-expect-error: no such event.
  card.on('submit', () => {});
  // @ts-expect-error: a change has no number.
  card.on('change', (e) => e.number);
  card.update({ style: { base: { fontSize: '18px' } } }).update({ locale: 'auto', messages: {} });
  card.focus();
  card.clear();
  try {
    const { token, card: meta }: TokenizeResult = await card.tokenize();
    const tok: `tok_${string}` = token;
    const last4: string = meta.last4;
    const expiry: [number, number] = [meta.exp_month, meta.exp_year];
    const brand: Brand = meta.brand;
    void [tok, last4, expiry, brand, version];
    const envelope: Envelope = await card.encrypt();
    void envelope.split('.');
  } catch (e) {
    if (isCardVaultError(e)) {
      const error: CardVaultError = e;
      explain(error.code);
      if (error.field) void error.field.toUpperCase();
    }
  }
  card.destroy();
}

/** A Playwright test of the checkout. */
export async function shopper(page: Page): Promise<void> {
  await fillCard(page, { number: '4242 4242 4242 4242', exp: '12/34', cvc: '123', name: 'Ada' });
  await fillCard(page, { cvc: '999' }, { iframe: '#card iframe', delay: 20 });
  await fillCard(page, { number: '5555555555554444' }, { iframe: page.locator('iframe').first() });
  const state: FieldState = await readFieldState(page);
  const complete: boolean = state.inputs.number.complete && !state.inputs.exp.invalid;
  const shown: string | null = state.inputs.cvc.error;
  const size: string = state.inputs.name.style.fontSize;
  void [complete, shown, size, state.locale, state.brand, state.errors.length];
  // @ts-expect-error: the state never holds an input's value.
  void state.inputs.number.value;
}

void checkout;
void shopper;
