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
  /** The loader's CardVault, or the promise loadCardVault returned (made once, outside render). */
  cardVault: CardVault | Promise<CardVault> | null;
  children?: ReactNode;
}

/** Holds the CardVault and the card field mounted under it. */
export function CardVaultProvider(props: CardVaultProviderProps): ReactElement;

export interface CardFieldProps {
  /**
   * The field's options. A new `publishableKey` or `cvc` mounts a new field; new `style`,
   * `locale` or `messages` are applied to the mounted one.
   */
  options: MountOptions;
  onReady?: (event: Record<string, never>) => void;
  onChange?: (event: ChangeEvent) => void;
  onFocus?: (event: Record<string, never>) => void;
  onBlur?: (event: Record<string, never>) => void;
  onError?: (event: FieldErrorEvent) => void;
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
