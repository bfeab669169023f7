import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small kustomize for tests: builds an overlay into its resources without a cluster or the
 * kustomize binary. It supports what banterbox's manifests use (resources, namespace, images,
 * labels, strategic-merge patches, config and secret generators without hash suffixes) and
 * refuses anything else, so a manifest can never rely on a feature this build ignores.
 */
/** A Kubernetes document as parsed YAML. Deliberately loose: tests walk manifests of any shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests of any shape, walked by tests
export type Resource = Record<string, any>;

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'labels', 'patches', 'generatorOptions', 'configMapGenerator', 'secretGenerator']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
  readonly code = 'kustomize';
}

/** Every document of a YAML file, failing on any parse error. */
export function readYamlDocuments(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0]!.message}`);
    return doc.toJS() as Resource;
  }).filter((doc) => doc !== null);
}

const isObject = (v: unknown): v is Resource => typeof v === 'object' && v !== null && !Array.isArray(v);
const named = (v: unknown): v is Resource => isObject(v) && typeof v.name === 'string';

/** Strategic merge for the shapes used here: maps merge, lists of named items merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    if (!Array.isArray(base) || !patch.every(named) || !base.every(named)) return patch;
    const merged = base.map((item) => ({ ...item }));
    for (const item of patch) {
      const index = merged.findIndex((b) => b.name === item.name);
      if (index >= 0) merged[index] = strategicMerge(merged[index], item) as Resource;
      else merged.push(item);
    }
    return merged;
  }
  if (isObject(patch) && isObject(base)) {
    const merged: Resource = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = strategicMerge(base[key], value);
    }
    return merged;
  }
  return patch;
}

function generated(kind: 'ConfigMap' | 'Secret', spec: Resource, hashless: boolean): Resource {
  if (!hashless) throw new KustomizeError('generators need generatorOptions.disableNameSuffixHash: true here');
  const data: Record<string, string> = {};
  for (const literal of (spec.literals ?? []) as string[]) {
    const eq = literal.indexOf('=');
    data[literal.slice(0, eq)] = literal.slice(eq + 1);
  }
  return kind === 'Secret'
    ? { apiVersion: 'v1', kind, metadata: { name: spec.name }, type: 'Opaque', stringData: data }
    : { apiVersion: 'v1', kind, metadata: { name: spec.name }, data };
}

function containersOf(resource: Resource): Resource[] {
  const pod = resource.spec?.template?.spec ?? resource.spec;
  return [...((pod?.containers as Resource[] | undefined) ?? []), ...((pod?.initContainers as Resource[] | undefined) ?? [])];
}

/** Builds the kustomization in `dir` (a directory holding kustomization.yaml). */
export function kustomizeBuild(dir: string): Resource[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeError(`no kustomization.yaml in ${dir}`);
  const [k] = readYamlDocuments(file);
  if (!k) throw new KustomizeError(`${file} is empty`);
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new KustomizeError(`${file}: unsupported field ${key}`);

  let resources: Resource[] = [];
  for (const entry of (k.resources ?? []) as string[]) {
    const path = resolve(dir, entry);
    resources.push(...(statSync(path).isDirectory() ? kustomizeBuild(path) : readYamlDocuments(path)));
  }
  const hashless = k.generatorOptions?.disableNameSuffixHash === true;
  for (const spec of (k.configMapGenerator ?? []) as Resource[]) resources.push(generated('ConfigMap', spec, hashless));
  for (const spec of (k.secretGenerator ?? []) as Resource[]) resources.push(generated('Secret', spec, hashless));

  for (const entry of (k.patches ?? []) as Resource[]) {
    if (typeof entry.path !== 'string' || entry.target !== undefined) throw new KustomizeError(`${file}: only file patches without targets are supported`);
    for (const patch of readYamlDocuments(resolve(dir, entry.path))) {
      const index = resources.findIndex((r) => r.kind === patch.kind && r.metadata?.name === patch.metadata?.name);
      if (index < 0) throw new KustomizeError(`${entry.path}: no ${String(patch.kind)} ${String(patch.metadata?.name)} to patch`);
      resources[index] = strategicMerge(resources[index], patch) as Resource;
    }
  }
  for (const label of (k.labels ?? []) as Resource[]) {
    if (label.includeSelectors) throw new KustomizeError(`${file}: labels with includeSelectors are not supported`);
    resources = resources.map((r) => ({ ...r, metadata: { ...r.metadata, labels: { ...r.metadata?.labels, ...label.pairs } } }));
  }
  for (const image of (k.images ?? []) as Resource[]) {
    for (const container of resources.flatMap(containersOf)) {
      const [name, tag] = String(container.image).split(':');
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
    }
  }
  if (typeof k.namespace === 'string') {
    resources = resources.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: k.namespace } }));
  }
  return resources;
}

