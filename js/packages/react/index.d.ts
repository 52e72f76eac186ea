import type { ReactElement, ReactNode } from 'react';
import type {
  CardVault,
  ChangeEvent,
  Envelope,
  FieldErrorEvent,
  MountOptions,
  TokenizeResult,
} from '@cardvault/js';

export interface CardVaultProviderProps {
  /**
   * The loader's CardVault, or the promise loadCardVault returned: made once, outside render
   * (a new promise at each render would mount the field anew each time).
   */
  cardVault: CardVault | Promise<CardVault | null> | null;
  children?: ReactNode;
}

/** Holds the CardVault and the card field mounted under it. */
export function CardVaultProvider(props: CardVaultProviderProps): ReactElement;

/** What `onError` gets. */
export type CardFieldErrorEvent =
  | FieldErrorEvent
  | { code: 'invalid_key' | 'invalid_target'; message: string };

export interface CardFieldProps {
  /**
   * The field's options. A new `publishableKey` or `cvc` mounts a new field; new `style`,
   * `locale` or `messages` are applied to the mounted one (what the shopper typed stays); a new
   * `title` or `readyTimeout` waits for the next mount.
   */
  options: MountOptions;
  onReady?: (event: Record<string, never>) => void;
  onChange?: (event: ChangeEvent) => void;
  onFocus?: (event: Record<string, never>) => void;
  onBlur?: (event: Record<string, never>) => void;
  /**
   * The field did not load (`ready_timeout`), or could not be mounted (`invalid_key`,
   * `invalid_target`; without `onError` that is thrown, to the nearest error boundary).
   */
  onError?: (event: CardFieldErrorEvent) => void;
  /** Of the element that holds the iframe. */
  id?: string;
  className?: string;
}

/** The card field (one per provider). */
export function CardField(props: CardFieldProps): ReactElement;

export interface CardFieldControls {
  /** Rejects with `not_ready` when no field is mounted, `destroyed` when it unmounts first. */
  tokenize(): Promise<TokenizeResult>;
  encrypt(): Promise<Envelope>;
  /** Whether a field is mounted under the provider. */
  mounted: boolean;
}

/** `tokenize` and `encrypt` of the provider's field. */
export function useCardField(): CardFieldControls;
