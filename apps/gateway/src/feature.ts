import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { HttpRoutes } from './http/http';
import type { Endpoint } from './metrics';

/** What every socket's user data carries, whatever its endpoint: the slow-reader sweep's mark. */
export interface SweptSocketData {
  /** When the socket's send buffer was first seen over the limit; undefined while it keeps up. */
  slowSince: number | undefined;
}

export type GatewaySocket = WebSocket<SweptSocketData>;

/** What a feature reports to the gauges when Prometheus scrapes. */
export interface FeatureGauges {
  /** Open WebSockets. */
  connections: number;
  /** Authenticated WebSockets. */
  sessions: number;
  /** Rooms this gateway holds sockets in. */
  rooms: number;
}

/**
 * One endpoint of the gateway (vote rooms, poker rooms). The wiring in gateway.ts knows features
 * only through this contract: it mounts them, asks them to re-assert their Redis state when the
 * lease says so, sweeps and drains their sockets, and reads their gauges.
 */
export interface GatewayFeature {
  readonly endpoint: Endpoint;
  /** Mounts the feature's WebSocket behaviour on `app` and its HTTP routes on `routes`. */
  mount(app: TemplatedApp, routes: HttpRoutes): void;
  /** Starts the feature's own timers (after the lease is registered). */
  start(): void;
  /**
   * Writes everything this feature holds locally into Redis again under the lease's current
   * grant: after Redis lost data, a missed batch, or a write refused by the fence (then under a
   * new id). Idempotent.
   */
  reassert(): Promise<void>;
  /** Rooms the ticker must tick, reported with every lease renewal. */
  tickedRooms(): readonly string[];
  /** The feature's open sockets. */
  sockets(): Iterable<GatewaySocket>;
  gauges(): FeatureGauges;
  /** After its sockets closed: stops its timers and waits for the Redis writes they left. */
  drain(): Promise<void>;
}
