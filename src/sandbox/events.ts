/**
 * The in-process bus between the order engine and the brokerage stream sessions: every change of
 * an order, position or balance is published once here and fanned out to the subscribed sessions.
 */
import type { components } from '../../generated/schema';

type Schemas = components['schemas'];

interface Owner {
  userId: string;
  accountId: string;
  connectionId: string;
}

/** One account change, in the shape the brokerage stream sends it (minus `seq`). */
export type AccountEvent = Owner &
  (
    | { action: 'order_update'; topic: 'orders'; data: Schemas['Order'] }
    | { action: 'position_update'; topic: 'positions'; data: Schemas['Position'] }
    | { action: 'balance_update'; topic: 'balances'; data: Schemas['Balance'] }
  );

/** A tiny synchronous event hub (listeners run in subscription order). */
export class Hub<T> {
  private readonly listeners = new Set<(event: T) => void>();

  /** Adds a listener; returns its remover. */
  on(listener: (event: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener; one failing listener does not stop the others. */
  emit(event: T, onError: (error: unknown) => void = () => {}): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}
