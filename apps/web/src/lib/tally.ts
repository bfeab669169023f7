import type { TallyPoint } from '@banterbox/client';
import { byId } from './dom';

/** Shows a point in the page's tally panel (#count-a, #count-b, #net, #connected) for the room's first two options. */
export function showTally(point: TallyPoint, pair: readonly [string, string]): void {
  const a = point.votes[pair[0]] ?? 0;
  const b = point.votes[pair[1]] ?? 0;
  byId('count-a').textContent = String(a);
  byId('count-b').textContent = String(b);
  byId('net').textContent = `${a - b > 0 ? '+' : ''}${a - b}`;
  byId('connected').textContent = String(point.connected);
}
