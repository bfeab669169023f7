import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Endpoint } from './target';

/**
 * A minimal WebSocket client for load generation: the handshake by hand and text frames built
 * with a zero mask (valid per RFC 6455), so one core can drive thousands of sockets.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < 126 ? 6 : 8;
  const frame = Buffer.alloc(headerLength + length); // mask bytes stay zero
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  frame.write(text, headerLength);
  return frame;
}

export interface RawSocket {
  socket: Socket;
  /** What was received after the handshake (its first 4 KiB). */
  received: () => string;
  /** How many bytes were received after the handshake. */
  bytesReceived: () => number;
}

/**
 * Opens and upgrades a socket; resolves after the 101 response. `localAddress` (another loopback
 * address, 127.0.0.x) spreads many sockets over more ephemeral ports than one source address has.
 */
export function openRaw(port: number, path: string, localAddress?: string): Promise<RawSocket> {
  return openRawTo({ host: '127.0.0.1', port, tls: false, hostHeader: `127.0.0.1:${port}` }, path, localAddress);
}

/** The same against any endpoint (BENCH_TARGET), over TLS when it says so. */
export function openRawTo(endpoint: Endpoint, path: string, localAddress?: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const options = { host: endpoint.host, port: endpoint.port, ...(localAddress === undefined ? {} : { localAddress }) };
    const socket: Socket = endpoint.tls ? connectTls({ ...options, servername: endpoint.host }) : connect(options);
    socket.setNoDelay(true);
    let head = '';
    let body = '';
    let upgraded = false;
    let total = 0;
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      if (upgraded) {
        total += chunk.length;
        if (body.length < 4096) body += chunk.toString('latin1');
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.startsWith('HTTP/1.1 101')) {
        reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        socket.destroy();
        return;
      }
      upgraded = true;
      body = head.slice(end + 4);
      total = body.length;
      resolve({ socket, received: () => body, bytesReceived: () => total });
    });
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${endpoint.hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}
