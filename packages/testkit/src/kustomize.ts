import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small kustomize for tests: builds an overlay into its resources without a cluster or the
 * kustomize binary. It supports what banterbox's manifests use (resources, components,
 * namespace, images, labels, strategic-merge patches, replacements, config and secret generators
 * without hash suffixes, local-config resources) and refuses anything else, so a manifest can
 * never rely on a feature this build ignores. Where `kubectl` is on PATH the tests also render
 * every overlay with the real kustomize and compare the two.
 */
/** A Kubernetes document as parsed YAML. Deliberately loose: tests walk manifests of any shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests of any shape, walked by tests
export type Resource = Record<string, any>;

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'images',
  'labels',
  'patches',
  'replacements',
  'generatorOptions',
  'configMapGenerator',
  'secretGenerator',
]);
const LOCAL_CONFIG = 'config.kubernetes.io/local-config';
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
  readonly code = 'kustomize';
}

/** Every document of a YAML file, failing on any parse error. */
export function readYamlDocuments(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as Resource;
    })
    .filter((doc) => doc !== null);
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

/** A container image reference split into its parts (registry and port stay in `name`). */
export interface ImageRef {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits `[registry[:port]/]path[:tag][@digest]`: a ':' is a tag only after the last '/'. */
export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return { name: hasTag ? rest.slice(0, colon) : rest, tag: hasTag ? rest.slice(colon + 1) : undefined, digest };
}

