import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvSource } from '@banterbox/config';
import { GATEWAY_NODE_FLAGS } from '@banterbox/local-stack';
import { findResource, kustomizeBuild, readYamlDocuments, type Resource } from '@banterbox/testkit';
import { readGatewayConfig } from '../../apps/gateway/src/env';
import { readTickerConfig } from '../../apps/ticker/src/env';
import { OVERLAYS } from './overlays';

/**
 * The deployment files checked without a cluster or a Docker engine: the Kubernetes overlays
 * build, and what they (and the compose file) configure is what the apps read, on the ports and
 * paths the apps serve.
 */
const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'k8s');

/** The environment variables an app's config reads, recorded through a proxy. */
function envRead(read: (env: EnvSource) => unknown): Set<string> {
  const names = new Set<string>();
  const recorder = new Proxy({} as EnvSource, {
    get: (_target, key) => {
      if (typeof key === 'string') names.add(key);
      return undefined;
    },
  });
  read(recorder);
  return names;
}

const APPS = {
  gateway: { reads: envRead(readGatewayConfig), validate: (env: EnvSource) => readGatewayConfig(env) },
  ticker: { reads: envRead(readTickerConfig), validate: (env: EnvSource) => readTickerConfig(env) },
} as const;

/** `case` labels of the image's entrypoint: the commands the image runs. */
function entrypointCommands(): string[] {
  const script = readFileSync(join(ROOT, 'infra', 'docker-entrypoint.sh'), 'utf8');
  return [...script.matchAll(/^\s+([a-z]+)\) shift; exec node (?:--\S+ )*(\/app\/\S+)/gm)].map((m) => {
    expect(existsSync(join(ROOT, m[2]!.replace('/app/', '')))).toBe(true);
    return m[1]!;
  });
}

/** A container's environment as the pod would see it (secret values from `secrets`). */
function containerEnv(resources: Resource[], container: Resource, secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of (container.envFrom ?? []) as Resource[]) {
    if (source.configMapRef) Object.assign(env, findResource(resources, 'ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) Object.assign(env, secrets);
  }
  for (const entry of (container.env ?? []) as Resource[]) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) env[entry.name] = secrets[entry.valueFrom.secretKeyRef.key] ?? '';
    else if (entry.valueFrom?.fieldRef) env[entry.name] = 'pod-name-0';
  }
  return env;
}

/**
 * The Secret the pods would see: the dev overlay's generated one, else the template's, without
 * REDIS_URL where a component sets another topology in a ConfigMap (as its comment says to do).
 */
