import type { LocalRedis } from '@banterbox/local-stack';
import { keys } from '@banterbox/store';

/** An hour of history (one point a second, ending now) for `room`, with a worm that swings both ways. */
export async function seedHistory(redis: LocalRedis, room: string, points = 3600): Promise<void> {
  const client = redis.client();
  const now = Math.floor(Date.now() / 1000) * 1000;
  const encoded: string[] = [];
  for (let i = points; i > 0; i -= 1) {
    const yes = Math.round(500 + 400 * Math.sin(i / 300) + 60 * Math.sin(i / 7));
    const no = Math.round(500 - 300 * Math.cos(i / 450));
    encoded.push(JSON.stringify({ ts: now - i * 1000, votes: { yes, no }, connected: yes + no + 40 }));
  }
  await client.rpush(keys.voteRoom(room).history, ...encoded);
  client.disconnect();
}
