// @cardvault/react: the cardvault field as React components. Plain JavaScript (no JSX), so the
// package needs no build.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

const Context = createContext(null);

function fail(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

/** Holds the CardVault (or its promise, from loadCardVault) and the field mounted under it. */
export function CardVaultProvider({ cardVault, children }) {
  // A CardVault given as it is (not a promise) is there from the first render.
  const [vault, setVault] = useState(() => (isVault(cardVault) ? cardVault : null));
  const [card, setCard] = useState(null);
  useEffect(() => {
    let current = true;
    if (isVault(cardVault)) {
      setVault(cardVault);
    } else {
      setVault(null);
      Promise.resolve(cardVault).then(
        (v) => {
          if (current) setVault(v || null);
        },
        (e) => {
          if (current) console.error('cardvault: the loader did not load', e);
        },
      );
    }
    return () => {
      current = false;
    };
  }, [cardVault]);
  const value = useMemo(() => ({ vault, card, setCard }), [vault, card]);
  return createElement(Context.Provider, { value }, children);
}

function isVault(value) {
  return Boolean(value) && typeof value.mount === 'function';
}

function useCardVaultContext(who) {
  const context = useContext(Context);
  if (!context) throw new Error(`${who} must be inside <CardVaultProvider>`);
  return context;
}

/**
 * What of the options `update` can change, each as a comparable string, with the value the
 * field takes for one left out (no style, English, no overrides).
 */
function updatable(options) {
  return {
    style: JSON.stringify(options.style || {}),
    locale: options.locale || 'en',
    messages: JSON.stringify(options.messages || {}),
  };
}

const EVENTS = ['ready', 'change', 'focus', 'blur', 'error'];

/**
 * The card field. Mounted once per publishable key and CVC policy: new style, locale or
 * messages are applied to the mounted field (`card.update`), never by a remount. In StrictMode's
 * double mount the first field is destroyed before the second is made, so one iframe and one
 * listener remain.
 */
export function CardField({ options, onReady, onChange, onFocus, onBlur, onError, id, className }) {
  const { vault, setCard } = useCardVaultContext('<CardField>');
  const host = useRef(null);
  const mounted = useRef(null);
  const latest = useRef(options);
  latest.current = options;
  const handlers = useRef({});
  handlers.current = { ready: onReady, change: onChange, focus: onFocus, blur: onBlur, error: onError };
  const publishableKey = options.publishableKey;
  const cvc = options.cvc;

  useEffect(() => {
    if (!vault || !host.current) return undefined;
    const opts = latest.current;
    let card;
    try {
      card = vault.mount(host.current, opts);
    } catch (e) {
      // `invalid_key` or `invalid_target`: the page's mistake, told where the page listens.
      const handler = handlers.current.error;
      if (!handler) throw e;
      handler({ code: e.code, message: e.message });
      return undefined;
    }
    for (const type of EVENTS) {
      card.on(type, (event) => {
        const handler = handlers.current[type];
        if (handler) handler(event);
      });
    }
    mounted.current = { card, applied: updatable(opts) };
    setCard(card);
    return () => {
      mounted.current = null;
      card.destroy();
      setCard((c) => (c === card ? null : c));
    };
  }, [vault, publishableKey, cvc, setCard]);

  const wanted = updatable(options);
  useEffect(() => {
    const m = mounted.current;
    if (!m) return;
    const changes = {};
    const { style, locale, messages } = latest.current;
    if (m.applied.style !== wanted.style) changes.style = style || {};
    if (m.applied.locale !== wanted.locale) changes.locale = locale || 'en';
    if (m.applied.messages !== wanted.messages) changes.messages = messages || {};
    m.applied = wanted;
    if (Object.keys(changes).length > 0) m.card.update(changes);
  }, [wanted.style, wanted.locale, wanted.messages]);

  return createElement('div', { ref: host, id, className });
}

/** `tokenize` and `encrypt` of the field mounted under the provider, and whether there is one. */
export function useCardField() {
  const { card } = useCardVaultContext('useCardField()');
  const tokenize = useCallback(
    () => (card ? card.tokenize() : Promise.reject(fail('not_ready', 'No card field is mounted.'))),
    [card],
  );
  const encrypt = useCallback(
    () => (card ? card.encrypt() : Promise.reject(fail('not_ready', 'No card field is mounted.'))),
    [card],
  );
  return { tokenize, encrypt, mounted: card !== null };
}