function secretValues(resources: Resource[]): Record<string, string> {
  const generated = resources.find((r) => r.kind === 'Secret' && r.metadata.name === 'banterbox-secrets');
  const template = readYamlDocuments(join(K8S, 'base', 'secret.template.yaml'))[0]!;
  const values = { ...((generated ?? template).stringData as Record<string, string>) };
  const common = findResource(resources, 'ConfigMap', 'banterbox-common').data as Record<string, string>;
  if (common.REDIS_SENTINELS !== undefined || common.REDIS_CLUSTER_NODES !== undefined) delete values.REDIS_URL;
  return values;
}

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe.each(OVERLAYS)('%s', (overlay) => {
  const resources = kustomizeBuild(join(K8S, overlay));
  const dev = overlay === 'overlays/dev';
  const namespace = dev ? 'banterbox-dev' : 'banterbox';
  const secrets = secretValues(resources);
  const deployment = (app: 'gateway' | 'ticker'): Resource => findResource(resources, 'Deployment', `banterbox-${app}`);
  const container = (app: 'gateway' | 'ticker'): Resource => deployment(app).spec.template.spec.containers[0];

  it('builds every resource the apps need, in its namespace', () => {
    const kinds = resources.map((r) => `${r.kind}/${r.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/banterbox-gateway',
        'Service/banterbox-gateway',
        'HorizontalPodAutoscaler/banterbox-gateway',
        'PodDisruptionBudget/banterbox-gateway',
        'Deployment/banterbox-ticker',
        'PodDisruptionBudget/banterbox-ticker',
        'ConfigMap/banterbox-common',
        `Namespace/${namespace}`,
      ]),
    );
    for (const r of resources) if (r.kind !== 'Namespace') expect(r.metadata.namespace).toBe(namespace);
    expect(deployment('ticker').spec.replicas).toBe(overlay.endsWith('cluster') ? 3 : 2);
    if (dev) {
      expect(kinds).toEqual(expect.arrayContaining(['Deployment/banterbox-redis', 'Service/banterbox-redis', 'Secret/banterbox-secrets']));
      // The base runs on a plain cluster: nothing that needs an operator or a policy-enforcing CNI.
      expect(kinds.filter((kind) => /^(ServiceMonitor|PrometheusRule|NetworkPolicy)\//.test(kind))).toEqual([]);
    } else {
      expect(kinds).not.toContain('Secret/banterbox-secrets'); // created out of band
      expect(kinds).toEqual(
        expect.arrayContaining([
          'ServiceMonitor/banterbox',
          'PrometheusRule/banterbox',
          'NetworkPolicy/banterbox-gateway',
          'NetworkPolicy/banterbox-ticker',
        ]),
      );
    }
    // Parameters are never deployed.
    expect(resources.filter((r) => r.metadata.annotations?.['config.kubernetes.io/local-config'] === 'true')).toEqual([]);
  });

  it.each(['gateway', 'ticker'] as const)('sets only env vars the %s reads, and everything it requires', (app) => {
    const env = containerEnv(resources, container(app), secrets);
    expect(Object.keys(env).filter((name) => !APPS[app].reads.has(name))).toEqual([]);
    expect(() => APPS[app].validate(env)).not.toThrow();
    expect(env.NODE_ENV).toBe('production');
    expect(entrypointCommands()).toContain(container(app).args[0]);
    // One image name; `dev` for local builds, the release's version (package.json) otherwise.
    expect(container(app).image).toBe(dev ? 'banterbox:dev' : `registry.example.com/banterbox:${VERSION}`);
  });

  it('probes the paths and ports the apps serve', () => {
    const gateway = container('gateway');
    const config = readGatewayConfig(containerEnv(resources, gateway, secrets));
    const port = (c: Resource, name: string): number => (c.ports as Resource[]).find((p) => p.name === name)!.containerPort;
    expect(port(gateway, 'http')).toBe(config.port);
    expect(port(gateway, 'metrics')).toBe(config.metricsPort);
    expect(gateway.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(gateway.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const ticker = container('ticker');
    const tickerConfig = readTickerConfig(containerEnv(resources, ticker, secrets));
    expect(port(ticker, 'metrics')).toBe(tickerConfig.metricsPort);
    expect(ticker.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
  });

  it('gives the drain time to finish before the pod is killed', () => {
    const spec = deployment('gateway').spec.template.spec;
    const gateway = spec.containers[0];
    const config = readGatewayConfig(containerEnv(resources, gateway, secrets));
    const [sleep, seconds] = gateway.lifecycle.preStop.exec.command as string[];
    expect(sleep).toBe('sleep');
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(Number(seconds) + config.drainMs / 1000 + 5);
    expect(deployment('gateway').spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it('wires services, autoscaler, disruption budget and scraping to the right pods and ports', () => {
    const podLabels = (app: string): Record<string, string> => deployment(app as 'gateway').spec.template.metadata.labels;
    const service = findResource(resources, 'Service', 'banterbox-gateway');
    expect(podLabels('gateway')).toMatchObject(service.spec.selector);
    const portNames = (container('gateway').ports as Resource[]).map((p) => p.name);
    for (const p of service.spec.ports as Resource[]) expect(portNames).toContain(p.targetPort);
    expect(findResource(resources, 'HorizontalPodAutoscaler', 'banterbox-gateway').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: 'banterbox-gateway',
    });
    expect(podLabels('gateway')).toMatchObject(
      findResource(resources, 'PodDisruptionBudget', 'banterbox-gateway').spec.selector.matchLabels,
    );
    expect(podLabels('ticker')).toMatchObject(findResource(resources, 'PodDisruptionBudget', 'banterbox-ticker').spec.selector.matchLabels);
    expect(findResource(resources, 'PodDisruptionBudget', 'banterbox-ticker').spec.minAvailable).toBe(1);
    for (const app of ['gateway', 'ticker'] as const) {
      const spread = deployment(app).spec.template.spec.topologySpreadConstraints as Resource[];
      expect(spread.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const c of spread) expect(podLabels(app)).toMatchObject(c.labelSelector.matchLabels);
    }
    if (dev) return;
    const monitor = findResource(resources, 'ServiceMonitor', 'banterbox');
    const scraped = monitor.spec.selector.matchExpressions[0].values as string[];
    for (const name of ['banterbox-gateway', 'banterbox-ticker-metrics']) {
      const svc = findResource(resources, 'Service', name);
      expect(scraped).toContain(svc.metadata.labels['app.kubernetes.io/name']);
      expect((svc.spec.ports as Resource[]).map((p) => p.name)).toContain(monitor.spec.endpoints[0].port);
    }
  });
});

describe('container image and local cluster', () => {
  const dockerfile = readFileSync(join(ROOT, 'infra', 'Dockerfile'), 'utf8');

  it('builds on Node 20 bookworm-slim, runs as non-root with production dependencies only', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    // Every stage on one Node base: the official image unless the build names another (an offline
    // stand-in, infra/offline/build-bases.sh).
    expect(/^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1]).toBe('node:20-bookworm-slim');
    expect(stages).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}', '${NODE_IMAGE}']);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(runtime).toMatch(/^ENTRYPOINT \["banterbox-entrypoint"\]$/m);
    expect(entrypointCommands()).toEqual(['gateway', 'ticker', 'banterbox']);
    // The gateway runs with the same node flags wherever it is started (GATEWAY_NODE_FLAGS).
    const entrypoint = readFileSync(join(ROOT, 'infra', 'docker-entrypoint.sh'), 'utf8');
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(entrypoint).toContain(`exec node ${GATEWAY_NODE_FLAGS.join(' ')} /app/apps/gateway/dist/main.js`);
    expect(scripts['start:gateway']).toBe(`node ${GATEWAY_NODE_FLAGS.join(' ')} apps/gateway/dist/main.js`);
    // Everything COPY'd from the build context exists.
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const path of m[1]!.split(' ')) expect(existsSync(join(ROOT, path))).toBe(true);
    }
  });

  it('runs Redis, two tickers, two gateways and a load balancer with env the apps read', () => {
    const [compose] = readYamlDocuments(join(ROOT, 'infra', 'docker-compose.yml'));
    const services = compose!.services as Record<string, Resource>;
    expect(Object.keys(services).sort()).toEqual(['gateway-1', 'gateway-2', 'lb', 'redis', 'ticker-1', 'ticker-2']);
    // The one image name, tagged as local builds are (docs/operations.md, "What runs").
    for (const name of ['gateway-1', 'gateway-2', 'ticker-1', 'ticker-2']) expect(services[name]!.image).toBe('banterbox:dev');
    expect(dockerfile).toContain('docker build -f infra/Dockerfile -t banterbox:dev .');
    for (const [name, service] of Object.entries(services)) {
      const app = name.startsWith('gateway') ? 'gateway' : name.startsWith('ticker') ? 'ticker' : undefined;
      if (!app) continue;
      expect(service.command).toEqual([app]);
      const env = Object.fromEntries(
        Object.entries(service.environment as Record<string, unknown>).map(([k, v]) => [k, String(v).replace(/^\$\{\w+:-(.*)\}$/, '$1')]),
      );
      expect(Object.keys(env).filter((key) => !APPS[app].reads.has(key))).toEqual([]);
      expect(() => APPS[app].validate(env)).not.toThrow();
    }
    const nginx = readFileSync(join(ROOT, 'infra', 'nginx.conf'), 'utf8');
    for (const gateway of ['gateway-1', 'gateway-2'])
      expect(nginx).toContain(`server ${gateway}:${String(services[gateway]!.environment.PORT)}`);
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade');
  });

  it('moves the compose cluster onto a 3-master Redis Cluster with the cluster override', () => {
    const [base] = readYamlDocuments(join(ROOT, 'infra', 'docker-compose.yml'));
    const [override] = readYamlDocuments(join(ROOT, 'infra', 'docker-compose.cluster.yml'));
    const services = override!.services as Record<string, Resource>;
    const nodes = Object.keys(services).filter((name) => name.startsWith('redis-node-'));
    expect(nodes).toHaveLength(6);
    for (const node of nodes) expect(services[node]!.command).toEqual(expect.arrayContaining(['--cluster-enabled', 'yes']));
    const init = String((services['redis-cluster-init']!.command as string[])[0]);
    expect(init).toContain('--cluster-replicas 1');
    expect(init).toContain('for n in 1 2 3 4 5 6');
    for (const name of ['gateway-1', 'gateway-2', 'ticker-1', 'ticker-2']) {
      const app = name.startsWith('gateway') ? 'gateway' : 'ticker';
      // Compose merges the override's environment into the base service's.
      const merged = { ...(base!.services as Record<string, Resource>)[name]!.environment, ...services[name]!.environment } as Record<
        string,
        unknown
      >;
      const env = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, String(v).replace(/^\$\{\w+:-(.*)\}$/, '$1')]));
      expect(env.REDIS_CLUSTER_NODES!.split(',').sort()).toEqual(nodes.map((n) => `${n}:6379`).sort());
      expect(APPS[app].validate(env).redis).toMatchObject({ kind: 'cluster' });
      expect(services[name]!.depends_on).toMatchObject({ 'redis-cluster-init': { condition: 'service_completed_successfully' } });
    }
  });

  it('keeps every YAML and JSON file under k8s/ and infra/ parseable', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const files = [...walk(K8S), ...walk(join(ROOT, 'infra'))];
    for (const file of files.filter((f) => /\.ya?ml$/.test(f))) expect(readYamlDocuments(file).length).toBeGreaterThan(0);
    for (const file of files.filter((f) => f.endsWith('.json')))
      expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
  });
});

describe('dashboards and alerts', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([a-z_0-9]+)` \|/gm)].map((m) => m[1]!));
  /** Metric names in a PromQL expression, histogram series mapped to their metric. */
  const metricsIn = (expr: string): string[] =>
    [...expr.matchAll(/\b((?:banterbox|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

  it('alerts on no leader, tick lag and slow ticks, pub/sub lag, Redis down, the drop rate and sockets per pod, with documented metrics only', () => {
    const [rules] = readYamlDocuments(join(ROOT, 'infra', 'prometheus', 'banterbox-alerts.yaml'));
    const alerts = (rules!.groups as Resource[]).flatMap((g) => g.rules as Resource[]);
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'BanterboxNoLeader',
        'BanterboxTickLag',
        'BanterboxTickSlow',
        'BanterboxPubSubLag',
        'BanterboxRedisDown',
        'BanterboxSnapshotDropRate',
        'BanterboxGatewayConnectionsHigh',
      ]),
    );
    const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    for (const alert of alerts) {
      expect(metricsIn(alert.expr as string).filter((name) => !documented.has(name))).toEqual([]);
      expect(['critical', 'warning']).toContain(alert.labels.severity);
      // One base for every runbook link (the monitoring component's runbookBase replaces it).
      const [base, anchor] = String(alert.annotations.runbook_url).split('#');
      expect(base).toBe('https://docs.example.com/banterbox/operations.md');
      expect(operations).toContain(`<a id="${anchor}"></a>`);
    }
  });

  const dashboard = JSON.parse(readFileSync(join(ROOT, 'infra', 'grafana', 'banterbox-dashboard.json'), 'utf8')) as {
    templating: { list: { name: string; includeAll?: boolean; multi?: boolean }[] };
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));

  it('charts documented metrics only', () => {
    expect(exprs.length).toBeGreaterThan(20);
    expect(exprs.flatMap(metricsIn).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('filters every chart by the namespace and pod variables, and charts gateways and tickers per pod', () => {
    const variables = dashboard.templating.list;
    expect(variables.map((v) => v.name)).toEqual(['datasource', 'namespace', 'pod']);
    expect(variables[2]).toMatchObject({ includeAll: true, multi: true });
    for (const expr of exprs) {
      const selectors = [...expr.matchAll(/\b(?:banterbox|nodejs|process)_[a-z0-9_]+(\{[^}]*\})?/g)];
      expect(selectors.length).toBeGreaterThan(0);
      for (const [selector] of selectors) expect(selector).toMatch(/\{.*namespace="\$namespace", pod=~"\$pod"\}$/);
    }
    const row = dashboard.panels.findIndex((panel) => panel.type === 'row' && panel.title === 'Per pod');
    const perPod = dashboard.panels.slice(row + 1);
    expect(perPod.length).toBeGreaterThanOrEqual(6);
    for (const panel of perPod) expect(panel.targets!.every((t) => /by \([^)]*\bpod\b/.test(t.expr))).toBe(true);
  });
});
