// Runs the adapter's HTTP requests off the main thread, so that k6's synchronous http calls can
// block on them (Atomics.wait) while this thread does the I/O.
import { parentPort, workerData } from 'node:worker_threads';

const signal = new Int32Array(workerData.shared, 0, 2);
const bytes = new Uint8Array(workerData.shared, 8);

parentPort.on('message', async ({ method, url, body, headers }) => {
  let reply;
  try {
    const response = await fetch(url, { method, body: body ?? undefined, headers, redirect: 'manual' });
    reply = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      setCookie: response.headers.getSetCookie(),
      body: await response.text(),
    };
  } catch (error) {
    reply = { status: 0, headers: {}, setCookie: [], body: '', error: String(error) };
  }
  let encoded = new TextEncoder().encode(JSON.stringify(reply));
  if (encoded.length > bytes.length)
    encoded = new TextEncoder().encode(JSON.stringify({ ...reply, body: '', error: 'response too large for the adapter' }));
  bytes.set(encoded);
  Atomics.store(signal, 1, encoded.length);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
