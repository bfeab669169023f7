// Builds the published package into dist/: the clients (index) and the backend helper (server,
// Node only), each as one ES module and one CommonJS file with @banterbox/protocol bundled in (no
// runtime dependencies), and the type declarations with the protocol's copied beside them. Run
// by `npm run build` after `tsc -b`.
const { build } = require('esbuild');
const { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const out = join(__dirname, 'dist');

/** Copies declarations from `from` to `to` (`depth` below dist), pointing @banterbox/protocol at dist/protocol. */
function copyTypes(from, to, depth) {
  mkdirSync(to, { recursive: true });
  const protocol = `${depth === 0 ? './' : '../'.repeat(depth)}protocol/index`;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      copyTypes(join(from, entry.name), join(to, entry.name), depth + 1);
      continue;
    }
    const text = readFileSync(join(from, entry.name), 'utf8');
    writeFileSync(join(to, entry.name), text.replace(/(['"])@banterbox\/protocol\1/g, `'${protocol}'`));
  }
}

async function main() {
  rmSync(out, { recursive: true, force: true });
  const shared = {
    bundle: true,
    alias: { '@banterbox/protocol': join(__dirname, '..', 'protocol', 'src') },
    logLevel: 'warning',
  };
  const entries = [
    { name: 'index', source: join(__dirname, 'src', 'index.ts'), target: ['es2020'] },
    { name: 'server', source: join(__dirname, 'src', 'server', 'index.ts'), target: ['node18'], platform: 'node' },
  ];
  for (const { name, source, ...settings } of entries) {
    await build({ ...shared, ...settings, entryPoints: [source], format: 'esm', outfile: join(out, `${name}.mjs`) });
    await build({ ...shared, ...settings, entryPoints: [source], format: 'cjs', outfile: join(out, `${name}.cjs`) });
  }
  copyTypes(join(__dirname, 'build', 'types'), out, 0);
  const protocolTypes = join(__dirname, '..', 'protocol', 'dist');
  mkdirSync(join(out, 'protocol'), { recursive: true });
  for (const file of readdirSync(protocolTypes).filter((name) => name.endsWith('.d.ts'))) {
    cpSync(join(protocolTypes, file), join(out, 'protocol', file));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
