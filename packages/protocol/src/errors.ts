/** Error codes sent to vote-room clients in `{"error": {"code", "message"}}`. */
export type ClientErrorCode = 'bad_request' | 'unauthorized' | 'rate_limited' | 'unavailable' | 'closed' | 'round_over';

/** A client's message was malformed or not allowed; the server answers with it and stays open. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function errorFrame(code: ClientErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
