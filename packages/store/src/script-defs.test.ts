import * as defs from './script-defs';
import { SCRIPT_FILES, StoreError, scriptSource, type Script, type ScriptFile } from './scripts';

/** The codes a script's header lists under "Returns" (negative ones, and tickRooms' positive codes). */
function documentedCodes(file: ScriptFile): number[] {
  const header = /--\[\[([\s\S]*?)\]\]/.exec(scriptSource(file))?.[1] ?? '';
  const returns = header.slice(header.indexOf('Returns'));
  return [...new Set([...returns.matchAll(/(?<![\w.[])(-\d+)\b/g)].map((m) => Number(m[1])))];
}

/** How each script's reply carries a code: bare, or as the first element of a table (null: it has no codes). */
const scripts: [Script<never, unknown>, ((code: number) => unknown) | null][] = [
  [defs.roomOps, (code) => code],
  [defs.reapVoters, null],
  [defs.expireVotes, null],
  [defs.resetVoters, null],
  [defs.roomRound, (code) => [code, 0]],
  [defs.holdForGateway, (code) => code],
  [defs.tickRooms, (code) => [code]],
  [defs.upgradeRooms, (code) => [code]],
  [defs.ensureRoom, (code) => [code, '["a","b"]', '1', '0', null, null, null, null, null, null, null, null, null]],
  [defs.roomVoting, (code) => [code, 0]],
  [defs.addMarker, null],
  [defs.renewLease, (code) => code],
  [defs.pokerCreate, (code) => code],
  [defs.pokerPresence, (code) => [code]],
  [defs.pokerEstimate, (code) => code],
  [defs.pokerCards, (code) => code],
  [defs.pokerManage, (code) => code],
  [defs.pokerUser, (code) => code],
  [defs.userConnections, (code) => [code]],
  [defs.userName, null],
  [defs.userExpire, (code) => [code]],
  [defs.unscheduleUser, (code) => code],
  [defs.emitEventOnce, null],
  [defs.claimWebhooks, null],
  [defs.settleWebhook, null],
];

describe('script replies are decoded where each script is defined', () => {
  it('covers every script', () => {
    expect(scripts.map(([script]) => script.file).sort()).toEqual([...SCRIPT_FILES].sort());
  });

  it.each(scripts.map(([script, wrap]) => [script.file, script, wrap] as const))(
    '%s: every code its header documents decodes, any other is a StoreError naming it',
    (file, script, wrap) => {
      expect(() => script.decode('not a reply')).toThrow(StoreError);
      if (!wrap) {
        expect(documentedCodes(file)).toEqual([]);
        return;
      }
      for (const code of documentedCodes(file)) expect(() => script.decode(wrap(code))).not.toThrow();
      expect(() => script.decode(wrap(-50))).toThrow(StoreError);
      expect(() => script.decode(wrap(-50))).toThrow(file);
    },
  );

  it('reads each shape into words, never positions', () => {
    expect(defs.roomOps.decode(3)).toEqual({ changed: 3 });
    expect(defs.roomOps.decode(-1)).toEqual({ fenced: 'reaped' });
    expect(defs.roomOps.decode(-2)).toEqual({ fenced: 'lapsed' });
    expect(defs.renewLease.decode(0)).toBeUndefined();
    expect(defs.tickRooms.decode([2, 1, 0, -1, -2, -3])).toEqual([
      defs.TickResult.StoredNewLayout,
      defs.TickResult.Stored,
      defs.TickResult.Unchanged,
      defs.TickResult.Fenced,
      defs.TickResult.NoRoom,
      defs.TickResult.Sharded,
    ]);
    expect(defs.pokerEstimate.decode(-4)).toEqual({ refused: defs.PokerReply.Spectator });
    expect(defs.pokerPresence.decode([7])).toEqual({ seq: 7 });
    expect(defs.pokerUser.decode(1)).toBe('closed');
    expect(defs.userConnections.decode([2, 0, '', '0'])).toEqual({ connections: 2, expiresAt: 0, name: null, nameVersion: '0' });
    expect(defs.userConnections.decode([-1])).toEqual({ fenced: 'reaped' });
    expect(defs.userExpire.decode([2, 1234])).toEqual({ state: 'later', expiresAt: 1234 });
    expect(defs.userExpire.decode([0, 'r1', 'r2'])).toEqual({ state: 'expired', rooms: ['r1', 'r2'] });
    expect(defs.userName.decode(['17', 'room-1'])).toEqual({ version: '17', rooms: ['room-1'] });
    expect(defs.roomVoting.decode([1, 1500])).toEqual({ result: 'changed', closedAt: 1500 });
    expect(defs.roomVoting.decode([0, 0])).toEqual({ result: 'unchanged', closedAt: undefined });
    expect(defs.roomVoting.decode([-1, 0])).toEqual({ result: 'no_room' });
    expect(defs.roomRound.decode([1, 2])).toEqual({ result: 'started', round: 2 });
    expect(defs.roomRound.decode([0, 3])).toEqual({ result: 'conflict', round: 3 });
    expect(defs.roomRound.decode([-1, 0])).toEqual({ result: 'no_room' });
  });
});
