// Builds the published package into dist/: one ES module and one CommonJS file, each with
// @banterbox/protocol bundled in (no runtime dependencies), and the type declarations, with the
// protocol's declarations copied beside them. Run by `npm run build` after `tsc -b`.
const { build } = require('esbuild');
const { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const out = join(__dirname, 'dist');
const protocolTypes = join(__dirname, '..', 'protocol', 'dist');

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'protocol'), { recursive: true });
  const shared = {
    entryPoints: [join(__dirname, 'src', 'index.ts')],
    bundle: true,
    target: ['es2020'],
    alias: { '@banterbox/protocol': join(__dirname, '..', 'protocol', 'src') },
    logLevel: 'warning',
  };
  await build({ ...shared, format: 'esm', outfile: join(out, 'index.mjs') });
  await build({ ...shared, format: 'cjs', outfile: join(out, 'index.cjs') });
  for (const file of readdirSync(join(__dirname, 'build', 'types'))) {
    const text = readFileSync(join(__dirname, 'build', 'types', file), 'utf8');
    writeFileSync(join(out, file), text.replace(/(['"])@banterbox\/protocol\1/g, "'./protocol/index'"));
  }
  for (const file of readdirSync(protocolTypes).filter((name) => name.endsWith('.d.ts'))) {
    cpSync(join(protocolTypes, file), join(out, 'protocol', file));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
