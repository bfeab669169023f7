import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * The size budget of what an embedding page downloads: each client alone, bundled and minified as
 * a page's bundler would (the protocol decoders included), then gzipped. The vote client must
 * stay within 6 KB; both sizes are printed.
 */
const VOTE_CLIENT_BUDGET = 6 * 1024;

async function minGzip(entry: string): Promise<{ min: number; gzip: number }> {
  const result = await build({
    stdin: { contents: entry, resolveDir: __dirname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    write: false,
    alias: { '@banterbox/protocol': join(__dirname, '..', '..', 'protocol', 'src') },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

describe('bundle size', () => {
  it('keeps the vote client within 6 KB min+gzip, and reports both clients', async () => {
    const vote = await minGzip("export { VoteClient } from './index';");
    const poker = await minGzip("export { PokerClient } from './index';");
    process.stderr.write(
      `@banterbox/client min+gzip: VoteClient ${vote.gzip} B (${vote.min} B minified), PokerClient ${poker.gzip} B (${poker.min} B minified)\n`,
    );
    expect(vote.gzip).toBeLessThanOrEqual(VOTE_CLIENT_BUDGET);
    // The measure itself: a bundle that lost the client would be near empty.
    expect(vote.min).toBeGreaterThan(2_000);
    expect(poker.min).toBeGreaterThan(2_000);
  });
});
