import { PokerReply } from './poker-store';
import { SCRIPT_FILES, StoreError, commandName, defineScript, scriptSource, type ScriptedRedis } from './scripts';

describe('script registry', () => {
  it('names commands by script and version, never by key count', () => {
    expect(commandName('tickRooms-n')).toBe('bb_tickRooms_v10');
    expect(commandName('ensureRoom-3')).toBe('bb_ensureRoom_v10');
  });

  it.each(SCRIPT_FILES.map((file) => [file]))('%s uses exactly the KEYS its file name declares, and builds no key names', (file) => {
    const lua = scriptSource(file);
    const declared = file.split('-')[1];
    if (declared === 'n') {
      // Any number of keys: the script walks #KEYS.
      expect(lua).toMatch(/#KEYS/);
    } else {
      const used = [...lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(Math.max(...used)).toBe(Number(declared));
    }
    expect(lua).not.toMatch(/['"]bb:/);
  });

  it.each(SCRIPT_FILES.map((file) => [file]))('%s has every include pasted in, each once (Redis time in one place)', (file) => {
    const lua = scriptSource(file);
    expect(lua).not.toMatch(/^-- @include/m);
    expect(lua.match(/local function now_ms\(/g)?.length ?? 0).toBeLessThanOrEqual(1);
    // Redis's clock is read only through include/redisTime.lua.
    expect(lua.match(/redis\.call\('TIME'\)/g)?.length ?? 0).toBe(lua.includes('local function now_ms(') ? 2 : 0);
  });

  it.each(SCRIPT_FILES.filter((file) => file.startsWith('poker')).map((file) => [file]))(
    '%s refuses only with codes of the one poker reply table',
    (file) => {
      const lua = scriptSource(file).replace(/--\[\[[\s\S]*?\]\]/g, '');
      const codes = [...lua.matchAll(/return \{? ?(-\d+)/g)].map((m) => Number(m[1]));
      const known = Object.values(PokerReply).filter((v): v is number => typeof v === 'number');
      for (const code of codes) expect(known).toContain(code);
    },
  );

  it('refuses a call whose keys do not match the script', async () => {
    const broken = defineScript(
      'holdForGateway-2',
      (gatewayId: string) => ({ keys: [gatewayId], argv: [] }),
      () => undefined,
    );
    await expect(broken.run({} as ScriptedRedis, 'g1')).rejects.toThrow(StoreError);
  });
});
