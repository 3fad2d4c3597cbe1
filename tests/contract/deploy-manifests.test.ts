import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/environment.js';
import { projectPath } from '../../src/paths.js';

/*
 * deploy/ against the Kubernetes API schemas (kubernetes-models: validators generated from the Kubernetes 1.27
 * OpenAPI definitions, run here with no cluster), then against each other and against this service: selectors
 * meet labels, probes name our endpoints, the environment is one loadConfig accepts, and the grace period covers
 * the drain. The schema validators do not reject unknown fields, so every field we rely on is asserted by name.
 */

const DEPLOY_DIR = projectPath('deploy');

const validators = {
  'apps/v1 Deployment': (doc: unknown) => {
    new Deployment(doc as Deployment).validate();
  },
  'v1 Service': (doc: unknown) => {
    new Service(doc as Service).validate();
  },
  'v1 Secret': (doc: unknown) => {
    new Secret(doc as Secret).validate();
  },
  'autoscaling/v2 HorizontalPodAutoscaler': (doc: unknown) => {
    new HorizontalPodAutoscaler(doc as HorizontalPodAutoscaler).validate();
  },
  'policy/v1 PodDisruptionBudget': (doc: unknown) => {
    new PodDisruptionBudget(doc as PodDisruptionBudget).validate();
  },
} as const;
type KindKey = keyof typeof validators;

interface Manifest {
  readonly file: string;
  readonly kind: KindKey;
  readonly doc: Record<string, unknown>;
}

/** What `kubectl apply -f deploy/` applies (the directory, not its subdirectories), and the example Secret. */
const APPLIED = readdirSync(DEPLOY_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(DEPLOY_DIR, f));
const EXAMPLE_SECRET = join(DEPLOY_DIR, 'examples', 'secret.yaml');

function readManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of [...APPLIED, EXAMPLE_SECRET]) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      expect(document.errors, file).toEqual([]);
      const doc = document.toJS() as Record<string, unknown>;
      const kind = `${String(doc.apiVersion)} ${String(doc.kind)}`;
      expect(Object.keys(validators), `${file}: ${kind}`).toContain(kind);
      manifests.push({ file, kind: kind as KindKey, doc });
    }
  }
  return manifests;
}

const manifests = readManifests();
function only<T>(kind: KindKey): T {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.doc as T;
}

const deployment = only<Deployment>('apps/v1 Deployment');
const service = only<Service>('v1 Service');
const secret = only<Secret>('v1 Secret');
const hpa = only<HorizontalPodAutoscaler>('autoscaling/v2 HorizontalPodAutoscaler');
const pdb = only<PodDisruptionBudget>('policy/v1 PodDisruptionBudget');
const pod = deployment.spec!.template.spec!;
const container = pod.containers[0]!;

describe('deploy/: Kubernetes schemas', () => {
  it.each(manifests.map((m) => [m.file.slice(DEPLOY_DIR.length + 1), m.kind, m] as const))(
    '%s (%s) is valid',
    (_file, kind, manifest) => {
      expect(() => {
        validators[kind](manifest.doc);
      }).not.toThrow();
    },
  );

  it('the validator is live: a wrongly typed field is rejected', () => {
    const broken = structuredClone(deployment) as unknown as {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = '3000';
    expect(() => {
      validators['apps/v1 Deployment'](broken);
    }).toThrow(/containerPort must be integer/);
  });
});

describe('deploy/: one coherent deployment of this service', () => {
  it('applies no Secret and no replica count: the real Secret and the autoscaler own those', () => {
    const applied = manifests.filter((m) => APPLIED.includes(m.file));
    expect(applied.map((m) => m.kind)).not.toContain('v1 Secret');
    expect(deployment.spec).not.toHaveProperty('replicas');
  });

  const podLabels = deployment.spec!.template.metadata!.labels!;

  it('selects its own pods from the Deployment, Service and PodDisruptionBudget', () => {
    for (const selector of [
      deployment.spec!.selector.matchLabels!,
      service.spec!.selector!,
      pdb.spec!.selector!.matchLabels!,
    ]) {
      expect(podLabels).toMatchObject(selector);
    }
    expect(hpa.spec!.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata!.name,
    });
  });

  it('routes the Service to the container port the service listens on', () => {
    const port = container.ports!.find((p) => p.name === service.spec!.ports![0]!.targetPort);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(port?.containerPort).toBe(Number(env.PORT));
  });

  it('probes readiness on /readyz and liveness on /healthz, and scales on CPU against a CPU request', () => {
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(hpa.spec!.metrics![0]!.resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization' } });
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2);
    expect(pdb.spec!.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec!.minAvailable).toBeLessThan(hpa.spec!.minReplicas!);
  });

  it('runs as the image non-root user with nothing to escalate', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(readFileSync(projectPath('Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('passes DATABASE_URL and CDS_TRUSTED_ISSUERS from the Secret, and gives a configuration the service accepts', () => {
    const env: Record<string, string> = {};
    for (const entry of container.env ?? []) {
      if (entry.valueFrom) {
        const ref = entry.valueFrom.secretKeyRef!;
        expect(ref.name).toBe(secret.metadata!.name);
        expect(Object.keys(secret.stringData!)).toContain(ref.key);
        env[entry.name] = secret.stringData![ref.key]!;
      } else {
        env[entry.name] = entry.value!;
      }
    }
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'CDS_TRUSTED_ISSUERS', 'PUBLIC_BASE_URL']),
    );
    const secretNames = (container.env ?? []).filter((e) => e.valueFrom).map((e) => e.name);
    expect(secretNames.sort()).toEqual(['CDS_TRUSTED_ISSUERS', 'DATABASE_URL']);
    const config = loadConfig(env);
    expect(config.store.backend).toBe('postgresql');
    expect(config.trustedIssuers.length).toBeGreaterThan(0);
    // The grace period covers the balancer delay, the drain (in-flight calls, cut at 10 s at the latest) and
    // closing the pools (a statement still running gets the 5 s query timeout).
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(config.shutdownDelayMs + 10_000 + 5_000);
  });
});
