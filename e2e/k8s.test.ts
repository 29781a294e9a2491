import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig, settingNames } from '@flock/config';
import { QUEUE_NAMES } from '@flock/jobs';

/**
 * The Kubernetes manifests under infra/k8s, rendered as `kubectl apply -k` would
 * (`kubectl kustomize` where kubectl is installed; the listed files otherwise) and
 * checked against the code: every variable they set is a Flock setting and the set
 * passes Flock's own validation, the probes name paths and ports the processes serve,
 * grace periods outlast the drain, KEDA watches the lists BullMQ fills, and every
 * object validates against the Kubernetes and KEDA schemas (kubernetes-models).
 */
const ROOT = path.resolve(__dirname, '..');
const K8S = path.join(ROOT, 'infra/k8s');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

function render(overlay: string): K8sObject[] {
  const dir = path.join(K8S, overlay);
  const text = hasKubectl ? execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }) : listedFiles(dir);
  return parseAllDocuments(text).map((doc) => doc.toJSON() as K8sObject);
}

/** The files a kustomization lists, folders followed: the same objects, without kustomize's labels. */
function listedFiles(dir: string): string {
  const kustomization = parseAllDocuments(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJSON() as {
    resources: string[];
  };
  return kustomization.resources
    .map((resource) =>
      resource.endsWith('.yaml') ? readFileSync(path.join(dir, resource), 'utf8') : listedFiles(path.join(dir, resource)),
    )
    .join('\n---\n');
}

const base = render('base');
const keda = render('keda');
const config = base.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'flock-config')!;
const secret = parseAllDocuments(readFileSync(path.join(K8S, 'base/secret.example.yaml'), 'utf8'))[0]!.toJSON() as K8sObject;
const deployment = (name: string) => base.find((object) => object.kind === 'Deployment' && object.metadata.name === name)!;
const containerOf = (name: string) => deployment(name).spec.template.spec.containers[0];

it('sets only variables Flock reads, and a set that passes its validation', () => {
  const names = new Set(settingNames());
  const set = { ...config.data, ...secret.stringData };
  for (const name of Object.keys(set)) expect({ name, known: names.has(name) }).toEqual({ name, known: true });
  for (const name of ['flock-api', 'flock-worker']) {
    const container = containerOf(name);
    for (const variable of container.env ?? []) expect(names.has(variable.name)).toBe(true);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'flock-config' } }, { secretRef: { name: 'flock-secrets' } }]);
  }
  // With real-looking secrets in place of the placeholders (and no LLM or MotherDuck switched on).
  const valid = loadConfig({ ...config.data, FLOCK_JWT_SECRET: 'x'.repeat(32), FLOCK_ADMIN_API_KEY: `flk_${'a'.repeat(32)}` });
  expect(valid.workerPort).toBe(9464);
});

it('probes paths and ports the processes serve, and gives each pod longer than its drain', () => {
  const settings = loadConfig({ ...config.data, FLOCK_JWT_SECRET: 'x'.repeat(32) });
  const served: Record<string, Record<string, number>> = {
    // The API's port, and its credential-free metrics port; the worker supervisor's operations port.
    'flock-api': { http: settings.port, metrics: settings.apiMetricsPort! },
    'flock-worker': { operations: settings.workerPort },
  };
  for (const [name, ports] of Object.entries(served)) {
    const container = containerOf(name);
    const declared = Object.fromEntries(
      container.ports.map((port: { name: string; containerPort: number }) => [port.name, port.containerPort]),
    );
    expect(declared).toEqual(ports);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(Object.keys(ports)).toContain(probe.httpGet.port);
    const grace = deployment(name).spec.template.spec.terminationGracePeriodSeconds;
    const drain = (settings.shutdownTimeoutMs + (name === 'flock-api' ? settings.shutdownDelayMs : 0)) / 1000;
    expect(grace).toBeGreaterThan(drain);
    const annotations = deployment(name).spec.template.metadata.annotations;
    expect(Object.values(ports)).toContain(Number(annotations['prometheus.io/port']));
  }
  expect(
    base
      .filter((object) => object.kind === 'PodDisruptionBudget')
      .map((object) => object.metadata.name)
      .sort(),
  ).toEqual(['flock-api', 'flock-worker']);
});

it('scales workers with KEDA on the lists BullMQ keeps waiting jobs in', () => {
  const scaled = keda.find((object) => object.kind === 'ScaledObject')!;
  expect(scaled.spec.scaleTargetRef.name).toBe('flock-worker');
  const lists = scaled.spec.triggers.map((trigger: { metadata: { listName: string } }) => trigger.metadata.listName);
  const prefix = config.data!.FLOCK_REDIS_PREFIX;
  // e2e/metrics.int.test.ts checks that a waiting ask is in `${prefix}:${queue}:wait`.
  expect(lists).toEqual([`${prefix}:${QUEUE_NAMES.ask}:wait`, `${prefix}:${QUEUE_NAMES.queryAllChunk}:wait`]);
});

it('validates against the Kubernetes and KEDA schemas', () => {
  const alternative = parseAllDocuments(readFileSync(path.join(K8S, 'keda/prometheus-trigger.yaml'), 'utf8'))[0]!.toJSON();
  const problems = execFileSync(process.execPath, [path.join(__dirname, 'support/validate-k8s.mjs')], {
    input: JSON.stringify([...keda, secret, alternative]),
    encoding: 'utf8',
  });
  expect(JSON.parse(problems)).toEqual([]);
  expect(keda.length).toBeGreaterThan(base.length);
});
