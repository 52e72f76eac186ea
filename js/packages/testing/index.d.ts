import type { Locator, Page } from 'playwright-core';

/** The selector of the loader's iframe (`VAULT/v1/field?key=pk_…`). */
export const FIELD_IFRAME: string;

/** Which field, on a page with more than one. */
export interface FieldOptions {
  /** The field's iframe: a selector or a locator (default: the only field on the page). */
  iframe?: string | Locator;
}

export interface FillOptions extends FieldOptions {
  /** Milliseconds between key presses (default 0). */
  delay?: number;
}

/** What to type; an input left out is not touched. */
export interface TestCard {
  /** Digits, spaces and dashes allowed (`4242 4242 4242 4242`). */
  number?: string;
  /** `MM/YY`, `MM / YY`, `MMYY` or `MM/YYYY`. */
  exp?: string;
  cvc?: string;
  name?: string;
}

/**
 * Types the card into the field's cross-origin iframe, input by input and key by key, as a
 * shopper would; waits for the field to be ready.
 */
export function fillCard(page: Page, card: TestCard, options?: FillOptions): Promise<void>;

/** One input as the field shows it. */
export interface InputState {
  empty: boolean;
  complete: boolean;
  invalid: boolean;
  focused: boolean;
  label: string;
  placeholder: string;
  /** Its error text, in the field's words, when it shows one. */
  error: string | null;
  /** Its computed style. */
  style: {
    color: string;
    backgroundColor: string;
    fontFamily: string;
    fontSize: string;
    fontWeight: string;
  };
}

/** What the field shows (never an input's value). */
export interface FieldState {
  /** The form's `lang` (`en`, `pt-BR`, …). */
  locale: string;
  /** The brand the field tells (`unknown` while it cannot). */
  brand: string;
  inputs: Record<'number' | 'exp' | 'cvc' | 'name', InputState>;
  /** Every error text shown. */
  errors: string[];
}

/** Reads what the field shows, inside its iframe. */
export function readFieldState(page: Page, options?: FieldOptions): Promise<FieldState>;
