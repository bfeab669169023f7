// An embedding platform's backend, in one file: it serves a page with the worm (index.html),
// mints its viewers' tokens with BANTERBOX_SECRET, creates its room through the admin API, and
// receives banterbox's signed webhooks. Node 20, no framework:
//
//   BANTERBOX_URL=http://127.0.0.1:8080 BANTERBOX_SECRET=… BANTERBOX_ADMIN_KEY=… \
//   WEBHOOK_SECRET=whsec_… PORT=3000 node examples/platform/server.mjs
//
// and run banterbox with WEBHOOK_URLS=http://127.0.0.1:3000/webhooks, the same WEBHOOK_SECRET,
// and ALLOWED_ORIGINS=http://127.0.0.1:3000 (the page opens its socket from this origin).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { BanterboxAdmin, BanterboxApiError, mintViewerToken, verifyWebhook } from '@banterbox/client/server';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const BANTERBOX_URL = env('BANTERBOX_URL');
const SECRET = env('BANTERBOX_SECRET');
const WEBHOOK_SECRET = env('WEBHOOK_SECRET');
const ROOM = process.env.ROOM ?? 'example';
const PORT = Number(process.env.PORT ?? 3000);

// The page, and the SDK as installed from npm (a bundler would do this for a real site).
const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8')
  .replaceAll('{{BANTERBOX_URL}}', BANTERBOX_URL)
  .replaceAll('{{ROOM}}', ROOM);
const sdk = readFileSync(
  createRequire(import.meta.url)
    .resolve('@banterbox/client')
    .replace(/index\.cjs$/, 'index.mjs'),
);

// The room, created once (a second start finds it there).
const admin = new BanterboxAdmin(BANTERBOX_URL, env('BANTERBOX_ADMIN_KEY'));
try {
  await admin.createRoom({ room: ROOM, options: ['left', 'right'] });
} catch (error) {
  if (!(error instanceof BanterboxApiError && error.status === 409)) throw error;
}

/** Webhook ids already handled: a redelivery of one is acknowledged and dropped. */
const handled = new Set();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } else if (req.method === 'GET' && url.pathname === '/sdk/banterbox-client.mjs') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
  } else if (req.method === 'GET' && url.pathname === '/token') {
    // A real platform knows its signed-in viewer; this example makes one up per page load.
    const viewer = url.searchParams.get('viewer') ?? randomUUID();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: mintViewerToken(SECRET, { userId: viewer, room: ROOM, ttlS: 600 }) }));
  } else if (req.method === 'POST' && url.pathname === '/webhooks') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const { id, event } = verifyWebhook(WEBHOOK_SECRET, req.headers, body);
        if (!handled.has(id)) {
          handled.add(id);
          console.log(JSON.stringify({ webhook: event.type, id, data: event.data }));
        }
        res.writeHead(204).end();
      } catch (error) {
        console.log(JSON.stringify({ refused: error.message }));
        res.writeHead(400).end();
      }
    });
  } else {
    res.writeHead(404).end();
  }
});
server.listen(PORT, '127.0.0.1', () => console.log(JSON.stringify({ listening: `http://127.0.0.1:${PORT}`, room: ROOM })));
