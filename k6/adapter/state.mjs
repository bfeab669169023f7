// The adapter's shared state: the VU each piece of code runs for (AsyncLocalStorage), the work a
// VU still has pending (sockets, timers), the metrics, and the checks.
import { AsyncLocalStorage } from 'node:async_hooks';

export const vuContext = new AsyncLocalStorage();

/** One virtual user: its id, its cookie jar, and what keeps its iteration running. */
export class Vu {
  constructor(id) {
    this.id = id;
    this.cookies = new Map();
    this.pending = 0;
    this.waiters = [];
    this.errors = [];
  }

  hold() {
    this.pending += 1;
  }

  release() {
    this.pending -= 1;
    if (this.pending <= 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves once nothing of this VU is pending (k6 ends an iteration the same way). */
  idle() {
    return this.pending <= 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

export function currentVu() {
  const vu = vuContext.getStore();
  if (!vu) throw new Error('k6 adapter: this call needs a VU (it ran outside setup() or the default function)');
  return vu;
}

/** name -> { type: 'trend' | 'counter' | 'rate', isTime, values: number[] } */
export const metrics = new Map();

export function metric(name, type, isTime = false) {
  let m = metrics.get(name);
  if (!m) {
    m = { type, isTime, values: [] };
    metrics.set(name, m);
  }
  return m;
}

/** check name -> { passes, fails } */
export const checks = new Map();

/** Iterations started per scenario, for exec.scenario.iterationInTest. */
export const iterations = { count: 0 };
