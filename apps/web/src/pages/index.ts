import '../styles/app.css';
import { byId } from '../lib/dom';

/** Landing page: the demo button asks the gateway which open room is the demo. */
byId<HTMLButtonElement>('demo').addEventListener('click', () => {
  void (async () => {
    const response = await fetch('/api/demo');
    if (!response.ok) {
      byId('demo-message').textContent = 'This server has no demo room. Ask its operator for a room link.';
      return;
    }
    const { room } = (await response.json()) as { room: string };
    location.assign(`/room/${encodeURIComponent(room)}`);
  })();
});
