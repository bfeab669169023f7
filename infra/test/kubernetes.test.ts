import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  findResource,
  hasKubectl,
  kubectlKustomize,
  kustomizeBuild,
  parseImage,
  readYamlDocuments,
  setImage,
  type Resource,
} from '@banterbox/testkit';
import { readGatewayConfig } from '../../apps/gateway/src/env';
import { OVERLAYS } from './overlays';

/**
 * The Kubernetes kit as an SRE installs it: every overlay renders with the real `kubectl
 * kustomize` the same as with the test build, every object validates against the Kubernetes and
 * Prometheus Operator schemas, every component is used, and its parameters reach the objects.
 */
const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'k8s');
const COMPONENTS = readdirSync(join(K8S, 'components'));

interface Model {
  validate(): void;
}
type ModelClass = new (data: Resource) => Model;

/** The kubernetes-models class of a resource's apiVersion and kind (Prometheus Operator kinds from their package). */
function modelOf(resource: Resource): ModelClass {
  const apiVersion = String(resource.apiVersion);
  const kind = String(resource.kind);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const path =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen by the resource's kind
  const loaded = require(path) as Record<string, ModelClass>;
  const model = loaded[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

/** The same objects as kubectl prints them: Secret data decoded, in one order. */
function comparable(resources: Resource[]): Resource[] {
  return resources
    .map((r) => {
      if (r.kind !== 'Secret' || r.data === undefined) return r;
      const { data, ...rest } = r;
      return {
        ...rest,
        stringData: Object.fromEntries(
          Object.entries(data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        ),
      };
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

const kubectl = hasKubectl();
const withKubectl = kubectl ? it : it.skip;

describe.each(OVERLAYS)('%s rendered', (overlay) => {
  const resources = kustomizeBuild(join(K8S, overlay));

  withKubectl('renders with the real kubectl kustomize exactly as the test build does', () => {
    expect(comparable(kubectlKustomize(join(K8S, overlay)))).toEqual(comparable(resources));
  });

  it('validates every object against the Kubernetes and Prometheus Operator schemas', () => {
    for (const resource of resources) {
      const model = modelOf(resource);
      expect(() => new model(resource).validate()).not.toThrow();
    }
    // The check has teeth: a port that is not a number fails it.
    const gateway = structuredClone(findResource(resources, 'Deployment', 'banterbox-gateway'));
    gateway.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new (modelOf(gateway))(gateway).validate()).toThrow(/containerPort/);
  });

  it('leaves no parameter placeholder behind', () => {
    const text = JSON.stringify(resources);
    expect(text).not.toMatch(/SCRAPER_NAMESPACE|REDIS_CIDR|REDIS_NAMESPACE/);
    const rule = resources.find((r) => r.kind === 'PrometheusRule');
    if (!rule) return;
    const params = readYamlDocuments(join(K8S, 'overlays', 'prod', 'monitoring-params.yaml'))[0]!.data as Record<string, string>;
    const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const urls = (rule.spec.groups as Resource[]).flatMap((g) => (g.rules as Resource[]).map((r) => String(r.annotations.runbook_url)));
    expect(urls.length).toBeGreaterThan(8);
    for (const url of urls) {
      const [base, anchor] = url.split('#');
      expect(base).toBe(params.runbookBase);
      expect(operations).toContain(`<a id="${anchor}"></a>`);
    }
    expect(rule.metadata.labels.release).toBe(params.prometheusRelease);
    const network = readYamlDocuments(join(K8S, 'overlays', 'prod', 'network-params.yaml'))[0]!.data as Record<string, string>;
    for (const policy of resources.filter((r) => r.kind === 'NetworkPolicy')) {
      const from = (policy.spec.ingress as Resource[]).flatMap((rule) => (rule.from ?? []) as Resource[]);
      expect(from.map((f) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual([network.scraperNamespace]);
      const redis = (policy.spec.egress as Resource[])[0]!;
      expect(redis.to).toEqual([
        { ipBlock: { cidr: network.redisCidr } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': network.redisNamespace } } },
      ]);
      expect((redis.ports as Resource[]).map((p) => p.port)).toEqual([6379, 6380, 26379]);
    }
  });
});

describe('components', () => {
  const uses = new Map(OVERLAYS.map((overlay) => [overlay, readYamlDocuments(join(K8S, overlay, 'kustomization.yaml'))[0]!]));
  /** The components an overlay uses, with those of the overlays it builds on. */
  const componentsOf = (overlay: string): string[] => {
    const k = uses.get(overlay)!;
    const own = ((k.components ?? []) as string[]).map((c) => c.split('/').at(-1)!);
    const bases = ((k.resources ?? []) as string[]).map((r) => join(overlay, r).replace(/\\/g, '/')).filter((r) => uses.has(r));
    return [...own, ...bases.flatMap(componentsOf)];
  };

  it.each(COMPONENTS)('%s is used by an overlay, so it is rendered and validated', (component) => {
    expect(OVERLAYS.filter((overlay) => componentsOf(overlay).includes(component))).not.toEqual([]);
  });

  it('keeps the PrometheusRule rendered from the plain rules file', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'infra', 'prometheus', 'render-rule.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const [plain] = readYamlDocuments(join(ROOT, 'infra', 'prometheus', 'banterbox-alerts.yaml'));
    const [rule] = readYamlDocuments(join(K8S, 'components', 'monitoring', 'prometheus-rule.yaml'));
    expect(rule!.spec.groups).toEqual(plain!.groups);
  });

  it('scales gateways on sockets per pod through metrics the adapter rules serve, keeping CPU, and scales in one drain at a time', () => {
    const resources = kustomizeBuild(join(K8S, 'examples', 'prod-cluster'));
    const hpa = findResource(resources, 'HorizontalPodAutoscaler', 'banterbox-gateway');
    const metrics = hpa.spec.metrics as Resource[];
    expect(metrics.map((m) => m.type).sort()).toEqual(['Pods', 'Resource']);
    const [adapter] = readYamlDocuments(join(K8S, 'components', 'hpa-connections', 'prometheus-adapter-rules.yaml'));
    const served = (adapter!.rules as Resource[]).map((rule) => rule.name.as as string);
    for (const metric of metrics.filter((m) => m.type === 'Pods')) expect(served).toContain(metric.pods.metric.name);
    expect((adapter!.rules as Resource[])[0]!.seriesQuery).toContain('banterbox_connections');

    // One pod removed per period, and the period longer than a pod's whole drain (preStop sleep +
    // DRAIN_MS), so two drains never overlap and clients reconnect onto pods that stay.
    const gateway = findResource(resources, 'Deployment', 'banterbox-gateway');
    const container = gateway.spec.template.spec.containers[0];
    const env = {
      ...findResource(resources, 'ConfigMap', 'banterbox-common').data,
      ...findResource(resources, 'ConfigMap', 'banterbox-gateway').data,
    };
    const drainS = Number(container.lifecycle.preStop.exec.command[1]) + Number(env.DRAIN_MS) / 1000;
    const { scaleDown } = hpa.spec.behavior;
    expect(scaleDown.policies).toEqual([{ type: 'Pods', value: 1, periodSeconds: expect.any(Number) }]);
    expect(scaleDown.policies[0].periodSeconds).toBeGreaterThanOrEqual(2 * drainS);
    expect(scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    expect(readGatewayConfig({ ...env, BANTERBOX_SECRET: 'x'.repeat(32), REDIS_CLUSTER_NODES: 'a:1' }).drainMs).toBe(Number(env.DRAIN_MS));
  });
});

describe('image references', () => {
  it.each([
    ['banterbox', { name: 'banterbox', tag: undefined, digest: undefined }],
    ['banterbox:dev', { name: 'banterbox', tag: 'dev', digest: undefined }],
    [
      'registry.example.com:5000/team/banterbox:0.1.0',
      { name: 'registry.example.com:5000/team/banterbox', tag: '0.1.0', digest: undefined },
    ],
    ['localhost:5000/banterbox', { name: 'localhost:5000/banterbox', tag: undefined, digest: undefined }],
    [
      `registry.example.com:5000/banterbox:0.1.0@sha256:${'a'.repeat(64)}`,
      { name: 'registry.example.com:5000/banterbox', tag: '0.1.0', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [`banterbox@sha256:${'b'.repeat(64)}`, { name: 'banterbox', tag: undefined, digest: `sha256:${'b'.repeat(64)}` }],
  ])('parses %s', (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });

  it('sets a new registry with a port, a tag or a digest, as kustomize images do', () => {
    expect(setImage('banterbox', { name: 'banterbox', newName: 'localhost:5000/banterbox', newTag: '1.2.3' })).toBe(
      'localhost:5000/banterbox:1.2.3',
    );
    expect(setImage('banterbox:dev', { name: 'banterbox', digest: `sha256:${'c'.repeat(64)}` })).toBe(`banterbox@sha256:${'c'.repeat(64)}`);
    expect(setImage('localhost:5000/banterbox:dev', { name: 'banterbox', newTag: '9' })).toBe('localhost:5000/banterbox:dev');
    expect(setImage('localhost:5000/banterbox:dev', { name: 'localhost:5000/banterbox', newName: 'registry.example.com/banterbox' })).toBe(
      'registry.example.com/banterbox:dev',
    );
  });

  withKubectl('agrees with the real kustomize on a registry with a port and a digest', () => {
    const dir = join(ROOT, 'infra', 'test', 'fixtures', 'images');
    const images = kubectlKustomize(dir)[0]!.spec.template.spec.containers.map((c: Resource) => c.image as string);
    expect(images).toEqual(kustomizeBuild(dir)[0]!.spec.template.spec.containers.map((c: Resource) => c.image as string));
    expect(images).toEqual([`localhost:5000/banterbox@sha256:${'d'.repeat(64)}`, 'registry.example.com:5000/team/other:2.0', 'sidecar:1']);
  });
});