export function formatImage({ name, tag, digest }: ImageRef): string {
  return `${name}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
}

/** Applies an `images` entry of a kustomization (name, newName, newTag, digest) to one image. */
export function setImage(image: string, entry: { name: string; newName?: string; newTag?: string; digest?: string }): string {
  const ref = parseImage(image);
  if (ref.name !== entry.name) return image;
  const name = entry.newName ?? ref.name;
  if (entry.digest !== undefined) return formatImage({ name, tag: undefined, digest: entry.digest });
  if (entry.newTag !== undefined) return formatImage({ name, tag: entry.newTag, digest: undefined });
  return formatImage({ ...ref, name });
}

/** A fieldPath's segments: dots split, `[a.b]` is one key, `[k=v]` selects list items, `*` all. */
function fieldPathSegments(path: string): string[] {
  const segments: string[] = [];
  for (const match of path.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)) segments.push(match[1] !== undefined ? `[${match[1]}]` : match[2]!);
  return segments;
}

/** The nodes a fieldPath reaches in `root`, as [parent, key] pairs (missing ones are skipped after a wildcard, else an error). */
function fieldPathSlots(root: Resource, path: string): [Resource, string | number][] {
  let nodes: unknown[] = [root];
  const segments = fieldPathSegments(path);
  let wild = false;
  const slots: [Resource, string | number][] = [];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const next: unknown[] = [];
    for (const node of nodes) {
      const keys: (string | number)[] = [];
      if (segment === '*') {
        wild = true;
        if (Array.isArray(node)) keys.push(...node.map((_, index) => index));
      } else if (/^\[[^=\]]+=[^\]]*\]$/.test(segment) && Array.isArray(node)) {
        const [key, value] = segment.slice(1, -1).split('=') as [string, string];
        node.forEach((item: unknown, index) => {
          if (isObject(item) && String(item[key]) === value) keys.push(index);
        });
      } else {
        const key = segment.startsWith('[') ? segment.slice(1, -1) : segment;
        keys.push(Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key);
      }
      for (const key of keys) {
        const container = node as Resource;
        const present = container !== null && typeof container === 'object' && key in container;
        if (!present) {
          if (wild) continue;
          throw new KustomizeError(`fieldPath ${path}: nothing at ${String(key)}`);
        }
        if (last) slots.push([container, key]);
        else next.push(container[key]);
      }
    }
    nodes = next;
  });
  return slots;
}

const selects = (resource: Resource, select: Resource): boolean =>
  (select.kind === undefined || resource.kind === select.kind) && (select.name === undefined || resource.metadata?.name === select.name);

/** Runs `replacements` (source value into target fields, whole or one delimited part) on `resources`. */
function replace(resources: Resource[], replacements: Resource[], file: string): void {
  for (const replacement of replacements) {
    const { source, targets } = replacement;
    if (replacement.path !== undefined || !isObject(source) || !Array.isArray(targets))
      throw new KustomizeError(`${file}: only inline replacements with a source and targets are supported`);
    const from = resources.filter((r) => selects(r, source));
    if (from.length !== 1)
      throw new KustomizeError(
        `${file}: replacement source ${String(source.kind)}/${String(source.name)} matches ${from.length} resources`,
      );
    const slots = fieldPathSlots(from[0]!, String(source.fieldPath ?? 'metadata.name'));
    if (slots.length !== 1) throw new KustomizeError(`${file}: replacement source ${String(source.fieldPath)} is not one value`);
    const [holder, key] = slots[0]!;
    const value: unknown = holder[key];
    for (const target of targets as Resource[]) {
      const chosen = resources.filter((r) => selects(r, target.select ?? {}));
      if (chosen.length === 0) throw new KustomizeError(`${file}: replacement target ${JSON.stringify(target.select)} selects nothing`);
      for (const resource of chosen) {
        for (const path of target.fieldPaths as string[]) {
          for (const [parent, slot] of fieldPathSlots(resource, path)) {
            const { delimiter, index } = (target.options ?? {}) as { delimiter?: string; index?: number };
            if (delimiter === undefined) {
              parent[slot] = value;
              continue;
            }
            const parts = String(parent[slot]).split(delimiter);
            parts[index ?? 0] = String(value);
            parent[slot] = parts.join(delimiter);
          }
        }
      }
    }
  }
}

/** Reads and checks a kustomization.yaml (a Kustomization, or a Component when `component`). */
function readKustomization(dir: string, component: boolean): Resource {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new KustomizeError(`no kustomization.yaml in ${dir}`);
  const [k] = readYamlDocuments(file);
  if (!k) throw new KustomizeError(`${file} is empty`);
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new KustomizeError(`${file}: unsupported field ${key}`);
  if ((k.kind === 'Component') !== component)
    throw new KustomizeError(
      `${file}: ${component ? 'components must be kind Component' : 'a Component can only be used under components'}`,
    );
  return k;
}

/**
 * Applies one kustomization (or component) in `dir` to `input`, in kustomize's order: its
 * resources, then its components, its generators, patches, labels, images, namespace, and last
 * its replacements.
 */
function apply(dir: string, input: Resource[], component: boolean): Resource[] {
  const k = readKustomization(dir, component);
  const file = join(dir, 'kustomization.yaml');
  let resources = [...input];
  for (const entry of (k.resources ?? []) as string[]) {
    const path = resolve(dir, entry);
    resources.push(...(statSync(path).isDirectory() ? apply(path, [], false) : readYamlDocuments(path)));
  }
  for (const entry of (k.components ?? []) as string[]) resources = apply(resolve(dir, entry), resources, true);
  const hashless = k.generatorOptions?.disableNameSuffixHash === true;
  for (const spec of (k.configMapGenerator ?? []) as Resource[]) resources.push(generated('ConfigMap', spec, hashless));
  for (const spec of (k.secretGenerator ?? []) as Resource[]) resources.push(generated('Secret', spec, hashless));

  for (const entry of (k.patches ?? []) as Resource[]) {
    if (typeof entry.path !== 'string' || entry.target !== undefined)
      throw new KustomizeError(`${file}: only file patches without targets are supported`);
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
    for (const container of resources.flatMap(containersOf)) container.image = setImage(String(container.image), image as { name: string });
  }
  if (typeof k.namespace === 'string') {
    resources = resources.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: k.namespace } }));
  }
  // Replacements write into the objects: work on copies, so no input object is changed.
  if (k.replacements !== undefined) {
    resources = structuredClone(resources);
    replace(resources, k.replacements as Resource[], file);
  }
  return resources;
}

/** Builds the kustomization in `dir` (a directory holding kustomization.yaml), as `kubectl kustomize` would. */
export function kustomizeBuild(dir: string): Resource[] {
  return apply(dir, [], false).filter((r) => r.metadata?.annotations?.[LOCAL_CONFIG] !== 'true');
}

/** The built resource of `kind` named `name`; throws if there is none. */
export function findResource(resources: Resource[], kind: string, name: string): Resource {
  const found = resources.find((r) => r.kind === kind && r.metadata?.name === name);
  if (!found) throw new KustomizeError(`no ${kind} ${name}`);
  return found;
}

/** Whether `kubectl` (with its built-in kustomize) is on PATH. */
export function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

/** Builds `dir` with the real `kubectl kustomize`; throws with kustomize's message if it fails. */
export function kubectlKustomize(dir: string): Resource[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new KustomizeError(`kubectl kustomize ${dir}: ${result.stderr || result.stdout}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Resource)
    .filter((doc) => doc !== null);
}
