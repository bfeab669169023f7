/**
 * Node flags the gateway runs with, wherever it is started (the image's entrypoint and
 * `npm run start:gateway` spell out the same; docs/operations.md, "Memory per connection").
 *
 * `--max-semi-space-size=4`: V8 grows its young generation up to 16 MiB semi-spaces (about
 * 48 MiB reserved) under the allocation rate of connection bursts and keeps it; at 10,000
 * sockets that is most of the gateway's memory "per connection". 4 MiB semi-spaces hold a
 * connection burst's short-lived objects as well, for the same CPU per delivery (BENCHMARKS.md).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
