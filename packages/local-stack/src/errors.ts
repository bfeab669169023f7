/** A local process (redis-server, an app) could not be started or did not do what was awaited. */
export class LocalStackError extends Error {
  readonly code = 'local_stack';
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackError';
  }
}
