import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Waiters } from '@banterbox/local-stack';
import { recordWireViolations, wireCheck } from './wire-check';

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A WebSocket test client that records every JSON frame it receives, so a test can wait for the
 * frame it expects instead of sleeping. Every frame is also checked against the wire's schemas
 * (wire-check.ts); the integration suites fail a test whose frames break them.
 */
export class TestSocket {
  readonly frames: unknown[] = [];
  closed: Closed | undefined;
  private readonly waiters = new Waiters();

  private constructor(
    readonly ws: WebSocket,
    path: string,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      recordWireViolations(wireCheck().frame(path, text));
      this.frames.push(JSON.parse(text));
      this.waiters.notify();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiters.notify();
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const socket = new TestSocket(ws, new URL(url).pathname);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first frame (at or after index `from`) that matches. */
  waitFor<T = unknown>(match: (frame: T) => boolean, timeoutMs = 5_000, from = 0): Promise<T> {
    return this.until(() => (this.frames.slice(from) as T[]).find(match), timeoutMs, 'matching frame');
  }

  /** Resolves once `condition` holds, checked after every frame. */
  waitUntil(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<true> {
    return this.until(() => (condition() ? true : undefined), timeoutMs, what);
  }

  waitForClose(timeoutMs = 5_000): Promise<Closed> {
    return this.until(() => this.closed, timeoutMs, 'close');
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return this.waiters.until(
      probe,
      timeoutMs,
      () => `waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-5)).slice(0, 1000)}`,
    );
  }

  close(): void {
    this.ws.close();
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }
}

/**
 * Checks every frame `ws` receives against the wire's schemas, as TestSocket does: for sockets a
 * test hands to other code (the SDK's clients).
 */
export function watchFrames(ws: WebSocket): WebSocket {
  const path = new URL(ws.url).pathname;
  ws.on('message', (data) => recordWireViolations(wireCheck().frame(path, data.toString())));
  return ws;
}

/** Polls `probe` until it returns a value that is not undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}
