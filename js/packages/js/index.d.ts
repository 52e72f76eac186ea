// Types of the cardvault loader (`/v1/cardvault.js`, version 1) and of loadCardVault.

/** The brand of a card number (also `unknown` while it cannot be told). */
export type Brand =
  | 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'maestro'
  | 'mir' | 'elo' | 'hiper' | 'hipercard' | 'unknown';

/** Why the card rules refused what the shopper typed. */
export type CardErrorCode =
  | 'invalid_number' | 'incomplete_number' | 'invalid_exp' | 'incomplete_exp' | 'expired'
  | 'invalid_cvc' | 'incomplete_cvc' | 'invalid_name';

/**
 * The vault's error codes (`{"error":{"code"}}`) that `POST /v1/tokens` answers with, which a
 * `tokenize()` passes on (the OpenAPI document's list for that route).
 */
export type VaultErrorCode =
  | 'invalid_envelope' | 'unknown_key' | 'stale_envelope' | 'unauthorized' | 'forbidden_origin'
  | 'replayed_envelope' | 'payload_too_large' | 'unsupported_media_type' | 'invalid_card'
  | 'rate_limited' | 'card_enumeration' | 'internal' | 'unavailable' | 'locked';

/** The field's own: the vault could not be reached. */
export type FieldErrorCode = 'network_error';

/** The loader's and loadCardVault's own. */
export type LoaderErrorCode =
  | 'invalid_target' | 'invalid_key' | 'not_ready' | 'destroyed' | 'ready_timeout'
  | 'load_failed';

/** Every `code` an error of the loader can carry. */
export type ErrorCode = CardErrorCode | VaultErrorCode | FieldErrorCode | LoaderErrorCode;

/** The part of the card an error is about. */
export type CardInput = 'number' | 'exp' | 'cvc' | 'name';

/**
 * What `tokenize()`, `encrypt()`, `mount()` and `loadCardVault()` reject or throw with
 * (`isCardVaultError` tells it from other errors in a `catch`).
 */
export interface CardVaultError extends Error {
  code: ErrorCode;
  /** For a card error: the input it is about. */
  field?: CardInput;
}

/** The languages the field speaks. */
export type Language = 'en' | 'fr' | 'de' | 'es' | 'it' | 'nl' | 'pt' | 'ja' | 'pl' | 'sv';

/**
 * A language tag the field speaks: a language, with a region or not (`es-MX` is Spanish,
 * `pt-BR` Brazilian Portuguese, any other `pt` that of Portugal), or `auto` for the browser's.
 */
export type Locale = Language | `${Language}-${string}` | `${Language}_${string}` | 'auto';

/** The labels and placeholders of the field, by key. */
export type LabelKey =
  | 'number_label' | 'number_placeholder' | 'exp_label' | 'exp_placeholder' | 'cvc_label'
  | 'cvc_label_optional' | 'cvc_placeholder' | 'name_label' | 'name_placeholder';

/**
 * The keys of the field's words, which `messages` may override: its labels, the card errors,
 * and the failures after validation. Every locale has a text for each of these but the vault's
 * rarer codes (for which an override is still shown); `locked` reads as `unavailable`.
 */
export type MessageKey =
  | LabelKey | CardErrorCode | FieldErrorCode | Exclude<VaultErrorCode, 'locked'>;

/**
 * The CSS properties the field applies, as CSS values (anything else, and a value that could
 * reach outside its declaration or load something, is left out with a console warning).
 * Numbers only where CSS takes a unitless one.
 */
export interface StyleProperties {
  color?: string;
  backgroundColor?: string;
  fontFamily?: string;
  fontSize?: string;
  fontWeight?: string | number;
  fontStyle?: string;
  letterSpacing?: string;
  lineHeight?: string | number;
  padding?: string;
  textTransform?: string;
  textAlign?: string;
}

/** One state's properties, and its variants. */
export interface StyleState extends StyleProperties {
  ':hover'?: StyleProperties;
  ':focus'?: StyleProperties;
  '::placeholder'?: StyleProperties;
}

