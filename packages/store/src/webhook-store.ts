import { keys } from './keys';
import { execPipeline, type ScriptedRedis } from './scripts';
import { claimWebhooks, emitEventOnce, settleWebhook, type ClaimedDelivery, type DeliveryResult } from './webhook-scripts';

/** Events kept in the stream (a sender that is away this long loses the oldest). */
const EVENTS_KEPT = 100_000;
/** Delivery attempts kept in the log. */
const LOG_KEPT = 10_000;

/** The dedupe key of a poker room's close: gateways that hold the room and the ticker that expired its owner record one event. */
export const pokerClosedOnce = (roomId: string): { key: string; ms: number } => ({ key: `poker-closed:${roomId}`, ms: 24 * 3600 * 1000 });

/** One entry of the delivery log. */
export interface DeliveryLogEntry {
  /** When it was logged, ms. */
  at: number;
  event: string;
  type: string;
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  result: DeliveryResult;
  /** The endpoint's HTTP status, 0 when it did not answer. */
  status: number;
  error: string;
}

/**
 * Webhook events and their deliveries in Redis (keys.ts, "Webhooks"): gateways and tickers emit
 * events; the one sender (the leader of tick partition 0) claims deliveries, settles them, and
 * logs every attempt; operators read the log and replay an event.
 */
export class WebhookStore {
  constructor(private readonly redis: ScriptedRedis) {}

  /**
   * Records event `type` with `data` in the shape Standard Webhooks recommends (`type`,
   * `timestamp`, `data`); with `once`, only if no event was recorded under its key within its
   * time (many processes see the same happening; one event results). Its id, or undefined.
   */
  record(type: string, data: Record<string, unknown>, once?: { key: string; ms: number }): Promise<string | undefined> {
    const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
    return once ? this.emitOnce(once.key, once.ms, type, body) : this.emit(type, body);
  }

  /** Appends an event; its id (the stream entry's). */
  async emit(type: string, body: string): Promise<string> {
    const id = await this.redis.xadd(keys.webhooks.events, 'MAXLEN', '~', EVENTS_KEPT, '*', 'type', type, 'body', body);
    return id!;
  }

  /** Appends an event unless one under `dedupe` was appended within `dedupeMs`; its id, or undefined. */
  async emitOnce(dedupe: string, dedupeMs: number, type: string, body: string): Promise<string | undefined> {
    return (await emitEventOnce.run(this.redis, { dedupe, dedupeMs, keep: EVENTS_KEPT, type, body })) ?? undefined;
  }

  /** Turns new events into deliveries to `urls` and claims up to `count` due ones for `leaseMs`. */
  claim(now: number, count: number, leaseMs: number, urls: readonly string[]): Promise<ClaimedDelivery[]> {
    return claimWebhooks.run(this.redis, { now, count, leaseMs, urls });
  }

  /** Records an attempt: done (delivered, gave up) or due again at `retryAt`. */
  settle(delivery: ClaimedDelivery, result: DeliveryResult, retryAt: number, status: number, error: string): Promise<void> {
    return settleWebhook.run(this.redis, {
      member: delivery.member,
      result,
      retryAt,
      keepLog: LOG_KEPT,
      log: {
        event: delivery.eventId,
        type: delivery.type,
        url: delivery.url,
        attempt: String(delivery.attempts + 1),
        result,
        status: String(status),
        error,
      },
    });
  }

  /** Deliveries not yet done (due, or being attempted). */
  pending(): Promise<number> {
    return this.redis.zcard(keys.webhooks.due);
  }

  /** The newest `count` log entries, newest first. */
  async log(count: number): Promise<DeliveryLogEntry[]> {
    const entries = await this.redis.xrevrange(keys.webhooks.log, '+', '-', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      return {
        at: Number(id.split('-')[0]),
        event: f.event ?? '',
        type: f.type ?? '',
        url: f.url ?? '',
        attempt: Number(f.attempt ?? 0),
        result: (f.result ?? 'retry') as DeliveryResult,
        status: Number(f.status ?? 0),
        error: f.error ?? '',
      };
    });
  }

  /** Delivers event `eventId` again to every endpoint, from a first attempt; false if it is no longer kept. */
  async replay(eventId: string, urls: readonly string[], now: number): Promise<boolean> {
    const kept = await this.redis.xrange(keys.webhooks.events, eventId, eventId);
    if (kept.length === 0) return false;
    const batch = this.redis.multi();
    for (const url of urls) {
      batch.zadd(keys.webhooks.due, now, `${eventId} ${url}`);
      batch.hdel(keys.webhooks.attempts, `${eventId} ${url}`);
    }
    await execPipeline(batch);
    return true;
  }
}
