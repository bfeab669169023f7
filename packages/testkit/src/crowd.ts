import type { TestSocket } from './ws-client';

/**
 * Voters who keep changing their vote until stopped (each `everyMs`, alternating yes and no by
 * voter and round), remembering each one's last vote: what the room must count once it settles.
 */
export class Crowd {
  readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private round = 0;

  constructor(
    private readonly voters: [string, TestSocket][],
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.round += 1;
      this.voters.forEach(([user, socket], i) => {
        const value = (this.round + i) % 3 === 0 ? 'no' : 'yes';
        socket.send({ vote: { value, ts: Date.now() } });
        this.last.set(user, value);
      });
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  count(value: string): number {
    return [...this.last.values()].filter((v) => v === value).length;
  }
}