/** The field's style, by state of an input. */
export interface Style {
  base?: StyleState;
  empty?: StyleState;
  complete?: StyleState;
  invalid?: StyleState;
}

/** What `card.update()` may change on a mounted field. */
export interface UpdateOptions {
  style?: Style;
  locale?: Locale;
  /** Replaces every override given before. */
  messages?: Partial<Record<MessageKey, string>>;
}

/** `CardVault.mount`'s options. */
export interface MountOptions extends UpdateOptions {
  /** The merchant's publishable key. */
  publishableKey: `pk_${string}`;
  /** `optional`: a card is complete without a CVC (for a merchant created with --cvc-optional). */
  cvc?: 'required' | 'optional';
  /** The iframe's title, for assistive technology. */
  title?: string;
  /** Milliseconds before a field that never became ready is an `error` event; default 10000. */
  readyTimeout?: number;
}

/** A `change` event: never the number, nor any digit of it. */
export interface ChangeEvent {
  brand: Brand;
  /** Whether the card can be tokenized. */
  complete: boolean;
  /** Whether nothing is typed. */
  empty: boolean;
  /** The first error the shopper sees, in the field's locale. */
  error: { code: CardErrorCode; message: string } | null;
}

/** An `error` event: the field did not load. */
export interface FieldErrorEvent {
  code: 'ready_timeout';
  message: string;
}

/** Every event of a card field and its payload. */
export interface CardFieldEvents {
  ready: Record<string, never>;
  change: ChangeEvent;
  focus: Record<string, never>;
  blur: Record<string, never>;
  error: FieldErrorEvent;
}

export type CardFieldEvent = keyof CardFieldEvents;

/** The card's metadata that `tokenize()` gives the page. */
export interface CardMetadata {
  brand: Brand;
  last4: string;
  exp_month: number;
  exp_year: number;
}

/** What `tokenize()` resolves with. */
export interface TokenizeResult {
  token: `tok_${string}`;
  card: CardMetadata;
}

/** What `encrypt()` resolves with: the sealed envelope (JWE compact), for a backend to relay. */
export type Envelope = string;

/** A mounted card field. */
export interface CardField {
  on<K extends CardFieldEvent>(type: K, handler: (event: CardFieldEvents[K]) => void): CardField;
  /** Seals the card in the iframe, posts it to the vault, and resolves with the token. */
  tokenize(): Promise<TokenizeResult>;
  /** Seals the card in the iframe and resolves with the envelope. */
  encrypt(): Promise<Envelope>;
  /** New style, locale or messages, applied without reloading the field. */
  update(options: UpdateOptions): CardField;
  focus(): void;
  clear(): void;
  /** Removes the iframe and its listener; pending calls reject with `destroyed`. */
  destroy(): void;
}

/** The loader's global. */
export interface CardVault {
  /** Mounts a field into `target` (a selector or an element); throws `invalid_target` or `invalid_key`. */
  mount(target: string | Element, options: MountOptions): CardField;
  version: 1;
}

export interface LoadOptions {
  /**
   * The loader's Subresource Integrity hash (`sha384-…`), as `cardvault serve` prints it:
   * required, since the loader decides where the card goes.
   */
  integrity: string;
}

/**
 * Adds the loader of the vault at `vaultOrigin` to the page once, and resolves with its
 * `CardVault`. Every call gets the same promise (the first call's vault); after a failed load
 * (`load_failed`: a bad origin or hash, the network, an integrity mismatch) the next call tries
 * again. Resolves with `null` where there is no `window` (rendered on a server).
 */
export function loadCardVault(vaultOrigin: string, options: LoadOptions): Promise<CardVault | null>;

declare global {
  interface Window {
    CardVault?: CardVault;
  }
}

/** Whether `error` is one the loader or loadCardVault made (an Error with a string `code`). */
export function isCardVaultError(error: unknown): error is CardVaultError;
