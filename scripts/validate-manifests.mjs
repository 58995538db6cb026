#!/usr/bin/env node
// Renders every Kubernetes overlay under deploy/kubernetes/overlays (resources-only kustomizations, the
// subset used here) and validates each object against the official Kubernetes OpenAPI schemas shipped in the
// `kubernetes-models` package, then checks the cross-references a schema cannot see (config and secret
// names, selectors, the HPA target). Exits non-zero on the first invalid overlay.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'kubernetes');

function render(dir) {
  const kustomization = parseYamlFile(join(dir, 'kustomization.yaml'))[0];
  const objects = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    if (entry.endsWith('.yaml') || entry.endsWith('.yml')) objects.push(...parseYamlFile(path));
    else objects.push(...render(path));
  }
  return objects;
}

function parseYamlFile(path) {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
    return doc.toJS();
  });
}

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modulePath = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  const module = await import(modulePath);
  const Model = module[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return Model;
}

/** The image's runtime user (Dockerfile) and the time a shutdown may take beyond the drain delay. */
const IMAGE_UID = 10001;
const SLOWEST_REQUEST_SECONDS = 30;

/**
 * What the container smoke test (scripts/container-smoke.sh) runs and measures must hold for the pods too: the
 * image's uid with a matching fsGroup (volumes writable), read-only root, no capabilities, and a grace period
 * longer than the drain delay plus the slowest in-flight request (a SIGTERM must never cut a commit short).
 */
function checkRuntimeAgreement(deployment, config, problems) {
  const pod = deployment.spec.template.spec;
  const security = pod.securityContext ?? {};
  if (security.runAsUser !== IMAGE_UID || security.runAsNonRoot !== true) problems.push(`pod must run as non-root uid ${IMAGE_UID}`);
  if (security.fsGroup !== IMAGE_UID) problems.push(`pod fsGroup must be ${IMAGE_UID} so mounted volumes are writable`);
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) problems.push(`container ${c.name}: root filesystem not read-only`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`container ${c.name}: privilege escalation allowed`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`container ${c.name}: capabilities not dropped`);
  }
  const drainSeconds = Number(config?.data?.PANGOLIN_SHUTDOWN_DRAIN_MS ?? 0) / 1000;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace < drainSeconds + SLOWEST_REQUEST_SECONDS) {
    problems.push(`terminationGracePeriodSeconds ${grace} is shorter than the drain (${drainSeconds} s) plus ${SLOWEST_REQUEST_SECONDS} s for in-flight requests`);
  }
}

function checkReferences(objects, overlay) {
  const problems = [];
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const o of objects.filter((x) => x.kind === 'Deployment')) {
    checkRuntimeAgreement(o, objects.find((x) => x.kind === 'ConfigMap' && x.metadata.name === 'pangolin-config'), problems);
    const labels = o.spec.template.metadata.labels ?? {};
    for (const [k, v] of Object.entries(o.spec.selector.matchLabels ?? {})) {
      if (labels[k] !== v) problems.push(`Deployment ${o.metadata.name}: selector ${k}=${v} does not match the pod labels`);
    }
    for (const c of o.spec.template.spec.containers) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !names.has(`ConfigMap/${from.configMapRef.name}`)) problems.push(`missing ConfigMap ${from.configMapRef.name}`);
        if (from.secretRef && !names.has(`Secret/${from.secretRef.name}`)) problems.push(`missing Secret ${from.secretRef.name}`);
      }
      for (const probe of ['livenessProbe', 'readinessProbe']) {
        if (!c[probe]?.httpGet) problems.push(`container ${c.name}: no HTTP ${probe}`);
      }
      if (!c.resources?.requests || !c.resources?.limits) problems.push(`container ${c.name}: resources not set`);
    }
  }
  for (const h of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const t = h.spec.scaleTargetRef;
    if (!names.has(`${t.kind}/${t.name}`)) problems.push(`HPA ${h.metadata.name}: target ${t.kind}/${t.name} not rendered`);
  }
  for (const s of objects.filter((x) => x.kind === 'Service' || x.kind === 'PodDisruptionBudget')) {
    const selector = s.kind === 'Service' ? s.spec.selector : s.spec.selector.matchLabels;
    const matches = objects.some(
      (d) => d.kind === 'Deployment' && Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v),
    );
    if (!matches) problems.push(`${s.kind} ${s.metadata.name}: selector matches no Deployment`);
  }
  if (problems.length > 0) throw new Error(`${overlay}: ${problems.join('; ')}`);
}

let validated = 0;
const overlaysDir = join(root, 'overlays');
for (const overlay of readdirSync(overlaysDir).sort()) {
  const objects = render(join(overlaysDir, overlay));
  for (const object of objects) {
    const Model = await modelFor(object.apiVersion, object.kind);
    try {
      new Model(object).validate();
    } catch (err) {
      throw new Error(`${overlay}: ${object.kind}/${object.metadata?.name} is invalid: ${err.message}`);
    }
    validated += 1;
  }
  checkReferences(objects, overlay);
  console.log(`deploy/kubernetes/overlays/${overlay}: ${objects.length} objects valid (${objects.map((o) => o.kind).join(', ')})`);
}
console.log(`Kubernetes manifests: ${validated} objects validated against the Kubernetes schemas`);
