import '../styles/overlay.css';
import { byId, showText } from '../lib/dom';
import { VoteClient } from '@banterbox/client';
import { connectionProblem, problem, showProblem } from '../lib/problems';
import { roomCredentials, roomFromPath, roomInfo } from '../lib/room-auth';
import { chosenLines } from '../lib/lines';
import { WormChart, segmentLines } from '../lib/worm-chart';

/**
 * The stream overlay (/overlay/<room>): the worm on a transparent background, no controls. It
 * watches without being counted as a viewer. Query parameters: w and h (pixels; default the whole
 * window), window (seconds, default 60), up and down (hex colours of the line while the first or
 * the second option leads; default 22c55e and ef4444; `color` is an alias of up), axes (0 hides
 * them), counts (1 shows a line of counts), theme (dark: light text with a dark outline, the
 * default; light: dark text with a light outline, for light scenes), font (text size in pixels,
 * 10 to 48), markers (0 hides them), closed (say: "Voting closed" while voting is closed, the
 * default; hide: the whole overlay disappears until it opens), question (0 hides the round's
 * question, shown by default when the room has one), lines (in a room with segments: which lines,
 * comma-separated: `total` (the default), `segments` for every segment, or segment names).
 * Problems (no such room, an expired link, no server) are written on the overlay itself, so a
 * streamer sees them in the scene. In OBS it stops drawing while its source is hidden
 * (obsSourceVisibleChanged).
 */
const params = new URLSearchParams(location.search);
const px = (name: string): string | undefined => {
  const value = Number(params.get(name));
  return Number.isFinite(value) && value >= 50 && value <= 4000 ? `${value}px` : undefined;
};
const hex = (...names: string[]): string | undefined => {
  for (const name of names) {
    const value = params.get(name) ?? '';
    if (/^[0-9a-fA-F]{6}$/.test(value)) return `#${value}`;
  }
  return undefined;
};
const overlay = byId('overlay');
overlay.style.width = px('w') ?? '100vw';
overlay.style.height = px('h') ?? '100vh';
const light = params.get('theme') === 'light';
document.body.dataset.theme = light ? 'light' : 'dark';
const font = Number(params.get('font'));
const textPx = Number.isInteger(font) && font >= 10 && font <= 48 ? font : 18;
document.body.style.fontSize = `${textPx}px`;
const hideWhenClosed = params.get('closed') === 'hide';
const seconds = Number(params.get('window'));
const room = roomFromPath('overlay');
const notice = byId('notice');

if (room) {
  const head = byId('head');
  const counts = byId('counts');
  counts.hidden = params.get('counts') !== '1';
  void roomInfo(room).then((info) => {
    const pair: [string, string] = [info.options[0] ?? 'yes', info.options[1] ?? 'no'];
    const lines = chosenLines(params.get('lines'), info.segments);
    const showQuestion = (text: string | undefined): void => {
      showText('question', params.get('question') === '0' ? undefined : text);
      // The text lines sit above the chart, never over its labels.
      byId('chart').style.top = `${head.offsetHeight + (head.offsetHeight > 0 ? 5 : 0)}px`;
    };
    showQuestion(info.question);
    const chart = new WormChart(byId('chart'), {
      window: Number.isFinite(seconds) && seconds >= 10 ? seconds : 60,
      axisColor: light ? '#111827' : '#ffffff',
      haloColor: light ? '#ffffff' : '#000000',
      showMarkers: params.get('markers') !== '0',
      upColor: hex('up', 'color') ?? '#22c55e',
      downColor: hex('down') ?? '#ef4444',
      showAxes: params.get('axes') !== '0',
      outline: true,
      lines: segmentLines(info.segments),
    });
    chart.setLines(lines.total, lines.segments);
    const { getToken, renewable } = roomCredentials(room);
    const connection = new VoteClient({ url: location.origin, room, getToken, observe: true })
      .on('points', (points) => {
        chart.addPoints(points, pair);
        const last = points[points.length - 1]!;
        counts.textContent = `${pair[0]} ${last.votes[pair[0]] ?? 0} · ${pair[1]} ${last.votes[pair[1]] ?? 0} · ${last.connected} watching`;
      })
      .on('markers', (markers) => chart.addMarkers(markers))
      .on('room', (state) => showQuestion(state.question))
      .on('round', () => chart.clear())
      .on('voting', ({ closed }) => {
        byId('voting').hidden = !closed || hideWhenClosed;
        overlay.style.visibility = closed && hideWhenClosed ? 'hidden' : '';
        document.body.dataset.voting = closed ? 'closed' : 'open';
      })
      .on('state', (state, why) => {
        document.body.dataset.state = state;
        showProblem(notice, connectionProblem(state, connection.attempts, why?.reason, room, renewable), false);
      });
    connection.start();
    chart.start();
    // OBS's browser source tells when the source is shown or hidden: nothing is drawn while hidden.
    window.addEventListener('obsSourceVisibleChanged', (event) => {
      const visible = (event as CustomEvent<{ visible?: boolean }>).detail?.visible !== false;
      document.body.dataset.drawing = String(visible);
      if (visible) chart.start();
      else chart.stop();
    });
  });
} else {
  document.body.dataset.state = 'closed';
  showProblem(notice, problem('bad_address'), false);
}
