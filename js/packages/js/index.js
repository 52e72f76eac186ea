// @cardvault/js: adds the vault's loader (`/v1/cardvault.js`) to the page once, with its
// Subresource Integrity hash, and resolves with the `CardVault` object it defines.

/** The one load of this page: every call gets the same promise (until a load fails). */
let loading = null;

function fail(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

export function loadCardVault(vaultOrigin, options) {
  if (loading) return loading;
  const integrity = options && options.integrity;
  loading = new Promise((resolve, reject) => {
    if (typeof window === 'undefined' || typeof document === 'undefined') {
      throw fail('load_failed', 'loadCardVault: needs a browser window');
    }
    const src = new URL('/v1/cardvault.js', vaultOrigin).href;
    if (window.CardVault) return resolve(window.CardVault);
    const script = document.createElement('script');
    script.src = src;
    // The loader decides where the card goes: pinned by its hash, as the vault printed it.
    if (integrity) script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    script.async = true;
    script.addEventListener('load', () => {
      if (window.CardVault) resolve(window.CardVault);
      else reject(fail('load_failed', 'loadCardVault: the loader ran but defined no CardVault'));
    });
    script.addEventListener('error', () => {
      script.remove();
      reject(fail('load_failed', `loadCardVault: ${src} did not load (network, or an integrity mismatch)`));
    });
    document.head.appendChild(script);
  });
  // A failed load may be tried again.
  loading.catch(() => { loading = null; });
  return loading;
}
