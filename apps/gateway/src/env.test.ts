import { ConfigError } from '@banterbox/config';
import { DEV_SECRET, readGatewayConfig } from './env';

describe('gateway configuration', () => {
  it('has working defaults for development', () => {
    const config = readGatewayConfig({});
    expect(config).toMatchObject({
      port: 8080,
      tickMs: 1000,
      historyLimit: 3600,
      secrets: { current: DEV_SECRET, previous: undefined },
      insecureSecret: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every problem at once', () => {
    try {
      readGatewayConfig({ NODE_ENV: 'production', PORT: 'eighty', TICK_MS: '5', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('BANTERBOX_SECRET is required');
      expect(problems).toContain('PORT must be a whole number');
      expect(problems).toContain('TICK_MS must be between 50');
      expect(problems).toContain('LOG_LEVEL must be one of');
    }
  });

  it('refuses a secret shorter than 32 bytes (RFC 7518 §3.2) and takes one that long', () => {
    expect(() => readGatewayConfig({ BANTERBOX_SECRET: 'x'.repeat(31) })).toThrow('at least 32 bytes');
    expect(readGatewayConfig({ BANTERBOX_SECRET: 'x'.repeat(32) })).toMatchObject({
      secrets: { current: 'x'.repeat(32) },
      insecureSecret: false,
    });
  });

  it('takes BANTERBOX_SECRET_PREVIOUS for a rotation, only beside a new secret and never equal to it', () => {
    const current = 'n'.repeat(40);
    const previous = 'o'.repeat(40);
    expect(readGatewayConfig({ BANTERBOX_SECRET: current, BANTERBOX_SECRET_PREVIOUS: previous }).secrets).toEqual({ current, previous });
    expect(() => readGatewayConfig({ BANTERBOX_SECRET_PREVIOUS: previous })).toThrow('needs BANTERBOX_SECRET');
    expect(() => readGatewayConfig({ BANTERBOX_SECRET: current, BANTERBOX_SECRET_PREVIOUS: current })).toThrow('the same as');
    expect(() => readGatewayConfig({ BANTERBOX_SECRET: current, BANTERBOX_SECRET_PREVIOUS: 'short' })).toThrow('at least 32 bytes');
  });
});
