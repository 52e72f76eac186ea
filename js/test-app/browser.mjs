// The React test app (dist/, built by `cargo xtask test` with the npm pack tarballs of the three
// packages) against the real vault, in Debian's Chromium driven by playwright-core. Run by the
// end-to-end test `js` (tests/e2e/tests/js.rs), which starts the vault, creates the merchant of
// this app's origin and passes:
//   CARDVAULT_VAULT      the vault's origin
//   CARDVAULT_PK         the merchant's publishable key
//   CARDVAULT_INTEGRITY  the loader's SRI hash, as `cardvault serve` printed it
//   CARDVAULT_APP_PORT   the loopback port to serve the app on (its origin: http://localhost:PORT)
//   CARDVAULT_EXP_YEAR   the year the typed card expires in
//   CHROMIUM             the browser (default /usr/bin/chromium)
// Prints `tokens: [...]` last, for the test to look them up with the merchant's secret key.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { fillCard, readFieldState } from '@cardvault/testing';

const here = dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`browser.mjs: ${name} is not set`);
  return value;
};
const vault = env('CARDVAULT_VAULT');
const pk = env('CARDVAULT_PK');
const integrity = env('CARDVAULT_INTEGRITY');
const port = Number(env('CARDVAULT_APP_PORT'));
const expYear = Number(env('CARDVAULT_EXP_YEAR'));
const executablePath = env('CHROMIUM', '/usr/bin/chromium');

const VISA = '4242424242424242';
const MASTERCARD = '5555555555554444';
const TIMEOUT = 60_000;

function ok(what) {
  console.log(`ok - ${what}`);
}

// The packages under test are the tarballs installed into this app, not the workspace's sources.
const require = createRequire(join(here, 'package.json'));
for (const name of ['@cardvault/js', '@cardvault/react', '@cardvault/testing']) {
  const path = realpathSync(require.resolve(name));
  assert.ok(path.startsWith(join(here, 'node_modules')), `${name} resolves to ${path}, not the installed tarball`);
}

// However a step hangs, the run ends, and says so.
const watchdog = setTimeout(() => {
  console.error('browser.mjs: not done after 4 minutes');
  process.exit(2);
}, 240_000);

