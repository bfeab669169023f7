import NodeWebSocket from 'ws';
import { currentVu, vuContext } from '../state.mjs';

/**
 * k6/websockets' WebSocket on the `ws` package: the `on*` handlers and addEventListener for
 * open, message, error and close. An open socket keeps its VU's iteration running until it closes.
 */
export class WebSocket {
  constructor(url, protocols = null, params = null) {
    const vu = currentVu();
    vu.hold();
    this.url = url;
    this.listeners = { open: [], message: [], error: [], close: [] };
    this.onopen = null;
    this.onmessage = null;
    this.onerror = null;
    this.onclose = null;
    this.socket = new NodeWebSocket(url, protocols ?? undefined, { headers: params?.headers ?? {} });
    const fire = (type, event) => {
      vuContext.run(vu, () => {
        try {
          const handler = this[`on${type}`];
          if (handler) handler(event);
          for (const listener of this.listeners[type]) listener(event);
        } catch (error) {
          vu.errors.push(error);
        }
      });
    };
    this.socket.on('open', () => fire('open', {}));
    this.socket.on('message', (data, isBinary) => fire('message', { data: isBinary ? data : data.toString('utf8') }));
    this.socket.on('error', (error) => fire('error', { error: String(error) }));
    this.socket.once('close', (code, reason) => {
      fire('close', { code, reason: reason.toString() });
      vu.release();
    });
  }

  get readyState() {
    return this.socket.readyState;
  }

  addEventListener(type, listener) {
    this.listeners[type]?.push(listener);
  }

  send(data) {
    this.socket.send(data);
  }

  close(code, reason) {
    this.socket.close(code ?? 1000, reason);
  }
}

export default { WebSocket };
