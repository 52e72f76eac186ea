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
  const [vault, setVault] = useState(null);
  const [card, setCard] = useState(null);
  useEffect(() => {
    let current = true;
    setVault(null);
    if (cardVault) {
      Promise.resolve(cardVault).then(
        (v) => { if (current) setVault(v); },
        (e) => { if (current) console.error('cardvault: the loader did not load', e); },
      );
    }
    return () => { current = false; };
  }, [cardVault]);
  const value = useMemo(() => ({ vault, card, setCard }), [vault, card]);
  return createElement(Context.Provider, { value }, children);
}

function useCardVaultContext(who) {
  const context = useContext(Context);
  if (!context) throw new Error(`${who} must be inside <CardVaultProvider>`);
  return context;
}

/** What of the options `update` can change, as one comparable string. */
function updatable(options) {
  return JSON.stringify({
    style: options.style || {},
    locale: options.locale,
    messages: options.messages || {},
  });
}

/**
 * The card field. Mounted once per publishable key: new style, locale or messages are applied
 * to the mounted field (`card.update`), never by a remount. In StrictMode's double mount the
 * first field is destroyed before the second is made, so one iframe and one listener remain.
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
    const card = vault.mount(host.current, opts);
    for (const type of ['ready', 'change', 'focus', 'blur', 'error']) {
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
    if (!m || m.applied === wanted) return;
    m.applied = wanted;
    const { style, locale, messages } = latest.current;
    m.card.update({ style: style || {}, locale, messages: messages || {} });
  }, [wanted]);

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
