// Type-checked only: the React package's props and hook, and what they must refuse.
import { CardField, CardVaultProvider, useCardField } from '@cardvault/react';
import type { CardFieldControls } from '@cardvault/react';
import { loadCardVault } from '@cardvault/js';

const cardVault = loadCardVault('https://vault.example', { integrity: 'sha384-abc' });

function Pay() {
  const { tokenize, encrypt, mounted }: CardFieldControls = useCardField();
  const pay = async () => {
    const { token } = await tokenize();
    const envelope: string = await encrypt();
    void [token.startsWith('tok_'), envelope];
  };
  return <button disabled={!mounted} onClick={() => void pay()}>Pay</button>;
}

export function Checkout() {
  return (
    <CardVaultProvider cardVault={cardVault}>
      <CardField
        className="card"
        options={{ publishableKey: 'pk_test', locale: 'fr', style: { base: { fontSize: '16px' } } }}
        onChange={(e) => void e.complete}
        onError={(e) => void (e.code === 'ready_timeout' || e.code === 'invalid_key')}
      />
      <Pay />
      {/* @ts-expect-error: options need a publishable key. */}
      <CardField options={{ locale: 'fr' }} />
      {/* @ts-expect-error: a change event has no number. */}
      <CardField options={{ publishableKey: 'pk_x' }} onChange={(e) => e.number} />
    </CardVaultProvider>
  );
}
