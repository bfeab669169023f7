import type * as UwsModule from 'uWebSockets.js';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';

export type Uws = typeof UwsModule;

export class UwsFallbackError extends Error {
  readonly code = 'uws_fallback';
  constructor() {
    super(
      'uWebSockets.js loaded its slow pure-JS fallback instead of the native binary (unsupported Node ' +
        `ABI ${process.versions.modules} or platform ${process.platform}-${process.arch}). ` +
        'Run on Node 20 on glibc Linux, or set UWS_ALLOW_FALLBACK=true to accept degraded performance.',
    );
    this.name = 'UwsFallbackError';
  }
}

/** Whether the loaded module is the native addon (the fallback's App is plain JavaScript). */
export function isNativeUws(uws: Uws): boolean {
  return typeof uws.getParts === 'function' && /\[native code\]/.test(Function.prototype.toString.call(uws.App));
}

/** Loads uWebSockets.js and refuses the pure-JS fallback unless `allowFallback`. */
export function loadUws(allowFallback: boolean): Uws {
  // Required lazily so a refused fallback is reported as a config error, not at import time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const uws = require('uWebSockets.js') as Uws;
  if (!isNativeUws(uws) && !allowFallback) throw new UwsFallbackError();
  return uws;
}

/** Listens on `host:port` (0 picks a free port) and resolves with the socket and the port. */
export function listen(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<{ socket: us_listen_socket; port: number }> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (!socket) reject(new UwsListenError(`could not listen on ${host}:${port}`));
      else resolve({ socket, port: uws.us_socket_local_port(socket) });
    });
  });
}

export class UwsListenError extends Error {
  readonly code = 'uws_listen';
  constructor(message: string) {
    super(message);
    this.name = 'UwsListenError';
  }
}

/**
 * Closes every connection the app still holds (kept-alive HTTP ones included) and its listen
 * sockets. The native addon has `close()` though its typings do not list it; a process that exits
 * gets the same for free, this is for gateways stopped in-process (tests, embedding).
 */
export function closeApp(app: TemplatedApp): void {
  const closable = app as TemplatedApp & { close?: () => void };
  closable.close?.();
}
