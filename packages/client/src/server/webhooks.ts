import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures as Standard Webhooks defines them (SPEC §8): the headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature`, which holds one or more
 * space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the bytes of a
 * `whsec_<base64>` secret. During a rotation the sender signs with both secrets.
 */

/** A secret as WEBHOOK_SECRET takes it: `whsec_` and 24 to 64 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) throw new TypeError('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.length < 16) throw new TypeError('a webhook secret holds at least 16 bytes');
  return key;
}

const sign = (key: Buffer, id: string, timestamp: number, body: string): string =>
  createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');

/** The headers of one delivery of `body`, signed with every secret given (the current one first). */
export function signWebhook(secrets: readonly string[], id: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => `v1,${sign(keyOf(secret), id, timestamp, body)}`).join(' '),
  };
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** Headers as Node gives them (lower-case names) or as a fetch `Headers`. */
export type WebhookHeaders = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: WebhookHeaders, name: string): string {
  const value =
    typeof headers.get === 'function'
      ? (headers as { get(name: string): string | null }).get(name)
      : (headers as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') throw new WebhookVerificationError(`missing ${name} header`);
  return value;
}

/**
 * Checks a delivery before you trust it: a `v1` signature made with one of `secrets` over the raw
 * `body` (the bytes as received, not re-serialised), and a timestamp within `toleranceS` of now
 * (replays are refused). Returns the webhook id (deliveries of one event share it: keep the ids
 * you processed to drop a redelivery) and the parsed event.
 */
export function verifyWebhook(
  secrets: string | readonly string[],
  headers: WebhookHeaders,
  body: string,
  options: { toleranceS?: number; nowMs?: number } = {},
): { id: string; event: unknown } {
  const id = header(headers, 'webhook-id');
  const timestamp = Number(header(headers, 'webhook-timestamp'));
  const signatures = header(headers, 'webhook-signature').split(' ');
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > (options.toleranceS ?? 300)) {
    throw new WebhookVerificationError('webhook-timestamp is too far from now');
  }
  const given = signatures.filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const expected = Buffer.from(sign(keyOf(secret), id, timestamp, body), 'base64');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return { id, event: JSON.parse(body) as unknown };
  }
  throw new WebhookVerificationError('no valid signature');
}
