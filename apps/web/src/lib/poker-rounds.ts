import { h } from './dom';

/** One recorded round as `GET /api/poker/<room>/rounds` lists it (the fields the page shows). */
export interface PastRound {
  round: number;
  topic: string;
  stats: { count: number; mean: number | null; consensus: boolean };
}

/** The room's recorded rounds, or undefined if they could not be fetched. */
export async function fetchRounds(roomId: string): Promise<PastRound[] | undefined> {
  const response = await fetch(`/api/poker/${encodeURIComponent(roomId)}/rounds`, { cache: 'no-store' }).catch(() => undefined);
  if (!response?.ok) return undefined;
  return ((await response.json()) as { rounds: PastRound[] }).rounds;
}

/** The "Past rounds" panel, newest first, with the CSV download; nothing before the first round. */
export function pastRoundsPanel(roomId: string, rounds: readonly PastRound[]): HTMLElement | null {
  if (rounds.length === 0) return null;
  const csv = `/api/poker/${encodeURIComponent(roomId)}/rounds?format=csv`;
  const items = [...rounds]
    .reverse()
    .map((round) =>
      h(
        'li',
        { 'data-round': round.round },
        h('span', {}, `#${round.round}`),
        h('span', { class: 'topic' }, round.topic || '(no topic)'),
        h('span', {}, `${round.stats.count} · mean ${round.stats.mean ?? '—'}${round.stats.consensus ? ' · consensus' : ''}`),
      ),
    );
  return h(
    'section',
    { class: 'panel', id: 'rounds', 'aria-label': 'Past rounds' },
    h('h2', {}, 'Past rounds'),
    h('ul', { class: 'rounds' }, ...items),
    h('p', {}, h('a', { href: csv, download: `poker-${roomId}-rounds.csv`, 'data-key': 'csv' }, 'Download as CSV')),
  );
}
