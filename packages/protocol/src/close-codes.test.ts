import { CLOSE_CODES, CloseCode, VOTE_ERROR_CODES, closeCodeEntry } from './close-codes';
import type { ClientErrorCode } from './errors';

describe('the close and error code registry', () => {
  it('has one entry per close code the server uses, each with a name and an action', () => {
    const codes = CLOSE_CODES.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of Object.values(CloseCode)) expect(codes).toContain(code);
    expect(new Set(CLOSE_CODES.map((entry) => entry.name)).size).toBe(CLOSE_CODES.length);
  });

  it('tells a client to get a new token on 4001, to stop on an oversized frame, and to reconnect at once on 4010', () => {
    expect(closeCodeEntry(4001).action).toBe('new_token');
    expect(closeCodeEntry(1009).action).toBe('stop');
    expect(closeCodeEntry(4010).action).toBe('reconnect_now');
    expect(closeCodeEntry(1012).action).toBe('reconnect');
    // A code the server never sends is a dropped connection.
    expect(closeCodeEntry(4999)).toMatchObject({ name: 'close_4999', action: 'reconnect' });
  });

  it('lists every error code of the vote protocol', () => {
    const all: Record<ClientErrorCode, true> = {
      bad_request: true,
      unauthorized: true,
      rate_limited: true,
      unavailable: true,
      closed: true,
      round_over: true,
    };
    expect(VOTE_ERROR_CODES.map((entry) => entry.code).sort()).toEqual(Object.keys(all).sort());
  });
});
