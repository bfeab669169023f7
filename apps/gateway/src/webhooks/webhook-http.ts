import type { WebhookConfig } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import { WebhookStore, redisTimeMs, type ScriptedRedis } from '@banterbox/store';
import { HttpError, checkAdmin, handleAsync, sendJson, type HttpRoutes } from '../http/http';

/** Stream ids of webhook events: what `evt_<id>` carries. */
const EVENT_ID = /^(?:evt_)?(\d{1,20}-\d{1,20})$/;

/**
 * The webhook delivery log for operators (admin key): `GET /api/webhooks?limit=` (the newest
 * attempts first, and how many deliveries are pending) and `POST /api/webhooks/<event>/replay`
 * (the event delivered again to every endpoint, from a first attempt).
 */
export function mountWebhookHttp(
  app: HttpRoutes,
  deps: { redis: ScriptedRedis; config: WebhookConfig; adminKey: string | undefined; log: Logger },
): void {
  const store = new WebhookStore(deps.redis);
  app.get('/api/webhooks', (res, req) => {
    const authorization = req.getHeader('authorization');
    const limit = Number(new URLSearchParams(req.getQuery() ?? '').get('limit') ?? 100);
    handleAsync(res, deps.log, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'limit must be a whole number from 1 to 10000');
      const [pending, deliveries] = await Promise.all([store.pending(), store.log(limit)]);
      sendJson(r, 200, {
        endpoints: deps.config.urls,
        pending,
        deliveries: deliveries.map((d) => ({ ...d, event: `evt_${d.event}`, at: new Date(d.at).toISOString() })),
      });
    });
  });

  app.post('/api/webhooks/:event/replay', (res, req) => {
    const authorization = req.getHeader('authorization');
    const event = EVENT_ID.exec(req.getParameter(0) ?? '')?.[1];
    handleAsync(res, deps.log, async (r) => {
      checkAdmin(authorization, deps.adminKey);
      if (event === undefined) throw new HttpError(400, 'an event id is evt_<ms>-<n>');
      if (deps.config.urls.length === 0) throw new HttpError(409, 'no WEBHOOK_URLS on this gateway');
      if (!(await store.replay(event, deps.config.urls, await redisTimeMs(deps.redis))))
        throw new HttpError(404, `event evt_${event} is no longer kept`);
      sendJson(r, 202, { event: `evt_${event}`, endpoints: deps.config.urls });
    });
  });
}
