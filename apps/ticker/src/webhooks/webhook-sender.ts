import { signWebhook } from '@banterbox/client/server';
import type { WebhookConfig } from '@banterbox/config';
import type { Logger } from '@banterbox/logger';
import type { ClaimedDelivery, WebhookStore } from '@banterbox/store';
import type { TickerMetrics } from '../metrics';
import type { Leadership } from '../tick/leadership';

/** Deliveries claimed per pass (and so sent at once, at most). */
const PER_PASS = 32;
/** How often the sender looks for deliveries while it leads partition 0, ms. */
const PASS_EVERY_MS = 250;

/**
 * Delivers webhook events (SPEC §8) from the one replica that leads tick partition 0, on a loop
 * of its own so that a slow endpoint never delays a tick or a chore. Each pass claims due
 * deliveries (new events become one per endpoint), POSTs each signed as Standard Webhooks says,
 * and settles it: delivered on a 2xx, else retried after the next delay of WEBHOOK_RETRY_MS, and
 * given up after the last. A claim outlives a sender that dies mid-delivery, so the next leader
 * sends it again (at least once; the `webhook-id` tells the endpoint it is the same event).
 */
export class WebhookSender {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly config: WebhookConfig,
    private readonly leadership: Leadership,
    private readonly redisNow: () => Promise<number>,
    private readonly metrics: TickerMetrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.config.urls.length === 0) return;
    this.timer = setInterval(() => {
      if (this.stopped || this.running || !this.leadership.leads(0)) return;
      this.running = this.pass()
        .catch((error: unknown) => this.log.warn({ err: error }, 'webhook pass failed'))
        .finally(() => (this.running = undefined));
    }, PASS_EVERY_MS);
  }

  /** Starts no more passes and waits for one that is going. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    const now = await this.redisNow();
    // A claim lasts past the slowest delivery, so only a dead sender's claims come back.
    const claimed = await this.store.claim(now, PER_PASS, this.config.timeoutMs * 2 + 5_000, this.config.urls);
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    this.metrics.webhooksPending.set(await this.store.pending());
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    if (delivery.body === '') {
      await this.settle(delivery, 'gave_up', 0, 'the event is no longer kept');
      return;
    }
    let status = 0;
    let error = '';
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook(this.config.secrets, `evt_${delivery.eventId}`, delivery.body) },
        body: delivery.body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    if (status >= 200 && status < 300) {
      await this.settle(delivery, 'delivered', status, '');
      return;
    }
    if (!error) error = `HTTP ${status}`;
    const delay = this.config.retryMs[delivery.attempts];
    if (delay === undefined) await this.settle(delivery, 'gave_up', status, error);
    else await this.settle(delivery, 'retry', status, error, (await this.redisNow()) + delay);
  }

  private async settle(
    delivery: ClaimedDelivery,
    result: 'delivered' | 'retry' | 'gave_up',
    status: number,
    error: string,
    retryAt = 0,
  ): Promise<void> {
    await this.store.settle(delivery, result, retryAt, status, error);
    this.metrics.webhookDeliveries.inc({ result });
    if (result !== 'delivered')
      this.log.info(
        { event: delivery.eventId, url: delivery.url, attempt: delivery.attempts + 1, result, status, error },
        'webhook not delivered',
      );
  }
}
