import '../styles/overlay.css';
import { byId } from '../lib/dom';
import { roomCredentials, roomFromPath, roomOptions } from '../lib/room-auth';
import { VoteConnection } from '../lib/vote-connection';
import { WormChart } from '../lib/worm-chart';

/**
 * The stream overlay (/overlay/<room>): the worm on a transparent background, no controls.
 * Query parameters: w and h (pixels; default the whole window), window (seconds, default 60),
 * color (hex, default 22c55e), axes (0 hides them), counts (1 shows a line of counts).
 */
const params = new URLSearchParams(location.search);
const px = (name: string): string | undefined => {
  const value = Number(params.get(name));
  return Number.isFinite(value) && value >= 50 && value <= 4000 ? `${value}px` : undefined;
};
const overlay = byId('overlay');
overlay.style.width = px('w') ?? '100vw';
overlay.style.height = px('h') ?? '100vh';
const color = /^[0-9a-fA-F]{6}$/.test(params.get('color') ?? '') ? `#${params.get('color')}` : '#22c55e';
const seconds = Number(params.get('window'));
const room = roomFromPath('overlay');

if (room) {
  const chart = new WormChart(byId('chart'), {
    window: Number.isFinite(seconds) && seconds >= 10 ? seconds : 60,
    axisColor: '#ffffff',
    lineColor: color,
    showAxes: params.get('axes') !== '0',
  });
  const counts = byId('counts');
  counts.hidden = params.get('counts') !== '1';
  void roomOptions(room).then((options) => {
    const pair: [string, string] = [options[0] ?? 'yes', options[1] ?? 'no'];
    const connection = new VoteConnection(room, roomCredentials(room), {
      onPoints: (points) => {
        chart.addPoints(points, pair);
        const last = points[points.length - 1]!;
        counts.textContent = `${pair[0]} ${last.votes[pair[0]] ?? 0} · ${pair[1]} ${last.votes[pair[1]] ?? 0} · ${last.connected} watching`;
      },
      onState: (state) => {
        document.body.dataset.state = state;
      },
    });
    connection.start();
    chart.start();
  });
}
