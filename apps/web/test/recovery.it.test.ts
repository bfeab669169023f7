import { gatewayService } from '@banterbox/gateway';
import type { Page } from 'playwright-core';
import { signToken } from '@banterbox/auth';
import { ADMIN_KEY, SECRET, startInProcess } from '@banterbox/testkit';
import { screenshotPath, useBrowserStack } from './browser';

const ROTATED = 'the-next-secret-after-a-rotation-0123456789';
const UNRELATED = 'an-unrelated-secret-nobody-kept-0123456789';

/**
 * What users see around the happy path, in a real browser: each error state, and recovery when
 * the gateway restarts with the same secret, with a rotated one (BANTERBOX_SECRET_PREVIOUS), and
 * with an unrelated new one.
 */
describe('web client error states and recovery in Chromium', () => {
  const stack = useBrowserStack();

  /** Every test here provokes refusals and outages: failed requests are expected in the console. */
  async function open(path: string, viewport = { width: 1000, height: 800 }): Promise<Page> {
    const page = await stack.page(viewport, true);
    await page.goto(`${stack.base}${path}`);
    return page;
  }

  async function createRoom(room: string, open: boolean): Promise<void> {
    const response = await fetch(`${stack.base}/api/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room, open }),
    });
    expect(response.status).toBe(201);
  }

  describe('error states', () => {
    it('says a mistyped room does not exist: no spinner, no live controls', async () => {
      const page = await open('/room/nosuchroom');
      await page.locator('#problem[data-problem="not_found"]').waitFor();
      expect(await page.locator('#problem').innerText()).toContain('Room not found');
      expect(await page.locator('#loading').isHidden()).toBe(true);
      expect(await page.locator('#conn').getAttribute('data-state')).toBe('closed');
      expect(await page.getByRole('button', { name: 'yes', exact: true }).isDisabled()).toBe(true);
      await page.screenshot({ path: screenshotPath('room-not-found') });
    });

    it('tells a guest a closed room needs a link, and a link whose token expired that it expired', async () => {
      await createRoom('members-only', false);
      const guest = await open('/room/members-only');
      await guest.locator('#problem[data-problem="not_open"]').waitFor();
      expect(await guest.locator('#problem').innerText()).toContain('not open to guests');

      const expired = await signToken({ sub: 'late', room: 'members-only', exp: Math.floor(Date.now() / 1000) - 60 }, SECRET);
      const link = await open(`/room/members-only#token=${expired}`);
      await link.locator('#problem[data-problem="expired"]').waitFor();
      expect(await link.locator('#problem').innerText()).toContain('This link has expired');
      expect(await link.locator('#loading').isHidden()).toBe(true);
    });

    it('answers an address that cannot name a room with 404 and says so', async () => {
      const page = await stack.page(undefined, true);
      const response = await page.goto(`${stack.base}/room/not%20a%20room`);
      expect(response?.status()).toBe(404);
      await page.locator('#problem[data-problem="bad_address"]').waitFor();
    });

    it('writes a readable message on the overlay for a mistyped room (a streamer sees it in OBS)', async () => {
      const overlay = await open('/overlay/nosuchroom?w=640&h=240', { width: 800, height: 400 });
      await overlay.locator('#notice[data-problem="not_found"]').waitFor();
      const look = await overlay.evaluate(() => {
        const notice = document.querySelector<HTMLElement>('#notice')!;
        const style = getComputedStyle(notice);
        return {
          text: notice.innerText,
          color: style.color,
          background: style.backgroundColor,
          buttons: document.querySelectorAll('button').length,
        };
      });
      expect(look).toEqual({
        text: expect.stringContaining('Room not found'),
        color: 'rgb(255, 255, 255)',
        background: 'rgba(0, 0, 0, 0.7)',
        buttons: 0,
      });
      // On a white scene the message still reads.
      await overlay.evaluate(() => (document.documentElement.style.background = '#ffffff'));
      await overlay.screenshot({ path: screenshotPath('overlay-not-found'), clip: { x: 0, y: 0, width: 640, height: 240 } });
    });

    it('says when the server cannot be reached, takes no clicks meanwhile, and comes back by itself', async () => {
      const page = await open('/room/demo');
      const poker = await open('/poker');
      for (const p of [page, poker]) await p.locator('#conn[data-state="live"]').waitFor();
      expect(await page.getByRole('button', { name: 'yes', exact: true }).isEnabled()).toBe(true);
      await stack.gateway.stop();
      await page.locator('#problem[data-problem="unreachable"]').waitFor({ timeout: 20_000 });
      expect(await page.getByRole('button', { name: 'yes', exact: true }).isDisabled()).toBe(true);
      await poker.locator('#problem[data-problem="unreachable"]').waitFor({ timeout: 20_000 });
      expect(await poker.locator('#app').evaluate((app) => (app as HTMLElement).inert)).toBe(true);

      stack.gateway = await startInProcess(gatewayService, stack.redis, stack.env());
      for (const p of [page, poker]) {
        await p.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
        expect(await p.locator('#problem').isHidden()).toBe(true);
      }
      expect(await page.getByRole('button', { name: 'yes', exact: true }).isEnabled()).toBe(true);
    });
  });

  describe('recovery after a gateway restart', () => {
    /** Ann owns a room with an estimate of 5; Ben, a member, estimated 8. */
    async function pokerRoom(): Promise<{ ann: Page; ben: Page; roomId: string }> {
      const ann = await open('/poker');
      await ann.locator('#conn[data-state="live"]').waitFor();
      await ann.getByLabel('Name').fill('Ann');
      await ann.getByRole('button', { name: 'Save' }).click();
      await ann.getByRole('button', { name: 'Create room' }).click();
      await ann.waitForURL(/\/poker\/[A-Za-z0-9_-]+$/);
      const roomId = new URL(ann.url()).pathname.split('/').pop()!;
      const ben = await open(`/poker/${roomId}`);
      await ben.getByLabel('Name').fill('Ben');
      await ben.getByRole('button', { name: 'Join', exact: true }).click();
      await ann.locator('#members li', { hasText: 'Ben' }).waitFor();
      await ann.getByRole('button', { name: '5', exact: true }).click();
      await ben.getByRole('button', { name: '8', exact: true }).click();
      await ann.locator('#members li', { hasText: 'Ben' }).locator('[data-mark="hidden"]').waitFor();
      return { ann, ben, roomId };
    }

    const card = (page: Page, value: string): Promise<string | null> =>
      page.getByRole('button', { name: value, exact: true }).getAttribute('aria-pressed');
    const memberOrder = (page: Page): Promise<string[]> => page.locator('#members li .who').allInnerTexts();

    it('with the same secret: everyone is back in the room with their own card selected, in the same order', async () => {
      const { ann, ben } = await pokerRoom();
      const order = await memberOrder(ben);
      await stack.restartGateway();
      for (const page of [ann, ben]) await page.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
      await ann.locator('#members li', { hasText: 'Ben' }).locator('[data-mark="hidden"]').waitFor();
      expect(await card(ann, '5')).toBe('true');
      expect(await card(ben, '8')).toBe('true');
      expect(await ann.getByRole('button', { name: 'Withdraw' }).isEnabled()).toBe(true);
      // Ben sees his own value as before the restart, and the list did not reorder.
      expect(await ben.locator('#members li', { hasText: 'Ben' }).locator('[data-mark="value"]').innerText()).toBe('8');
      expect(await memberOrder(ben)).toEqual(order);
      await ann.getByRole('button', { name: 'Reveal' }).click();
      await ben.locator('[data-stat="mean"]', { hasText: '6.5' }).waitFor();
    });

    it('with a rotated secret (BANTERBOX_SECRET_PREVIOUS): same sessions, same estimates, links still work', async () => {
      const { ann, ben } = await pokerRoom();
      const annId = await ann.locator('#members li').first().getAttribute('data-user');
      const link = await signToken({ sub: 'linked', room: 'demo', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
      const viewer = await open(`/room/demo#token=${link}`);
      await viewer.locator('#conn[data-state="live"]').waitFor();

      await stack.restartGateway({ BANTERBOX_SECRET: ROTATED, BANTERBOX_SECRET_PREVIOUS: SECRET });
      for (const page of [ann, ben, viewer]) await page.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
      expect(await ann.locator('#members li').first().getAttribute('data-user')).toBe(annId);
      await ann.locator('#members li', { hasText: 'Ben' }).locator('[data-mark="hidden"]').waitFor();
      expect(await card(ann, '5')).toBe('true');
      expect(await card(ben, '8')).toBe('true');
      expect(await viewer.locator('#problem').isHidden()).toBe(true);
      // The next page load re-signs the cookie with the new secret: it works once the old one is dropped.
      await ann.reload();
      await ann.locator('#conn[data-state="live"]').waitFor();
      await stack.restartGateway({ BANTERBOX_SECRET: ROTATED });
      await ann.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
      await ann.locator('#members li', { hasText: 'Ann' }).waitFor();
      expect(await ann.locator('#members li').first().getAttribute('data-user')).toBe(annId);
      await stack.restartGateway();
    });

    it('with an unrelated new secret: poker starts a fresh session under the same name, guests re-mint, links say they expired', async () => {
      const { ann, roomId } = await pokerRoom();
      const link = await signToken({ sub: 'linked', room: 'demo', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
      const viewer = await open(`/room/demo#token=${link}`);
      const guest = await open('/room/demo');
      for (const page of [viewer, guest]) await page.locator('#conn[data-state="live"]').waitFor();

      await stack.restartGateway({ BANTERBOX_SECRET: UNRELATED });
      await ann.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
      await ann.locator('#toast', { hasText: 'back in as Ann' }).waitFor();
      // Said plainly: a new session is a new user to the server, and the room's owner was the old one.
      expect(await ann.locator('#toast').innerText()).toContain('owner controls stayed with your old session');
      expect(new URL(ann.url()).pathname).toBe(`/poker/${roomId}`);
      await ann.locator('#members li', { hasText: 'Ann (you)' }).waitFor();
      // Her estimate of the round came with her (re-sent under the new session).
      await ann.waitForFunction(() => document.querySelector('button[data-card="5"]')?.getAttribute('aria-pressed') === 'true', undefined, {
        timeout: 10_000,
      });
      await ann.screenshot({ path: screenshotPath('poker-new-session') });

      await viewer.locator('#problem[data-problem="expired"]').waitFor({ timeout: 20_000 });
      await guest.locator('#conn[data-state="live"]').waitFor({ timeout: 20_000 });
      expect(await guest.locator('#problem').isHidden()).toBe(true);
      await stack.restartGateway();
    });
  });
});
