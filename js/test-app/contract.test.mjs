// The declarations of @cardvault/js (as packed) against what they describe: the field's and the
// loader's sources and the vault's OpenAPI document. A code, key, brand, locale or style
// property added there and not here (or the reverse) fails this test.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const read = (path) => readFileSync(join(root, path), 'utf8');
const dts = readFileSync(join(here, 'node_modules', '@cardvault', 'js', 'index.d.ts'), 'utf8');

/** The string literals of `export type NAME = 'a' | 'b' …;` in the declarations. */
function union(name) {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(dts);
  assert.ok(match, `no type ${name}`);
  return [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
}

/** The string literals in the part of `source` from `start` to the next line that is `end`. */
function literals(source, start, end, pattern = /"([^"]+)"/g) {
  const from = source.indexOf(start);
  assert.ok(from >= 0, `no ${start}`);
  const to = source.indexOf(end, from);
  return [...source.slice(from, to).matchAll(pattern)].map((m) => m[1]).sort();
}

const sorted = (values) => [...new Set(values)].sort();

test('brands are the card rules\' brand ids', () => {
  const ids = literals(read('src/card/brand.rs'), 'Visa => "visa"', '}', /=> "([a-z]+)"/g);
  assert.deepEqual(union('Brand'), sorted(ids));
});

test('card error codes are the card rules\'', () => {
  const codes = literals(read('src/card/error.rs'), 'CardError::InvalidNumber => "invalid_number"', '}', /=> "([a-z_]+)"/g);
  assert.deepEqual(union('CardErrorCode'), sorted(codes));
});

test('vault error codes are those POST /v1/tokens answers with', () => {
  const openapi = JSON.parse(read('docs/openapi.json'));
  const codes = [];
  for (const response of Object.values(openapi.paths['/v1/tokens'].post.responses)) {
    const schema = response.content?.['application/json']?.schema;
    const code = schema?.properties?.error?.properties?.code;
    if (code) codes.push(...code.enum);
  }
  assert.ok(codes.length > 5, 'codes found in the document');
  assert.deepEqual(union('VaultErrorCode'), sorted(codes));
});

test('every message key of the field can be overridden, and no other', () => {
  const keys = literals(read('src/field/i18n.rs'), 'pub const KEYS', '];');
  const declared = sorted([
    ...union('LabelKey'),
    ...union('CardErrorCode'),
    ...union('FieldErrorCode'),
    ...union('VaultErrorCode').filter((c) => c !== 'locked'),
  ]);
  for (const key of keys) assert.ok(declared.includes(key), `${key} is not a MessageKey`);
  assert.deepEqual(union('LabelKey'), keys.filter((k) => k.endsWith('_label') || k.endsWith('_placeholder') || k === 'cvc_label_optional'));
});

test('languages are the field\'s locales', () => {
  const tags = literals(read('src/field/i18n.rs'), 'pub fn tag(self)', '    }\n', /=> "([A-Za-z-]+)"/g);
  assert.deepEqual(union('Language'), sorted(tags.map((t) => t.split('-')[0])));
});

test('style properties are the field\'s allow-list', () => {
  const properties = literals(read('src/field/style.rs'), 'const PROPERTIES', '];', /\("([A-Za-z]+)", "/g);
  const block = /export interface StyleProperties \{([^}]*)\}/.exec(dts)[1];
  const declared = [...block.matchAll(/^\s*([A-Za-z]+)\?:/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, sorted(properties));
});

test('the loader\'s own codes, and loadCardVault\'s, are declared', () => {
  const loader = read('www/cardvault.js');
  const thrown = [...loader.matchAll(/fail\('([a-z_]+)'/g)].map((m) => m[1]);
  const events = [...loader.matchAll(/code: '([a-z_]+)'/g)].map((m) => m[1]);
  const load = [...readFileSync(join(here, 'node_modules', '@cardvault', 'js', 'index.js'), 'utf8').matchAll(/fail\(\s*'([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual(union('LoaderErrorCode'), sorted([...thrown, ...events, ...load]));
});
