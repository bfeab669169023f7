import { signSession } from '@banterbox/auth';
import type { Reachable } from './process-stack';
import { SECRET } from './harness';
import { TestSocket } from './ws-client';

export interface PokerEventFrame {
  event: string;
  [field: string]: unknown;
}

export const sessionCookie = (userId: string): string => `bb_session=${signSession(userId, SECRET)}`;

/**
 * A /connect test client for one browser tab: it reads events in order through a cursor, so a
 * test states exactly which events arrive next. Heartbeats are set aside.
 */
export class PokerClient {
  private cursor = 0;

  private constructor(
    readonly socket: TestSocket,
    readonly userId: string,
  ) {}

  /** Opens /connect as `userId` and consumes connectionInfo and the first userUpdated. */
  static async connect(gateway: Reachable, userId: string): Promise<PokerClient> {
    const base = gateway.ws ?? `ws://127.0.0.1:${gateway.port}`;
    const socket = await TestSocket.open(`${base}/connect`, { headers: { cookie: sessionCookie(userId) } });
    const client = new PokerClient(socket, userId);
    const [info, user] = await client.take(2);
    if (info?.event !== 'connectionInfo' || user?.event !== 'userUpdated')
      throw new Error(`unexpected greeting ${JSON.stringify([info, user])}`);
    return client;
  }

  send(body: unknown): void {
    this.socket.send(body);
  }

  private events(): PokerEventFrame[] {
    return (this.socket.frames as PokerEventFrame[]).filter((frame) => frame.event !== 'heartbeat');
  }

  /** Waits for the next `count` events and moves past them. */
  async take(count: number, timeoutMs = 5_000): Promise<PokerEventFrame[]> {
    await this.socket.waitUntil(() => this.events().length >= this.cursor + count, timeoutMs, `${count} events after #${this.cursor}`);
    const taken = this.events().slice(this.cursor, this.cursor + count);
    this.cursor += count;
    return taken;
  }

  /** Waits for the next event and moves past it. */
  async next(timeoutMs?: number): Promise<PokerEventFrame> {
    const [event] = await this.take(1, timeoutMs);
    return event!;
  }

  /**
   * Reads a join snapshot (roomUpdated, a userJoined per member, an estimateUpdated per member)
   * and returns it.
   */
  async snapshot(): Promise<PokerEventFrame[]> {
    const events = await this.take(2);
    if (events[0]?.event !== 'roomUpdated') throw new Error(`snapshot starts with ${JSON.stringify(events[0])}`);
    while (events[events.length - 1]?.event === 'userJoined') events.push(await this.next());
    const members = events.filter((event) => event.event === 'userJoined').length;
    events.push(...(await this.take(members - 1)));
    return events;
  }

  /** Skips ahead to the first event (from the cursor) that matches, and moves past it. */
  async until(match: (event: PokerEventFrame) => boolean, timeoutMs = 5_000): Promise<PokerEventFrame> {
    await this.socket.waitUntil(() => this.events().slice(this.cursor).some(match), timeoutMs, 'a matching event');
    const index = this.events().findIndex((event, i) => i >= this.cursor && match(event));
    this.cursor = index + 1;
    return this.events()[index]!;
  }

  /** Every event received so far (heartbeats aside), from `from`. */
  all(from = 0): PokerEventFrame[] {
    return this.events().slice(from);
  }

  /** How many events have been read. */
  get position(): number {
    return this.cursor;
  }

  close(): void {
    this.socket.close();
  }
}

export const named =
  (name: string, extra: (event: PokerEventFrame) => boolean = () => true) =>
  (event: PokerEventFrame): boolean =>
    event.event === name && extra(event);

/** Owner creates a room and reads roomCreated and the snapshot; returns the room id. */
export async function createPokerRoom(owner: PokerClient, roomId: string, extra: Record<string, unknown> = {}): Promise<string> {
  owner.send({ request: 'createRoom', roomId, ...extra });
  expect(await owner.next()).toEqual({ event: 'roomCreated', roomId });
  await owner.snapshot();
  return roomId;
}

/** A member joins and reads its snapshot; every earlier member sees its userJoined next. */
export async function joinPokerRoom(
  member: PokerClient,
  roomId: string,
  others: PokerClient[],
  spectator = false,
): Promise<PokerEventFrame[]> {
  member.send({ request: 'joinRoom', roomId, spectator });
  const snapshot = await member.snapshot();
  expect(snapshot[0]).toMatchObject({ event: 'roomUpdated', room: { id: roomId } });
  const joined = named('userJoined', (e) => (e.user as { id: string }).id === member.userId);
  for (const other of others) expect(await other.next()).toEqual(snapshot.find(joined));
  return snapshot;
}
