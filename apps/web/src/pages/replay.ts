import '../styles/app.css';
import type { Marker, TallyPoint } from '@banterbox/client';
import { byId, h, showState, showText } from '../lib/dom';
import { problem, showProblem } from '../lib/problems';
import { roomCredentials, roomFromPath } from '../lib/room-auth';
import { showTally } from '../lib/tally';
import { WormChart, segmentLines } from '../lib/worm-chart';

/**
 * The replay of a vote room's stored round (/replay/<room>, `?round=n` for one kept after a
 * reset, else the current one): the worm, a line per segment, and its markers played at
 * 1× to 8×, scrubbed by time, with an offset to line it up with the stream's recording. It reads
 * the series export with the page's token (a guest token in an open room, or `#token=…`).
 */
const room = roomFromPath('replay');
const conn = byId('conn');

interface Series {
  options: string[];
  segments?: string[];
  round: number;
  question: string;
  /** When the round began (voting last opened, else the room was created): the recording's 0 before the offset. */
  anchor: number;
  points: TallyPoint[];
  markers: Marker[];
}

const clock = (seconds: number): string => {
  const whole = Math.max(0, Math.floor(Math.abs(seconds)));
  const text = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  return seconds < 0 ? `-${text}` : text;
};

/** The round in the address (`?round=n`), else the current one. */
const round = new URLSearchParams(location.search).get('round');

async function load(roomId: string): Promise<Series> {
  const token = await roomCredentials(roomId).getToken();
  const query = round !== null && /^\d+$/.test(round) ? `?round=${round}` : '';
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/series${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as Series;
}

async function main(roomId: string): Promise<void> {
  byId('replay-title').textContent = `Replay: ${roomId}`;
  document.title = `${roomId} replay · banterbox`;
  const series = await load(roomId);
  byId('replay-title').textContent = `Replay: ${roomId}, round ${series.round}`;
  showText('question', series.question);
  const pair: [string, string] = [series.options[0] ?? 'yes', series.options[1] ?? 'no'];
  byId('label-a').textContent = pair[0];
  byId('label-b').textContent = pair[1];
  const first = series.points[0]?.ts ?? Date.now();
  const last = series.points[series.points.length - 1]?.ts ?? first;
  const duration = (last - first) / 1000;
  const chartBox = byId('chart');
  /** Seconds since the first stored point: where the replay is. */
  let position = 0;
  let speed = 1;
  let playing: number | undefined;
  let lastFrame = 0;
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const chart = new WormChart(
    chartBox,
    {
      window: 60,
      axisColor: dark ? '#b4bac6' : '#4b5260',
      upColor: dark ? '#4ade80' : '#15803d',
      downColor: dark ? '#f87171' : '#b91c1c',
      showAxes: true,
      lines: segmentLines(series.segments ?? []),
    },
    // The chart's clock is the replay's: it trails "now" by a tick, as it does live.
    () => first + position * 1000 + 1000,
  );
  chart.addPoints(series.points, pair);
  // Each segment's line beside the total.
  chart.setLines(true, series.segments ?? []);
  chart.addMarkers(series.markers);

  const scrub = byId<HTMLInputElement>('scrub');
  scrub.max = String(duration);
  byId('duration').textContent = clock(duration);
  const offset = byId<HTMLInputElement>('offset');

  const show = (): void => {
    scrub.value = String(position);
    byId('position').textContent = clock(position);
    // The recording's time: since the round began, plus how long the recording ran before it.
    byId('vod-time').textContent = clock((first - series.anchor) / 1000 + position + (Number(offset.value) || 0));
    chartBox.dataset.position = position.toFixed(1);
    // The tally at this moment: the newest point not after it.
    const at = first + position * 1000;
    let index = series.points.findIndex((point) => point.ts > at) - 1;
    if (index < 0) index = index === -2 ? series.points.length - 1 : 0;
    const point = series.points[index];
    if (point) showTally(point, pair);
  };
  const seek = (seconds: number): void => {
    position = Math.min(duration, Math.max(0, seconds));
    show();
  };
  const pause = (): void => {
    if (playing !== undefined) cancelAnimationFrame(playing);
    playing = undefined;
    byId('play').textContent = 'Play';
    chartBox.dataset.playing = 'false';
  };
  const frame = (now: number): void => {
    if (lastFrame !== 0) seek(position + ((now - lastFrame) / 1000) * speed);
    lastFrame = now;
    if (position >= duration) pause();
    else playing = requestAnimationFrame(frame);
  };
  byId('play').addEventListener('click', () => {
    if (playing !== undefined) {
      pause();
      return;
    }
    if (position >= duration) seek(0);
    lastFrame = 0;
    byId('play').textContent = 'Pause';
    chartBox.dataset.playing = 'true';
    playing = requestAnimationFrame(frame);
  });
  byId<HTMLSelectElement>('speed').addEventListener('change', (event) => {
    speed = Number((event.target as HTMLSelectElement).value) || 1;
  });
  scrub.addEventListener('input', () => seek(Number(scrub.value)));
  offset.addEventListener('input', show);
  byId('markers').replaceChildren(
    ...series.markers.map((marker) =>
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'marker-jump', onclick: () => seek((marker.ts - first) / 1000) },
          `${clock((marker.ts - first) / 1000)} ${marker.label}${marker.auto ? ' (auto)' : ''}`,
        ),
      ),
    ),
  );
  chartBox.dataset.duration = duration.toFixed(1);
  showState(conn, 'live', `${series.points.length} points`);
  show();
  chart.start();
}

if (room) {
  main(room).catch((error: unknown) => {
    showState(conn, 'closed', 'Not loaded');
    const reason = error instanceof Error ? error.message : String(error);
    showProblem(
      byId('problem'),
      problem(/not_found|404/.test(reason) ? 'not_found' : /not_open|403|401/.test(reason) ? 'not_open' : 'unreachable', room),
    );
  });
} else {
  showState(conn, 'closed', 'Not loaded');
  showProblem(byId('problem'), problem('bad_address'));
}
