import { hostname } from 'node:os';
import { MIN_SECRET_BYTES, type Secrets } from '@banterbox/auth';
import { EnvReader, readCommon, type CommonConfig, type EnvSource } from '@banterbox/config';
import { isValidId } from '@banterbox/protocol';

export const DEV_SECRET = 'banterbox-insecure-development-secret';

export interface GatewayConfig extends CommonConfig {
  host: string;
  port: number;
  /** BANTERBOX_SECRET signs; BANTERBOX_SECRET_PREVIOUS, while set, is still accepted (a rotation). */
  secrets: Secrets;
  /** Whether the secret is the built-in development one (logged as a warning). */
  insecureSecret: boolean;
  adminKey: string | undefined;
  /** Origins allowed to open sockets; empty means the request's own host only. */
  allowedOrigins: string[];
  gatewayId: string;
  /** How long votes wait to be batched into one Redis round trip. */
  voteFlushMs: number;
  /** Per-socket send buffer above which snapshots are dropped for that socket. */
  maxBackpressureBytes: number;
  /** A socket whose buffer stays above the limit this long is closed with 4009. */
  slowConsumerMs: number;
  allowUwsFallback: boolean;
  /** How often /connect sockets get a heartbeat event. */
  heartbeatMs: number;
  /** An open yes/no room kept for the landing page's demo; undefined with DEMO_ROOM=none. */
  demoRoom: string | undefined;
  /** The built web client; undefined for the one in this install. */
  webDir: string | undefined;
  metricsHost: string;
  /** Prometheus metrics port (0 picks a free one). */
  metricsPort: number;
  /** How long a drain spreads closing sockets over. */
  drainMs: number;
}

/** Parses the gateway's environment once; throws ConfigError listing every problem. */
export function readGatewayConfig(source: EnvSource): Readonly<GatewayConfig> {
  const env = new EnvReader(source);
  const common = readCommon(env);
  const configuredSecret = env.optionalString('BANTERBOX_SECRET');
  if (common.production && configuredSecret === undefined) {
    env.problem('BANTERBOX_SECRET is required when NODE_ENV=production (it signs tokens and cookies)');
  }
  if (configuredSecret !== undefined && Buffer.byteLength(configuredSecret) < MIN_SECRET_BYTES) {
    env.problem(`BANTERBOX_SECRET must be at least ${MIN_SECRET_BYTES} bytes (generate one with: openssl rand -base64 48)`);
  }
  const previousSecret = env.optionalString('BANTERBOX_SECRET_PREVIOUS');
  if (previousSecret !== undefined && configuredSecret === undefined)
    env.problem('BANTERBOX_SECRET_PREVIOUS needs BANTERBOX_SECRET (the new secret) beside it');
  if (previousSecret !== undefined && Buffer.byteLength(previousSecret) < MIN_SECRET_BYTES)
    env.problem(`BANTERBOX_SECRET_PREVIOUS must be at least ${MIN_SECRET_BYTES} bytes`);
  if (previousSecret !== undefined && previousSecret === configuredSecret)
    env.problem('BANTERBOX_SECRET_PREVIOUS is the same as BANTERBOX_SECRET');
  const adminKey = env.optionalString('BANTERBOX_ADMIN_KEY');
  const demoRoom = env.string('DEMO_ROOM', 'demo');
  if (!isValidId(demoRoom)) env.problem('DEMO_ROOM must be 1-64 characters of [A-Za-z0-9_-] (or "none")');
  if (adminKey !== undefined && adminKey.length < 16) env.problem('BANTERBOX_ADMIN_KEY must be at least 16 characters');
  return env.finish({
    ...common,
    host: env.string('HOST', '0.0.0.0'),
    port: env.int('PORT', 8080, { min: 0, max: 65535 }),
    secrets: { current: configuredSecret ?? DEV_SECRET, previous: previousSecret },
    insecureSecret: configuredSecret === undefined,
    adminKey,
    allowedOrigins: env.list('ALLOWED_ORIGINS'),
    gatewayId: env
      .string('GATEWAY_ID', hostname())
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 48),
    voteFlushMs: env.int('VOTE_FLUSH_MS', 2, { min: 0, max: 1000 }),
    maxBackpressureBytes: env.int('MAX_BACKPRESSURE_BYTES', 256 * 1024, { min: 4096, max: 64 * 1024 * 1024 }),
    slowConsumerMs: env.int('SLOW_CONSUMER_MS', 15_000, { min: 1000, max: 600_000 }),
    allowUwsFallback: env.bool('UWS_ALLOW_FALLBACK', false),
    heartbeatMs: env.int('HEARTBEAT_MS', 30_000, { min: 100, max: 600_000 }),
    demoRoom: demoRoom === 'none' ? undefined : demoRoom,
    webDir: env.optionalString('WEB_DIR'),
    metricsHost: env.string('METRICS_HOST', '0.0.0.0'),
    metricsPort: env.int('METRICS_PORT', 9091, { min: 0, max: 65535 }),
    drainMs: env.int('DRAIN_MS', 10_000, { min: 0, max: 600_000 }),
  });
}
