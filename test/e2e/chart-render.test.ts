// The Helm chart, rendered by the helm the local control plane builds (no cluster needed, but a Go build, so this
// is not a unit test; the chart's files on disk are checked in test/unit/chart-files.test.ts): the default image is
// the project's, the values schema refuses mistakes with the value's name, RBAC is least privilege in both modes,
// the Deployment is what the issue asks for and passes only flags the operator knows, and the scheduler runs
// exactly the profiles of the operator's code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1ClusterRole, V1ConfigMap, V1Deployment, V1PolicyRule, V1Role } from '@kubernetes/client-node';
import { expect } from 'chai';
import { Command } from 'commander';
import { parse } from 'yaml';
import { addRunOptions, configFromOptions } from '../../operator/src/runtime/config.js';
import { kubeSchedulerConfiguration } from '../../operator/src/translate/placement/scheduler-profiles.js';
import { REPO_ROOT } from '../../scripts/sync-packaging.js';
import { CHART_DIR, helm, renderChart, templateChart, type ChartOptions } from './chart-helm.js';

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

function find<T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name?: string): T[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as T[];
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the type of the kind it asks for
function only<T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name?: string): T {
  const found = find<T>(objects, kind, name);
  expect(found, `one ${kind}${name ? ` ${name}` : ''}`).to.have.length(1);
  return found[0]!;
}

