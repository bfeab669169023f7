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

/** Removes the password from a Redis URL so it can be logged. */
export function safeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable redis url]';
  }
}
