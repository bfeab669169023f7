import type { EnvReader } from './env-reader';

/** Webhooks (SPEC §8): where to, signed with what, retried how, and the viewer counts that make a milestone. */
export interface WebhookConfig {
  /** Endpoints every event is delivered to; none: no event is even recorded. */
  urls: string[];
  /** `whsec_<base64>` secrets, the current one first (and WEBHOOK_SECRET_PREVIOUS during a rotation). */
  secrets: string[];
  /** Delays between attempts, ms: the n-th failed attempt is retried after the n-th delay; then it is given up. */
  retryMs: number[];
  /** An endpoint that has not answered after this long failed. */
  timeoutMs: number;
  /** Viewer counts whose crossing, the first time in a room, is a room.milestone event. */
  milestones: number[];
}

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: the last attempt about 27 hours after the first. */
const DEFAULT_RETRY_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const DEFAULT_MILESTONES = [100, 1_000, 10_000, 100_000, 1_000_000];

function counts(env: EnvReader, name: string, fallback: number[]): number[] {
  const items = env.list(name);
  if (items.length === 0) return fallback;
  const values = items.map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0)) {
    env.problem(`${name} must be a comma-separated list of positive whole numbers`);
    return fallback;
  }
  return values;
}

export function readWebhooks(env: EnvReader): WebhookConfig {
  const urls = env.list('WEBHOOK_URLS');
  for (const url of urls) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) env.problem(`WEBHOOK_URLS must hold http(s) URLs, got "${url}"`);
  }
  const secrets = [env.optionalString('WEBHOOK_SECRET'), env.optionalString('WEBHOOK_SECRET_PREVIOUS')].filter(
    (s): s is string => s !== undefined,
  );
  if (urls.length > 0 && secrets.length === 0) env.problem('WEBHOOK_SECRET is required with WEBHOOK_URLS (whsec_<base64>)');
  for (const secret of secrets) {
    if (!/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(secret))
      env.problem('WEBHOOK_SECRET and WEBHOOK_SECRET_PREVIOUS must be whsec_<base64 of at least 16 bytes>');
  }
  return {
    urls,
    secrets,
    retryMs: counts(env, 'WEBHOOK_RETRY_MS', DEFAULT_RETRY_MS),
    timeoutMs: env.int('WEBHOOK_TIMEOUT_MS', 5_000, { min: 100, max: 60_000 }),
    milestones: counts(env, 'WEBHOOK_MILESTONES', DEFAULT_MILESTONES).sort((a, b) => a - b),
  };
}
