// The merchant's checkout as a React developer writes it, in StrictMode, with hooks on `window`
// by which the browser test (../browser.mjs) drives it and reads what happened.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { isCardVaultError, loadCardVault } from '@cardvault/js';
import type { ChangeEvent, MountOptions, TokenizeResult, UpdateOptions } from '@cardvault/js';
import { CardField, CardVaultProvider, useCardField } from '@cardvault/react';
import type { CardFieldErrorEvent } from '@cardvault/react';

const params = new URLSearchParams(location.search);
const vaultOrigin = params.get('vault') ?? '';
const integrity = params.get('integrity') ?? '';
const publishableKey = params.get('pk') as `pk_${string}`;

// Made once, at module level, as a merchant should.
const cardVault = loadCardVault(vaultOrigin, { integrity });

/** What the test reads. */
interface TestRecord {
  /** Whether a second loadCardVault gave the same promise. */
  samePromise: boolean;
  events: { ready: number; change: ChangeEvent[]; focus: number; blur: number; error: CardFieldErrorEvent[] };
}

interface Hooks {
  tokenize(): Promise<TokenizeResult>;
  /** Starts a tokenize, unmounts the field at once, and tells how the tokenize ended. */
  tokenizeThenUnmount(): Promise<{ code: string } | { token: string }>;
  setOptions(options: UpdateOptions): void;
  setMounted(mounted: boolean): void;
}

declare global {
  interface Window {
    record: TestRecord;
    app?: Hooks;
  }
}

window.record = {
  samePromise: loadCardVault(vaultOrigin, { integrity }) === cardVault,
  events: { ready: 0, change: [], focus: 0, blur: 0, error: [] },
};
const events = window.record.events;

function App() {
  const [mounted, setMounted] = useState(true);
  const [update, setUpdate] = useState<UpdateOptions>({});
  const options: MountOptions = { publishableKey, title: 'Card details', ...update };
  return (
    <CardVaultProvider cardVault={cardVault}>
      {mounted && <Field options={options} />}
      <Controls setMounted={setMounted} setUpdate={setUpdate} />
    </CardVaultProvider>
  );
}

function Field({ options }: { options: MountOptions }) {
  return (
    <CardField
      id="card"
      options={options}
      onReady={() => {
        events.ready += 1;
      }}
      onChange={(e) => {
        events.change.push(e);
      }}
      onFocus={() => {
        events.focus += 1;
      }}
      onBlur={() => {
        events.blur += 1;
      }}
      onError={(e) => {
        events.error.push(e);
      }}
    />
  );
}

/** The hooks on `window`, inside the provider, so that they use the field as a page would. */
function Controls({
  setMounted,
  setUpdate,
}: {
  setMounted: (mounted: boolean) => void;
  setUpdate: (options: UpdateOptions) => void;
}) {
  const { tokenize } = useCardField();
  useEffect(() => {
    window.app = {
      tokenize,
      async tokenizeThenUnmount() {
        const pending = tokenize();
        flushSync(() => setMounted(false));
        // Unsettled after 20 s: the field's destroy did not reject it.
        const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('unsettled')), 20_000));
        try {
          return { token: (await Promise.race([pending, late])).token };
        } catch (e) {
          return { code: isCardVaultError(e) ? e.code : String(e) };
        }
      },
      setOptions: (options) => setUpdate(options),
      setMounted,
    };
  }, [tokenize, setMounted, setUpdate]);
  const [result, setResult] = useState('');
  const pay = () => {
    tokenize().then(
      (r) => setResult(JSON.stringify(r)),
      (e: unknown) => setResult(JSON.stringify({ error: isCardVaultError(e) ? e.code : String(e) })),
    );
  };
  return (
    <>
      <button id="pay" type="button" onClick={pay}>
        Pay
      </button>
      <pre id="result">{result}</pre>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
