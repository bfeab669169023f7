// Module resolution for the adapter: the k6 modules the scripts import resolve to the adapter's
// own implementations (modules/*.mjs). Registered with node:module's register().
const MODULES = new Set(['k6', 'k6/http', 'k6/metrics', 'k6/websockets', 'k6/timers', 'k6/execution']);

export async function resolve(specifier, context, next) {
  if (MODULES.has(specifier)) {
    const file = specifier === 'k6' ? 'k6' : specifier.slice('k6/'.length);
    return { url: new URL(`./modules/${file}.mjs`, import.meta.url).href, shortCircuit: true };
  }
  if (specifier.startsWith('k6/') || specifier.startsWith('https://')) {
    throw new Error(`k6 adapter: ${specifier} is not implemented (the adapter covers ${[...MODULES].join(', ')})`);
  }
  return next(specifier, context);
}
