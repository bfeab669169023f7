// Builds the browser client into dist/: one bundle per page (content-hashed, minified) and the
// HTML pages pointing at them. Run by `npm run build` after the type check.
const { build } = require('esbuild');
const { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');

const out = join(__dirname, 'dist');
const pages = ['index', 'room', 'overlay', 'poker', 'studio', 'replay'];

/**
 * A page's template starts with `{{head <title>}}`: the document's start and the head every page
 * shares (charset, viewport, no favicon request, the title, the page's stylesheet).
 */
function withHead(page, template) {
  return template.replace(/^\{\{head (.+)\}\}/, (_, title) =>
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<link rel="icon" href="data:,">',
      `<title>${title}</title>`,
      `<link rel="stylesheet" href="{{${page}.css}}">`,
      '</head>',
    ].join('\n'),
  );
}

async function main() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: pages.map((page) => join(__dirname, 'src', 'pages', `${page}.ts`)),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    alias: {
      '@banterbox/protocol': join(__dirname, '..', '..', 'packages', 'protocol', 'src'),
      '@banterbox/client': join(__dirname, '..', '..', 'packages', 'client', 'src'),
    },
    logLevel: 'warning',
  });
  const assets = {};
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const page = basename(meta.entryPoint, '.ts');
    assets[`${page}.js`] = `/assets/${basename(file)}`;
    if (meta.cssBundle) assets[`${page}.css`] = `/assets/${basename(meta.cssBundle)}`;
  }
  for (const page of pages) {
    const template = readFileSync(join(__dirname, 'src', 'html', `${page}.html`), 'utf8');
    if (!template.startsWith('{{head ')) throw new Error(`${page}.html must start with {{head <title>}}`);
    const html = withHead(page, template).replace(/\{\{(\w+\.(?:js|css))\}\}/g, (_, name) => {
      if (!assets[name]) throw new Error(`${page}.html refers to ${name}, which the build did not produce`);
      return assets[name];
    });
    writeFileSync(join(out, `${page}.html`), html);
  }
  writeFileSync(
    join(out, 'manifest.json'),
    `${JSON.stringify({ pages: pages.map((p) => `${p}.html`), assets: readdirSync(join(out, 'assets')) }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