/** Every (apiGroup, resource, verb) a set of rules grants, as `group/resource:verb`. */
function grants(rules: V1PolicyRule[] = []): string[] {
  return rules.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`))),
  );
}

const render = (options: ChartOptions = {}) => renderChart({ release: 'ecs', namespace: 'ecs-system', ...options });

describe('Helm chart, rendered', () => {
  it("the default image is the project's, tagged with package.json's version", async () => {
    const deployment = only<V1Deployment>(await render(), 'Deployment');
    expect(deployment.spec!.template.spec!.containers[0]!.image).to.equal(`ghcr.io/ecs-operator/ecs-operator:${packageJson.version}`);
  });

  it('passes helm lint --strict, with the defaults and with every option on', async () => {
    await helm(['lint', '--strict', CHART_DIR]);
    await helm(['lint', '--strict', CHART_DIR, '--set', 'scheduler.enabled=true,metrics.serviceMonitor.enabled=true,watchNamespace=shop']);
  });

  describe('values.schema.json', () => {
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ['a misspelt top-level value', { replicas: 3 }, /additional properties 'replicas' not allowed/],
      ['a misspelt nested value', { leaderElection: { enable: false } }, /at '\/leaderElection': additional properties 'enable' not allowed/],
      ['a number given as text', { replicaCount: 'two' }, /at '\/replicaCount': got string, want integer/],
      ['a negative replica count', { replicaCount: -1 }, /at '\/replicaCount': minimum/],
      ['an unknown log level', { logLevel: 'verbose' }, /at '\/logLevel': value must be one of/],
      ['a duration without a unit', { leaderElection: { leaseDuration: '15' } }, /at '\/leaderElection\/leaseDuration'/],
      ['a namespace that is no DNS label', { watchNamespace: 'Team_A' }, /at '\/watchNamespace'/],
      ['a port out of range', { metrics: { port: 70000 } }, /at '\/metrics\/port': maximum/],
      ['a misspelt scheduler value', { scheduler: { enable: true } }, /at '\/scheduler': additional properties 'enable' not allowed/],
      ['a pull policy that does not exist', { image: { pullPolicy: 'Sometimes' } }, /at '\/image\/pullPolicy'/],
    ];
    for (const [what, values, message] of refused) {
      it(`refuses ${what}, naming the value`, async () => {
        const result = await templateChart({ values });
        expect(result.code, result.stdout.slice(0, 200)).not.to.equal(0);
        expect(result.stderr).to.match(/values don't meet the specifications of the schema/);
        expect(result.stderr).to.match(message);
      });
    }

    it('refuses more than one replica without leader election, saying why', async () => {
      const result = await templateChart({ values: { replicaCount: 2, leaderElection: { enabled: false } } });
      expect(result.code).not.to.equal(0);
      expect(result.stderr).to.match(/replicaCount: more than one replica needs leaderElection.enabled/);
    });
  });

  describe('RBAC', () => {
    const noWildcards = (rules: V1PolicyRule[] = []) => {
      for (const rule of rules) {
        expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.to.include('*');
        expect(rule.nonResourceURLs ?? []).to.deep.equal([]);
      }
    };

    it('watching every namespace: one ClusterRole with the operator rules, bound to its ServiceAccount, and a Lease Role', async () => {
      const objects = await render();
      expect(find(objects, 'Role').map((r) => r.metadata?.name)).to.deep.equal(['ecs-ecs-operator-leader-election']);
      const role = only<V1ClusterRole>(objects, 'ClusterRole');
      noWildcards(role.rules);
      expect(grants(role.rules)).to.include.members([
        'ecs.operator.dev/tasks:watch',
        'ecs.operator.dev/tasks/status:patch',
        'ecs.operator.dev/scheduledtasks:watch',
        'ecs.operator.dev/scheduledtasks/status:patch',
        'ecs.operator.dev/tasks:create',
        '/pods:create',
        '/pods:delete',
        '/nodes:list',
        '/events:create',
        'apps/replicasets:patch',
        'apps/controllerrevisions:create',
      ]);
      // The resources users own: never updated or deleted, only Services and TaskDefinitions patched (for their
      // finalizers); Tasks patched and deleted only as the children of a ScheduledTask (the child writer checks the owner).
      expect(
        grants(role.rules)
          .filter((g) => /^ecs\.operator\.dev\/(clusters|taskdefinitions|tasks|services|scheduledtasks):(update|patch|delete)/.test(g))
          .sort(),
      ).to.deep.equal([
        'ecs.operator.dev/services:patch',
        'ecs.operator.dev/taskdefinitions:patch',
        'ecs.operator.dev/tasks:delete',
        'ecs.operator.dev/tasks:patch',
      ]);
      // Revisions are immutable: created, never patched (their data would count as changed, see translate/revisions.ts).
      expect(
        grants(role.rules)
          .filter((g) => g.startsWith('apps/controllerrevisions'))
          .sort(),
      ).to.deep.equal(['apps/controllerrevisions:create', 'apps/controllerrevisions:list', 'apps/controllerrevisions:watch']);
      expect(grants(role.rules).filter((g) => g.startsWith('/secrets') || g.startsWith('/configmaps'))).to.deep.equal([]);
      // TargetGroupBindings of Services' target groups: the cache (list, watch) and the child writer's verbs, no more.
      expect(
        grants(role.rules)
          .filter((g) => g.startsWith('elbv2.k8s.aws/'))
          .sort(),
      ).to.deep.equal([
        'elbv2.k8s.aws/targetgroupbindings:create',
        'elbv2.k8s.aws/targetgroupbindings:delete',
        'elbv2.k8s.aws/targetgroupbindings:list',
        'elbv2.k8s.aws/targetgroupbindings:patch',
        'elbv2.k8s.aws/targetgroupbindings:watch',
      ]);
      const binding = only<KubernetesObject & { subjects: { kind: string; name: string; namespace: string }[] }>(objects, 'ClusterRoleBinding');
      expect(binding.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'ecs-ecs-operator', namespace: 'ecs-system' }]);
      const lease = only<V1Role>(objects, 'Role');
      expect(lease.metadata?.namespace).to.equal('ecs-system');
      expect(grants(lease.rules).sort()).to.deep.equal([
        'coordination.k8s.io/leases:create',
        'coordination.k8s.io/leases:get',
        'coordination.k8s.io/leases:update',
      ]);
      expect(lease.rules!.find((r) => r.verbs.includes('update'))!.resourceNames).to.deep.equal(['ecs-ecs-operator-leader']);
    });

    it('watching one namespace: the same rules in a Role there, and a ClusterRole that only reads Nodes', async () => {
      const cluster = only<V1ClusterRole>(await render(), 'ClusterRole');
      const objects = await render({ values: { watchNamespace: 'shop' } });
      const role = only<V1Role>(objects, 'Role', 'ecs-ecs-operator');
      expect(role.metadata?.namespace).to.equal('shop');
      only(objects, 'RoleBinding', 'ecs-ecs-operator');
      const nodes = only<V1ClusterRole>(objects, 'ClusterRole');
      noWildcards(nodes.rules);
      expect(grants(nodes.rules).every((g) => g.startsWith('/nodes:') || g.startsWith('metrics.k8s.io/nodes:'))).to.equal(true);
      expect(grants(nodes.rules).filter((g) => !/:(get|list|watch)$/.test(g))).to.deep.equal([]);
      // Together they grant exactly what the cluster-wide ClusterRole does.
      expect([...grants(role.rules), ...grants(nodes.rules)].sort()).to.deep.equal(grants(cluster.rules).sort());
    });

    it('none without rbac.create, and an existing ServiceAccount must then be named', async () => {
      const objects = await render({ values: { rbac: { create: false }, serviceAccount: { create: false, name: 'mine' } } });
      expect(objects.filter((o) => /Role/.test(o.kind ?? ''))).to.deep.equal([]);
      expect(find(objects, 'ServiceAccount')).to.deep.equal([]);
      const result = await templateChart({ values: { serviceAccount: { create: false } } });
      expect(result.stderr).to.match(/serviceAccount.name: name an existing ServiceAccount/);
    });
  });

  describe('the operator Deployment', () => {
    it('runs 2 replicas with leader election, hardened, with probes, downward-API identity and spread over nodes', async () => {
      const deployment = only<V1Deployment>(await render(), 'Deployment');
      const pod = deployment.spec!.template.spec!;
      const container = pod.containers[0]!;
      expect(deployment.spec!.replicas).to.equal(2);
      expect(container.args).to.include('--leader-elect=true');
      expect(pod.securityContext).to.include({ runAsNonRoot: true });
      expect(pod.securityContext!.seccompProfile).to.deep.equal({ type: 'RuntimeDefault' });
      expect(container.securityContext).to.deep.include({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources?.requests).to.have.keys('cpu', 'memory');
      expect(container.resources?.limits).to.have.keys('cpu', 'memory');
      expect(container.livenessProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'metrics' });
      expect(container.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'metrics' });
      expect(container.ports).to.deep.equal([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
      expect(container.env?.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath])).to.deep.equal([
        ['POD_NAME', 'metadata.name'],
        ['POD_NAMESPACE', 'metadata.namespace'],
      ]);
      const spread = pod.topologySpreadConstraints!.find((c) => c.topologyKey === 'kubernetes.io/hostname')!;
      expect(spread.labelSelector?.matchLabels).to.deep.equal(deployment.spec!.selector.matchLabels);
      expect(spread.matchLabelKeys).to.deep.equal(['pod-template-hash']);
      only(await render(), 'PodDisruptionBudget');
    });

    it("passes only flags the operator's run command knows, and they configure what the values say", async () => {
      const values = {
        watchNamespace: 'shop',
        logLevel: 'debug',
        leaderElection: { leaseDuration: '20s' },
        concurrency: 4,
        allowHostAccessNamespaces: ['monitoring', 'kube-ops'],
      };
      const container = only<V1Deployment>(await render({ values }), 'Deployment').spec!.template.spec!.containers[0]!;
      const [command, ...flags] = container.args!;
      expect(command).to.equal('run');
      const run = addRunOptions(new Command('run').exitOverride().allowExcessArguments(false));
      run.parse(flags, { from: 'user' });
      const config = configFromOptions(run.opts(), { POD_NAME: 'ecs-operator-abc', POD_NAMESPACE: 'ecs-system' });
      expect(config).to.deep.include({ namespace: 'shop', logLevel: 'debug', concurrency: 4, metricsAddr: ':8080' });
      expect(config.hostAccess).to.deep.equal({ namespaces: ['monitoring', 'kube-ops'] });
      expect(configFromOptions({}, {}).hostAccess, 'by default no namespace may use the host').to.deep.equal({ namespaces: [] });
      expect(config.leaderElection).to.deep.include({
        enabled: true,
        namespace: 'ecs-system',
        name: 'ecs-ecs-operator-leader',
        identity: 'ecs-operator-abc',
        leaseDurationMs: 20_000,
      });
    });

    it('runs one replica without leader election when asked', async () => {
      const container = only<V1Deployment>(await render({ values: { replicaCount: 1, leaderElection: { enabled: false } } }), 'Deployment').spec!.template.spec!
        .containers[0]!;
      expect(container.args).to.include('--leader-elect=false');
      expect(container.args!.some((a) => a.startsWith('--leader-election-id'))).to.equal(false);
    });
  });

  describe('metrics', () => {
    it('a Service in front of /metrics; a ServiceMonitor only when enabled', async () => {
      const objects = await render();
      const service = only<KubernetesObject & { spec: { ports: { port: number; targetPort: string }[] } }>(objects, 'Service');
      expect(service.spec.ports).to.deep.equal([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
      expect(find(objects, 'ServiceMonitor')).to.deep.equal([]);
      const monitor = only<KubernetesObject & { spec: { endpoints: { port: string; path: string }[] } }>(
        await render({ values: { metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } } } }),
        'ServiceMonitor',
      );
      expect(monitor.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect(monitor.metadata?.labels).to.include({ release: 'prometheus' });
      expect(monitor.spec.endpoints[0]).to.include({ port: 'metrics', path: '/metrics' });
    });
  });

  describe('the ECS scheduler', () => {
    it('is off by default', async () => {
      const objects = await render();
      expect(objects.filter((o) => o.metadata?.name?.includes('scheduler'))).to.deep.equal([]);
    });

    it("runs exactly the operator code's profiles (kubeSchedulerConfiguration without the default profile)", async () => {
      const objects = await render({ values: { scheduler: { enabled: true } } });
      const configMap = only<V1ConfigMap>(objects, 'ConfigMap', 'ecs-ecs-operator-scheduler');
      const { leaderElection, ...config } = parse(configMap.data!['config.yaml']!) as Record<string, unknown>;
      expect(config).to.deep.equal(kubeSchedulerConfiguration({ includeDefaultProfile: false }));
      expect(leaderElection).to.deep.equal({
        leaderElect: true,
        resourceLock: 'leases',
        resourceName: 'ecs-ecs-operator-scheduler',
        resourceNamespace: 'ecs-system',
      });
    });

    it("has the default scheduler's roles, its own Lease, the configured image or the cluster's version", async () => {
      const objects = await render({ values: { scheduler: { enabled: true } } });
      const bound = find<KubernetesObject & { roleRef: { name: string } }>(objects, 'ClusterRoleBinding').map((b) => b.roleRef.name);
      expect(bound).to.include.members(['system:kube-scheduler', 'system:volume-scheduler']);
      const lease = only<V1Role>(objects, 'Role', 'ecs-ecs-operator-scheduler');
      expect(lease.rules!.find((r) => r.verbs.includes('update'))!.resourceNames).to.deep.equal(['ecs-ecs-operator-scheduler']);
      const scheduler = only<V1Deployment>(objects, 'Deployment', 'ecs-ecs-operator-scheduler').spec!.template.spec!;
      expect(scheduler.containers[0]!.image).to.match(/^registry\.k8s\.io\/kube-scheduler:v1\.\d+\.\d+$/);
      expect(scheduler.containers[0]!.securityContext).to.deep.include({ readOnlyRootFilesystem: true, runAsNonRoot: true });
      const pinned = await render({ values: { scheduler: { enabled: true, image: { repository: 'mirror.example/kube-scheduler', tag: 'v1.33.4' } } } });
      expect(only<V1Deployment>(pinned, 'Deployment', 'ecs-ecs-operator-scheduler').spec!.template.spec!.containers[0]!.image).to.equal(
        'mirror.example/kube-scheduler:v1.33.4',
      );
    });
  });
});
