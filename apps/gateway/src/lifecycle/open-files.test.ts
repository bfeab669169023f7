import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFilesLimit } from './open-files';

describe('openFilesLimit', () => {
  it("reads this process's soft and hard limit", () => {
    const limit = openFilesLimit();
    expect(limit?.soft).toBeGreaterThan(0);
    expect(limit!.hard).toBeGreaterThanOrEqual(limit!.soft);
  });

  it('parses the limits file, unlimited included, and gives up on anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const header = 'Limit                     Soft Limit           Hard Limit           Units     \n';
    expect(openFilesLimit(file('a', `${header}Max open files            20000                20000                files     \n`))).toEqual({
      soft: 20000,
      hard: 20000,
    });
    expect(openFilesLimit(file('b', `${header}Max open files            1024                 unlimited            files     \n`))).toEqual({
      soft: 1024,
      hard: Number.POSITIVE_INFINITY,
    });
    expect(openFilesLimit(file('c', header))).toBeUndefined();
    expect(openFilesLimit(join(dir, 'missing'))).toBeUndefined();
  });
});
