#!/usr/bin/env node
// Renders k8s/components/monitoring/prometheus-rule.yaml (a Prometheus Operator PrometheusRule)
// from the plain rules file beside this script, so the alerts are written once.
//   node infra/prometheus/render-rule.mjs           write it
//   node infra/prometheus/render-rule.mjs --check   exit 1 if the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const source = join(here, 'banterbox-alerts.yaml');
const target = join(root, 'k8s', 'components', 'monitoring', 'prometheus-rule.yaml');

const rules = YAML.parse(readFileSync(source, 'utf8'));
const resource = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'banterbox', labels: { release: 'kube-prometheus-stack' } },
  spec: { groups: rules.groups },
};
const header =
  '# Rendered from infra/prometheus/banterbox-alerts.yaml by infra/prometheus/render-rule.mjs: edit\n# that file, then run the script. runbook_url bases come from params.yaml (runbookBase).\n';
const rendered = header + YAML.stringify(resource, { lineWidth: 0 });

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing: out of date
  }
  if (committed !== rendered) {
    process.stderr.write(`${target} is out of date: run node infra/prometheus/render-rule.mjs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(target, rendered);
}
