import { WebhookVerificationError, newWebhookSecret, signWebhook, verifyWebhook } from './webhooks';

describe('webhook signatures (Standard Webhooks)', () => {
  // The example of the Standard Webhooks specification: secret, id, timestamp, body and signature.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"test": 2432232314}';
  const at = 1614265330 * 1000;

  it('signs as the specification does', () => {
    expect(signWebhook([secret], 'msg_p5jXN8AQM9LWM0D4loKWxJek', body, at)).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies a delivery signed with the current or the previous secret (a rotation), and gives the id and event', () => {
    const previous = newWebhookSecret();
    const headers = signWebhook([secret, previous], 'evt_1', body, at);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifyWebhook(previous, headers, body, { nowMs: at })).toEqual({ id: 'evt_1', event: { test: 2432232314 } });
    expect(verifyWebhook([secret], new Headers(headers), body, { nowMs: at + 60_000 }).id).toBe('evt_1');
  });

  it('refuses a changed body, another secret, an old or future timestamp, and missing headers', () => {
    const headers = signWebhook([secret], 'evt_2', body, at);
    expect(() => verifyWebhook(secret, headers, '{"test": 1}', { nowMs: at })).toThrow(new WebhookVerificationError('no valid signature'));
    expect(() => verifyWebhook(newWebhookSecret(), headers, body, { nowMs: at })).toThrow('no valid signature');
    expect(() => verifyWebhook(secret, headers, body, { nowMs: at + 301_000 })).toThrow('webhook-timestamp is too far from now');
    expect(() => verifyWebhook(secret, headers, body, { nowMs: at - 301_000 })).toThrow('webhook-timestamp is too far from now');
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-id': undefined }, body, { nowMs: at })).toThrow('missing webhook-id header');
    expect(() => verifyWebhook('not-a-secret', headers, body, { nowMs: at })).toThrow(TypeError);
  });
});
