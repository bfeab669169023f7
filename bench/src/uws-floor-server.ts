/**
 * The floor for fan-out: a bare uWS server that does nothing but publish one snapshot-sized frame
 * to every socket on each tick boundary (FLOOR_TICK_MS), the way the gateway fans out a room's
 * snapshot. The fanout bench runs it with the same sockets to compare CPU per delivery.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const uws = require('uWebSockets.js') as typeof import('uWebSockets.js');

const TICK_MS = Number(process.env.FLOOR_TICK_MS ?? 1000);
const app = uws.App();
app.ws('/*', {
  compression: 0,
  maxPayloadLength: 1024,
  idleTimeout: 60,
  sendPingsAutomatically: true,
  maxBackpressure: 256 * 1024,
  open: (ws) => {
    ws.subscribe('room');
  },
  message: () => undefined,
});
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) throw new Error('floor server could not listen');
  process.stdout.write(`${JSON.stringify({ msg: 'floor listening', port: uws.us_socket_local_port(socket) })}\n`);
});

function tick(): void {
  const now = Date.now();
  const ts = now - (now % TICK_MS);
  app.publish('room', `{"data":[{"ts":${ts},"votes":{"yes":512,"no":488},"connected":10000}]}`, false);
  setTimeout(tick, ts + TICK_MS - Date.now());
}
setTimeout(tick, TICK_MS - (Date.now() % TICK_MS));
