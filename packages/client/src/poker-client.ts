import { DEFAULT_DECK, encodePokerRequest, type PokerEvent, type PokerRequest } from '@banterbox/protocol';
import { Connection, Refused, type ConnectionOptions } from './connection';

export interface PokerClientOptions extends ConnectionOptions {
  /** After every reconnection, join the room last joined or created again (default true). */
  rejoin?: boolean;
  /**
   * A socket closed before it opened: the upgrade was refused (no valid session cookie) or never
   * reached the server. Resolve true when the next attempt can succeed (a new session cookie was
   * set), false when the server seems away (backoff); throw `Refused` to stop. A browser page asks
   * `GET /api/session` here, which also renews its cookie. Without it: backoff.
   */
  checkRefusedUpgrade?(): Promise<boolean>;
}

export type PokerClientEvents = {
  /** Every event the server sends (`heartbeat` included), typed (SPEC §6). */
  event: [event: PokerEvent];
};

type Request<K extends PokerRequest['kind']> = Omit<Extract<PokerRequest, { kind: K }>, 'kind'>;

/**
 * A planning-poker client (`/connect`, SPEC §6) that stays connected: typed requests and events,
 * the user's room joined again after a reconnection (a fresh snapshot follows), 4010 (events
 * missed) answered by reconnecting at once, and the heartbeat watched (75 s by default, for the
 * server's 30 s). The identity is the session cookie the browser sends; in Node, pass a `socket`
 * factory that sets the cookie header.
 */
export class PokerClient extends Connection<PokerClientEvents> {
  private joined: { roomId: string; spectator: boolean } | undefined;
  private me: string | undefined;

  constructor(private readonly settings: PokerClientOptions) {
    super('/connect', settings, 75_000);
  }

  /** This connection's user id (from `connectionInfo`), once live. */
  get userId(): string | undefined {
    return this.me;
  }

  /** The room the client is in (joined or created), if any. */
  get roomId(): string | undefined {
    return this.joined?.roomId;
  }

  /** Sends `request` if live; false if not (nothing is queued). */
  send(request: PokerRequest): boolean {
    if (request.kind === 'joinRoom') this.joined = { roomId: request.roomId, spectator: request.spectator };
    if (request.kind === 'leaveRoom' && this.joined?.roomId === request.roomId) this.joined = undefined;
    return this.state === 'live' && this.sendText(encodePokerRequest(request));
  }

  setName(name: string): boolean {
    return this.send({ kind: 'setName', name });
  }

  /** Creates a room (the creator joins it); without a deck, the server's default deck. */
  createRoom(room: Partial<Request<'createRoom'>> = {}): boolean {
    return this.send({
      kind: 'createRoom',
      roomId: room.roomId,
      deck: room.deck ?? [...DEFAULT_DECK],
      autoReveal: room.autoReveal ?? false,
      topic: room.topic ?? '',
    });
  }

  joinRoom(roomId: string, options: { spectator?: boolean } = {}): boolean {
    return this.send({ kind: 'joinRoom', roomId, spectator: options.spectator ?? false });
  }

  leaveRoom(roomId: string): boolean {
    return this.send({ kind: 'leaveRoom', roomId });
  }

  /** Estimates `value` (null withdraws the estimate). */
  estimate(roomId: string, value: string | null, comment = ''): boolean {
    return this.send({ kind: 'estimate', roomId, estimate: value === null ? null : { value, comment } });
  }

  /** Owner only: `reveal`, `hide` or `clear` the room's estimates. */
  round(action: 'reveal' | 'hide' | 'clear', roomId: string): boolean {
    return this.send({ kind: action, roomId });
  }

  setTopic(roomId: string, topic: string): boolean {
    return this.send({ kind: 'setTopic', roomId, topic });
  }

  /** Owner only: `kick` a member or `transferOwnership` to one. */
  member(action: 'kick' | 'transferOwnership', roomId: string, userId: string): boolean {
    return this.send({ kind: action, roomId, userId });
  }

  protected prepare(): Promise<boolean> {
    return Promise.resolve(true);
  }

  protected opened(): void {
    // The server speaks first (connectionInfo).
  }

  protected frame(text: string): void {
    let event: PokerEvent;
    try {
      event = JSON.parse(text) as PokerEvent;
    } catch {
      return;
    }
    if (event.event === 'connectionInfo') {
      this.me = event.userId;
      this.live();
      if (this.joined && (this.settings.rejoin ?? true)) this.joinRoom(this.joined.roomId, { spectator: this.joined.spectator });
    }
    if (event.event === 'roomCreated') this.joined = { roomId: event.roomId, spectator: false };
    if (
      (event.event === 'roomClosed' || (event.event === 'userLeft' && event.user.id === this.me)) &&
      this.joined?.roomId === event.roomId
    ) {
      this.joined = undefined;
    }
    this.emit('event', event);
  }

  protected closed(code: number, reason: string, opened: boolean): void {
    if (opened || !this.settings.checkRefusedUpgrade) {
      this.byRegistry(code, reason);
      return;
    }
    this.settings.checkRefusedUpgrade().then(
      () => this.retry(),
      (error: unknown) => {
        if (error instanceof Refused) this.finish({ reason: error.reason, message: error.message });
        else this.retry();
      },
    );
  }
}
