import { keys } from './keys';
import { list, oneOf, optionalText, text } from './script-replies';
import { ReplyError, defineScript } from './scripts';

/** The webhook scripts (../lua/emitEventOnce-2, claimWebhooks-4, settleWebhook-3). */

export const emitEventOnce = defineScript(
  'emitEventOnce-2',
  (a: { dedupe: string; dedupeMs: number; keep: number; type: string; body: string }) => ({
    keys: [keys.webhooks.events, keys.webhooks.once(a.dedupe)],
    argv: [a.dedupeMs, a.keep, a.type, a.body],
  }),
  (reply): string | null => {
    const id = optionalText(reply);
    if (id !== null && !/^\d+-\d+$/.test(id)) throw new ReplyError(`${id} is not a stream id`);
    return id;
  },
);

/** A delivery the sender claimed: one event to one endpoint. */
export interface ClaimedDelivery {
  /** "<event id> <url>" */
  member: string;
  eventId: string;
  url: string;
  /** Failed attempts before this one. */
  attempts: number;
  /** "" when the events stream no longer holds the event. */
  type: string;
  body: string;
}

export const claimWebhooks = defineScript(
  'claimWebhooks-4',
  (a: { now: number; count: number; leaseMs: number; urls: readonly string[] }) => ({
    keys: [keys.webhooks.events, keys.webhooks.cursor, keys.webhooks.due, keys.webhooks.attempts],
    argv: [a.now, a.count, a.leaseMs, ...a.urls],
  }),
  (reply): ClaimedDelivery[] => {
    const flat = list(reply).map(text);
    if (flat.length % 4 !== 0) throw new ReplyError('expected four values per delivery');
    const claimed: ClaimedDelivery[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      const member = flat[i]!;
      const space = member.indexOf(' ');
      if (space < 1) throw new ReplyError(`delivery ${member} is not "<event id> <url>"`);
      claimed.push({
        member,
        eventId: member.slice(0, space),
        url: member.slice(space + 1),
        attempts: Number(flat[i + 1]),
        type: flat[i + 2]!,
        body: flat[i + 3]!,
      });
    }
    return claimed;
  },
);

export type DeliveryResult = 'delivered' | 'retry' | 'gave_up';

export const settleWebhook = defineScript(
  'settleWebhook-3',
  (a: { member: string; result: DeliveryResult; retryAt: number; keepLog: number; log: Record<string, string> }) => ({
    keys: [keys.webhooks.due, keys.webhooks.attempts, keys.webhooks.log],
    argv: [a.member, a.result, a.retryAt, a.keepLog, ...Object.entries(a.log).flat()],
  }),
  (reply) => {
    oneOf(reply, [1]);
  },
);
