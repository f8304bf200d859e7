import { describe, expect, it } from 'vitest';
import { renderChart } from './render.ts';

/** kubernetes-models: each kind's class validates against the Kubernetes OpenAPI schema it bundles. */
async function validate(manifest: Record<string, unknown>): Promise<void> {
  const [group, version] = String(manifest.apiVersion).includes('/')
    ? String(manifest.apiVersion).split('/')
    : [undefined, String(manifest.apiVersion)];
  const modulePath = `kubernetes-models/${group ? `${group}/` : ''}${version}/${String(manifest.kind)}`;
  const module = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[String(manifest.kind)];
  if (!Model) throw new Error(`no model for ${modulePath}`);
  new Model(manifest).validate();
}

const values = {
  database: { url: 'postgres://parley:secret@db.internal:5432/parley' },
  encryption: { keys: `k1:${Buffer.alloc(32, 1).toString('base64')}` },
  ingress: { enabled: true, className: 'nginx', tlsSecret: 'inbox-tls' },
  extraEnv: { SMTP_FROM: 'Parley <inbox@example.com>' },
};

describe('Helm chart (deploy/helm/parley)', () => {
  it('renders manifests that the Kubernetes schemas accept', async () => {
    const manifests = renderChart(values);
    expect(manifests.map((manifest) => `${String(manifest.kind)}`).sort()).toEqual([
      'Deployment',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'Job',
      'Secret',
      'Secret',
      'Service',
    ]);
    for (const manifest of manifests) await validate(manifest);
  });

  it('runs serve and worker apart, probes /readyz and /healthz, migrates in a hook Job first', () => {
    const manifests = renderChart(values);
    const byName = (name: string) =>
      manifests.find((manifest) => (manifest.metadata as { name: string }).name === name);
    const container = (name: string) =>
      (byName(name) as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec
        .template.spec.containers[0]!;
    expect(container('parley-serve').args).toEqual(['node', 'server/main.ts', 'serve']);
    expect(container('parley-worker').args).toEqual(['node', 'server/main.ts', 'worker']);
    expect(container('parley-serve').readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
    expect(container('parley-serve').livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
    expect(container('parley-migrate').args).toEqual(['node', 'server/main.ts', 'migrate']);
    expect(
      (byName('parley-migrate')!.metadata as { annotations: Record<string, string> }).annotations,
    ).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
    });
    const env = container('parley-worker').env as { name: string; valueFrom?: unknown }[];
    expect(env.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom).toEqual({
      secretKeyRef: { name: 'parley-database', key: 'DATABASE_URL' },
    });
    expect(env.find((variable) => variable.name === 'PARLEY_ENCRYPTION_KEYS')?.valueFrom).toEqual({
      secretKeyRef: { name: 'parley-encryption', key: 'PARLEY_ENCRYPTION_KEYS' },
    });
  });

  it('uses existing Secrets instead of creating them, and refuses to render without any', async () => {
    const manifests = renderChart({
      database: { existingSecret: 'my-db' },
      encryption: { existingSecret: 'my-keys' },
      serve: { autoscaling: { enabled: false } },
    });
    expect(manifests.map((manifest) => manifest.kind)).not.toContain('Secret');
    expect(manifests.map((manifest) => manifest.kind)).not.toContain('HorizontalPodAutoscaler');
    expect(JSON.stringify(manifests)).toContain('"name":"my-db"');
    for (const manifest of manifests) await validate(manifest);
    expect(() => renderChart({})).toThrow(/database.url or database.existingSecret is required/);
  });

  it('a schema violation is caught (the validator is not a no-op)', async () => {
    const [deployment] = renderChart(values).filter((manifest) => manifest.kind === 'Deployment');
    await expect(validate({ ...deployment, spec: { replicas: 'two' } })).rejects.toThrow();
  });
});
