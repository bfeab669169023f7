import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry credentials; pino replaces their values before anything is written. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'adminKey',
  '*.adminKey',
  'cookie',
  '*.cookie',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'redisUrl',
  '*.redisUrl',
  'redis.url',
  'redis.password',
  'redis.sentinelPassword',
  'password',
  '*.password',
];

export interface LoggerOptions {
  name: string;
  level: LevelWithSilent;
}

/** The one logger factory: JSON lines on stdout, secrets redacted. Use `.child()` per component. */
export function createLogger({ name, level }: LoggerOptions): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
