import { Counter, Gauge, Histogram, newRegistry, redisCommandDuration, type Registry } from '@banterbox/metrics';

export type Endpoint = 'vote' | 'poker';
const ENDPOINTS: readonly Endpoint[] = ['vote', 'poker'];

/** What the gauges read when Prometheus scrapes. */
export interface GatewayGaugeSources {
  /** Each endpoint's open sockets, sessions and rooms. */
  endpoint(endpoint: Endpoint): { connections: number; sessions: number; rooms: number };
  /** Sockets over the backpressure limit at the last sweep (uWS drops what is published to them). */
  slowConsumers(): number;
  ready(): boolean;
  draining(): boolean;
}

/**
 * The gateway's Prometheus metrics (documented in docs/metrics.md). Components report through
 * these methods; it only counts. Gauges are read from the live state at scrape time, through
 * the sources given to `bindGauges` once everything they read exists.
 */
export class GatewayMetrics {
  readonly registry: Registry = newRegistry('gateway');
  private readonly messagesIn = new Counter({
    name: 'banterbox_messages_received_total',
    help: 'WebSocket messages received from clients',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({
    name: 'banterbox_received_bytes_total',
    help: 'Bytes of WebSocket messages received from clients',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly messagesOut = new Counter({
    name: 'banterbox_messages_sent_total',
    help: 'WebSocket messages sent to clients (a publish counts once per subscriber)',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly bytesOut = new Counter({
    name: 'banterbox_sent_bytes_total',
    help: 'Bytes of WebSocket messages sent to clients',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly disconnects = new Counter({
    name: 'banterbox_disconnects_total',
    help: 'Closed WebSockets by close code',
    labelNames: ['endpoint', 'code'],
    registers: [this.registry],
  });
  private readonly votes = new Counter({
    name: 'banterbox_votes_applied_total',
    help: 'Votes that changed a stored vote in Redis',
    registers: [this.registry],
  });
  private readonly votesCoalesced = new Counter({
    name: 'banterbox_votes_coalesced_total',
    help: "Votes replaced in the gateway's batch by a newer vote of the same user before reaching Redis",
    registers: [this.registry],
  });
  private readonly opsDropped = new Counter({
    name: 'banterbox_vote_ops_dropped_total',
    help: 'Vote and presence ops not written because Redis was unavailable (re-asserted later)',
    registers: [this.registry],
  });
  private readonly writesFenced = new Counter({
    name: 'banterbox_writes_fenced_total',
    help: 'Gateway writes refused by the fence: the lease id was reaped (reaped) or the grant had expired (lapsed)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly reassertions = new Counter({
    name: 'banterbox_lease_reassertions_total',
    help: 'Times this gateway moved to a new lease id and re-asserted its state',
    registers: [this.registry],
  });
  private readonly batchOps = new Histogram({
    name: 'banterbox_vote_batch_ops',
    help: 'Ops per vote batch written to Redis',
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  private readonly publishDuration = new Histogram({
    name: 'banterbox_publish_duration_seconds',
    help: 'How long one uWS publish of a room message to all its local sockets took (the fan-out itself)',
    labelNames: ['endpoint'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });
  private readonly pubsubLag = new Histogram({
    name: 'banterbox_pubsub_lag_seconds',
    help: 'From a tick time to its snapshot reaching this gateway',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly snapshotsDropped = new Counter({
    name: 'banterbox_snapshots_dropped_total',
    help: 'Snapshots not sent: stale (not newer than the last) or to slow readers',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly redisLatency = redisCommandDuration(this.registry);

  constructor() {
    for (const endpoint of ENDPOINTS) {
      this.messagesIn.inc({ endpoint }, 0);
      this.messagesOut.inc({ endpoint }, 0);
    }
    this.writesFenced.inc({ reason: 'reaped' }, 0);
    this.writesFenced.inc({ reason: 'lapsed' }, 0);
    this.snapshotsDropped.inc({ reason: 'stale' }, 0);
    this.snapshotsDropped.inc({ reason: 'slow_reader' }, 0);
  }

  /** Registers the gauges; call once. */
  bindGauges(sources: GatewayGaugeSources): void {
    const perEndpoint = (name: string, help: string, label: 'endpoint' | 'kind', read: (endpoint: Endpoint) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [this.registry],
        collect() {
          for (const endpoint of ENDPOINTS) this.set({ [label]: endpoint }, read(endpoint));
        },
      });
    };
    const scalar = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    };
    perEndpoint('banterbox_connections', 'Open WebSockets', 'endpoint', (e) => sources.endpoint(e).connections);
    perEndpoint(
      'banterbox_sessions',
      'Authenticated WebSockets: joined vote sockets, and /connect sockets (cookie-authenticated at upgrade)',
      'endpoint',
      (e) => sources.endpoint(e).sessions,
    );
    perEndpoint('banterbox_rooms', 'Rooms this gateway holds sockets in', 'kind', (e) => sources.endpoint(e).rooms);
    scalar(
      'banterbox_slow_consumers',
      'Sockets over the backpressure limit at the last sweep; snapshots published to them are dropped',
      sources.slowConsumers,
    );
    scalar('banterbox_ready', '1 when /readyz answers 200', () => (sources.ready() ? 1 : 0));
    scalar('banterbox_draining', '1 while the gateway drains', () => (sources.draining() ? 1 : 0));
  }

  received(endpoint: Endpoint, bytes: number): void {
    this.messagesIn.inc({ endpoint });
    this.bytesIn.inc({ endpoint }, bytes);
  }

  sent(endpoint: Endpoint, messages: number, bytes: number): void {
    this.messagesOut.inc({ endpoint }, messages);
    this.bytesOut.inc({ endpoint }, bytes);
  }

  disconnected(endpoint: Endpoint, code: number): void {
    this.disconnects.inc({ endpoint, code: String(code) });
  }

  batch(ops: number, applied: number, coalesced: number): void {
    this.batchOps.observe(ops);
    this.votes.inc(applied);
    this.votesCoalesced.inc(coalesced);
  }

  dropped(ops: number): void {
    this.opsDropped.inc(ops);
  }

  fenced(reason: 'reaped' | 'lapsed'): void {
    this.writesFenced.inc({ reason });
  }

  reasserted(): void {
    this.reassertions.inc();
  }

  /** One publish to a topic took `seconds`. */
  published(endpoint: Endpoint, seconds: number): void {
    this.publishDuration.observe({ endpoint }, seconds);
  }

  snapshot(tickTs: number): void {
    this.pubsubLag.observe(Math.max(0, Date.now() - tickTs) / 1000);
  }

  snapshotDropped(reason: 'stale' | 'slow_reader'): void {
    this.snapshotsDropped.inc({ reason });
  }
}
