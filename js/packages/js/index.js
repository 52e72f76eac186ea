// @cardvault/js: adds the vault's loader (`/v1/cardvault.js`) to the page once, with its
// Subresource Integrity hash, and resolves with the `CardVault` object it defines.

/** The one load of this page: every call gets the same promise (until a load fails). */
let loading = null;

const LOADER_PATH = '/v1/cardvault.js';

function fail(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

/** The loader's URL on the vault at `vaultOrigin` (an origin; a path is ignored). */
function loaderUrl(vaultOrigin) {
  let url;
  try {
    url = new URL(LOADER_PATH, vaultOrigin);
  } catch {
    throw fail('load_failed', `loadCardVault: ${String(vaultOrigin)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw fail('load_failed', `loadCardVault: ${url.origin} is not an http(s) origin`);
  }
  return url.href;
}

function load(vaultOrigin, options) {
  return new Promise((resolve, reject) => {
    const src = loaderUrl(vaultOrigin);
    const integrity = options && options.integrity;
    // The loader decides where the card goes: it is pinned by its hash, as the vault printed it.
    if (typeof integrity !== 'string' || !/^sha(256|384|512)-[A-Za-z0-9+/=]+$/.test(integrity)) {
      throw fail(
        'load_failed',
        'loadCardVault: options.integrity must be the loader\'s hash (sha384-…), as `cardvault serve` prints it',
      );
    }
    if (window.CardVault) return resolve(window.CardVault);
    const done = (script) => {
      if (window.CardVault) return resolve(window.CardVault);
      script.remove();
      reject(fail('load_failed', 'loadCardVault: the loader ran but defined no CardVault'));
    };
    const failed = (script) => {
      script.remove();
      reject(fail('load_failed', `loadCardVault: ${src} did not load (the network, or an integrity mismatch)`));
    };
    // A script of this loader already on the page (in its HTML, say), not yet run: wait for it.
    const existing = Array.from(document.scripts).find((s) => s.src === src);
    const script = existing || document.createElement('script');
    script.addEventListener('load', () => done(script));
    script.addEventListener('error', () => failed(script));
    if (existing) return;
    script.src = src;
    script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    script.async = true;
    document.head.appendChild(script);
  });
}

export function loadCardVault(vaultOrigin, options) {
  // Rendered on a server: there is no field to load, and no error to throw at module level.
  if (typeof window === 'undefined' || typeof document === 'undefined') return Promise.resolve(null);
  if (loading) return loading;
  loading = load(vaultOrigin, options);
  // A failed load may be tried again.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** Whether `error` is one the loader or loadCardVault made (an Error with a string `code`). */
export function isCardVaultError(error) {
  return error instanceof Error && typeof error.code === 'string';
}
