/** The part of a WebSocket the clients use: the browser's, Node 22's, or the `ws` package's. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a socket to `url`. In Node, pass one that sets headers (a session cookie on /connect). */
export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

export function isOpen(socket: SocketLike | undefined): socket is SocketLike {
  return socket?.readyState === OPEN;
}

/** The global WebSocket (browsers, Node 22+), or an error saying to pass one. */
export function defaultFactory(): SocketFactory {
  const Global = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!Global) throw new TypeError('no global WebSocket here: pass `socket: (url) => new WebSocket(url)` (the ws package in Node 20)');
  return (url) => new Global(url);
}

/** `base` (http(s):// or ws(s)://, with or without a trailing slash) joined with `path`, as a socket URL. */
export function socketUrl(base: string, path: string): string {
  return `${base.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
}
