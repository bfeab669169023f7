import { LocalStackError } from './errors';

/**
 * Promise-based waiting on state that an event handler updates: the handler calls `notify()`,
 * and `until` resolves with the first non-undefined value of `probe` (or rejects with what the
 * probe throws, or on time-out with `describe()`).
 */
export class Waiters {
  private readonly pending = new Set<() => void>();

  notify(): void {
    for (const check of [...this.pending]) check();
  }

  until<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        this.pending.delete(check);
        outcome();
      };
      const check = (): void => {
        try {
          const value = probe();
          if (value !== undefined) settle(() => resolve(value));
        } catch (error) {
          settle(() => reject(error));
        }
      };
      const timer = setTimeout(
        () => settle(() => reject(new LocalStackError(`timed out after ${timeoutMs} ms: ${describe()}`))),
        timeoutMs,
      );
      this.pending.add(check);
      check();
    });
  }
}