const server = await preview({
  root: here,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port, strictPort: true },
});
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // As root in a container: no sandbox; /dev/shm may be small.
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const tokens = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Every iframe put into the document, removed since or not: StrictMode's first mount too.
  await page.addInitScript(() => {
    window.iframesAdded = 0;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeName === 'IFRAME') window.iframesAdded += 1;
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const iframesAdded = () => page.evaluate(() => window.iframesAdded);
  const cdp = await page.context().newCDPSession(page);

  /** The `message` listeners on the page's window, as the browser's debugger lists them. */
  async function messageListeners() {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
    return listeners.filter((l) => l.type === 'message').length;
  }
  const iframes = () => page.evaluate(() => document.querySelectorAll('iframe').length);
  const record = () => page.evaluate(() => window.record);
  const until = (what, predicate) => page.waitForFunction(predicate, undefined, { timeout: TIMEOUT }).catch((e) => {
    throw new Error(`waiting for ${what}: ${e.message}`);
  });
  const lastChange = () => page.evaluate(() => window.record.events.change.at(-1) ?? null);

  const url = new URL(`http://localhost:${port}/`);
  url.searchParams.set('vault', vault);
  url.searchParams.set('pk', pk);
  url.searchParams.set('integrity', integrity);
  await page.goto(url.href);

  // StrictMode mounted the field, unmounted it and mounted it again: one field is left.
  await until('the field to be ready', () => window.record.events.ready >= 1);
  await page.waitForTimeout(300);
  let r = await record();
  assert.equal(r.events.ready, 1, 'ready once');
  assert.deepEqual(r.events.error, [], 'no error event');
  assert.equal(await iframes(), 1, 'one iframe after the double mount');
  assert.equal(page.frames().length, 2, 'the page and the field: two frames');
  assert.equal(await messageListeners(), 1, 'one message listener after the double mount');
  assert.equal(r.samePromise, true, 'a second loadCardVault gives the same promise');
  const scripts = await page.evaluate(() =>
    Array.from(document.scripts)
      .filter((s) => s.src.endsWith('/v1/cardvault.js'))
      .map((s) => ({ integrity: s.integrity, crossOrigin: s.crossOrigin })),
  );
  assert.deepEqual(scripts, [{ integrity, crossOrigin: 'anonymous' }], 'the loader script, once, with its SRI');
  ok('StrictMode: one iframe, one message listener, one loader script with its integrity');

  // A shopper types the card.
  const yy = String(expYear % 100).padStart(2, '0');
  await fillCard(page, { number: VISA, exp: `12/${yy}`, cvc: '123', name: 'Ada Lovelace' });
  await until('a complete change', () => window.record.events.change.at(-1)?.complete === true);
  assert.deepEqual(await lastChange(), { brand: 'visa', complete: true, empty: false, error: null });
  let state = await readFieldState(page);
  assert.equal(state.brand, 'visa');
  assert.equal(state.locale, 'en');
  for (const name of ['number', 'exp', 'cvc']) assert.ok(state.inputs[name].complete, `${name} complete`);
  assert.deepEqual(state.errors, []);
  ok('fillCard typed the card: change events, brand visa, complete');

  // The shopper pays: focus leaves the field for the button, whose handler calls
  // useCardField().tokenize, against the vault.
  await page.locator('#pay').click();
  await until('a blur', () => window.record.events.blur >= 1);
  r = await record();
  assert.ok(r.events.focus >= 1, `focus events (${r.events.focus})`);
  await until('the result', () => document.querySelector('#result').textContent !== '');
  const first = JSON.parse(await page.locator('#result').textContent());
  assert.match(first.token, /^tok_/);
  assert.deepEqual(first.card, { brand: 'visa', last4: '4242', exp_month: 12, exp_year: expYear });
  tokens.push(first.token);
  ok(`tokenize: ${first.card.brand} ${first.card.last4}`);

  // Style, locale and messages changed live: the same iframe, what was typed kept.
  await page.evaluate(() => {
    document.querySelector('iframe').dataset.before = 'update';
  });
  await page.evaluate(() =>
    window.app.setOptions({ locale: 'fr', style: { base: { fontSize: '19px', color: 'rgb(10, 20, 30)' } } }),
  );
  await page.locator('iframe').contentFrame().locator('form.cv[lang="fr"]').waitFor();
  state = await readFieldState(page);
  assert.equal(state.locale, 'fr');
  assert.equal(state.inputs.number.label, 'Numéro de carte');
  assert.equal(state.inputs.number.style.fontSize, '19px');
  assert.equal(state.inputs.number.style.color, 'rgb(10, 20, 30)');
  assert.ok(state.inputs.number.complete && state.inputs.exp.complete, 'what was typed stays');
  await page.evaluate(() => window.app.setOptions({ locale: 'ja', messages: { number_label: 'Karte' } }));
  await page.locator('iframe').contentFrame().locator('form.cv[lang="ja"]').waitFor();
  state = await readFieldState(page);
  assert.equal(state.inputs.number.label, 'Karte', 'the merchant\'s message');
  assert.notEqual(state.inputs.exp.label, 'Expiry date', 'the Japanese words');
  assert.notEqual(state.inputs.number.style.fontSize, '19px', 'the style left out: the field\'s own again');
  r = await record();
  assert.equal(await page.evaluate(() => document.querySelector('iframe').dataset.before), 'update', 'the same iframe');
  assert.equal(r.events.ready, 1, 'no new ready: not remounted');
  assert.equal(await iframes(), 1);
  assert.equal(await messageListeners(), 1);
  ok('style, locale and messages updated live, without a remount');

  // Unmounted during a tokenize: it rejects with `destroyed`; nothing is left behind.
  const outcome = await page.evaluate(() => window.app.tokenizeThenUnmount());
  assert.deepEqual(outcome, { code: 'destroyed' });
  assert.equal(await iframes(), 0, 'no iframe after unmount');
  assert.equal(await messageListeners(), 0, 'no message listener after unmount');
  const notReady = await page.evaluate(() => window.app.tokenize().then(() => null, (e) => e.code));
  assert.equal(notReady, 'not_ready', 'tokenize without a field');
  ok('unmount during tokenize: destroyed; no iframe, no listener left');

  // Mounted again, now that the vault is loaded: StrictMode mounts it twice (two iframes put
  // in), the first destroyed at once. A field of its own, with the options of now.
  const added = await iframesAdded();
  await page.evaluate(() => window.app.setMounted(true));
  await until('the remounted field to be ready', () => window.record.events.ready >= 2);
  await page.waitForTimeout(300);
  r = await record();
  assert.equal(r.events.ready, 2);
  assert.equal((await iframesAdded()) - added, 2, 'StrictMode mounted the field twice');
  assert.equal(await iframes(), 1, 'one iframe after the remount');
  assert.equal(await messageListeners(), 1, 'one message listener after the remount');
  state = await readFieldState(page);
  assert.equal(state.locale, 'ja');
  assert.ok(state.inputs.number.empty, 'a new field is empty');
  await fillCard(page, { number: MASTERCARD, exp: `11${yy}`, cvc: '321' });
  await until('a complete change', () => window.record.events.change.at(-1)?.complete === true);
  const second = await page.evaluate(() => window.app.tokenize());
  assert.deepEqual(second.card, { brand: 'mastercard', last4: '4444', exp_month: 11, exp_year: expYear });
  assert.notEqual(second.token, first.token);
  tokens.push(second.token);
  ok('remounted: one iframe, one listener, typed and tokenized again');

  assert.deepEqual(problems, [], 'no console errors or warnings');
  // What the field itself logs is heard too: a style property it refuses, with its warning.
  await page.evaluate(() => window.app.setOptions({ style: { base: { position: 'absolute' } } }));
  await page.waitForTimeout(500);
  assert.ok(
    problems.some((p) => p.includes('cardvault: style `base.position` ignored')),
    `the field's console is heard: ${JSON.stringify(problems)}`,
  );
  ok('no console errors or warnings (and the field\'s console is heard)');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  server.httpServer.closeAllConnections?.();
  await new Promise((resolve) => server.httpServer.close(resolve));
  clearTimeout(watchdog);
}
if (!process.exitCode) console.log(`tokens: ${JSON.stringify(tokens)}`);
