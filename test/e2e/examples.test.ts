// The examples and the CLI against the real API server: `kubectl apply -f crds/` then `kubectl apply -f examples/`
// succeed, `kubectl explain` describes the health check, what `translate` prints is accepted by the API server, and
// a real-world describe-task-definition goes through `import` and `translate` with its images, commands, ports,
// environment, resources and probes intact. The CLI's defaults are the API server's: translating the object the
// API server stored gives the template translated from the file.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { V1Container, V1PodTemplate } from '@kubernetes/client-node';
import { main as importMain } from '../../operator/src/cli/import.js';
import { main as translateMain } from '../../operator/src/cli/translate.js';
import type { Task } from '../../operator/src/api/task.js';
import { containerCpuMillicores, mibToQuantity, millicoresToQuantity } from '../../operator/src/translate/index.js';
import { quantityToNumber } from '../../operator/src/translate/units.js';
import { run as cli, ROOT } from '../unit/cli/helpers.js';
import { kubectl } from './chart-helm.js';
import { startOperator } from './harness.js';
import { clients, throwawayNamespace, waitFor } from './helpers.js';

const STOREFRONT = `${ROOT}test/fixtures/ecs/storefront-web.describe-task-definition.json`;
const EXAMPLES = ['web-service', 'shared-volume-task', 'batch-task', 'secrets-environment', 'daemon-service'];

/**
 * Every field of `expected` is in `actual` with the same value, and every list item in the same place; the API
 * server may add more (defaults, and the service account token volume appended to volumes and mounts).
 */
function expectSubset(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    expect(actual, path).to.be.an('array').with.length.of.at.least(expected.length);
    expected.forEach((item, index) => expectSubset((actual as unknown[])[index], item, `${path}[${index}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    expect(actual, path).to.be.an('object');
    for (const [key, value] of Object.entries(expected)) expectSubset((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).to.equal(expected);
  }
}

describe('examples and the ecs-operator command on the API server', function () {
  const { core, apps, custom } = clients();
  let namespace: { name: string; remove: () => Promise<void> };

  before(async () => {
    await kubectl(['apply', '--server-side', '--force-conflicts', '-f', `${ROOT}crds/`]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/taskdefinitions.ecs.operator.dev',
      'crd/tasks.ecs.operator.dev',
      'crd/services.ecs.operator.dev',
      'crd/clusters.ecs.operator.dev',
      'crd/scheduledtasks.ecs.operator.dev',
    ]);
    // examples/daemon-service.yaml is node-exporter: host networking, the host's PID namespace and hostPath
    // mounts, which Pod Security's baseline refuses; every other test namespace enforces baseline.
    namespace = await throwawayNamespace(core, 'examples', { podSecurity: 'privileged' });
  });

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  after(async () => namespace?.remove());

  it('each example file applies with a strict server-side dry run (before anything exists)', async () => {
    for (const example of EXAMPLES) {
      const { code, stderr } = await kubectl(
        [
          'apply',
          '--server-side',
          '--dry-run=server',
          '--validate=strict',
          '--field-manager=examples-e2e',
          '-n',
          namespace.name,
          '-f',
          `${ROOT}examples/${example}.yaml`,
        ],
        { allowFailure: true },
      );
      expect(code, `${example}: ${stderr}`).to.equal(0);
    }
    const imported = await kubectl([
      'apply',
      '--dry-run=server',
      '--validate=strict',
      '-n',
      namespace.name,
      '-f',
      `${ROOT}examples/import/web.taskdefinition.yaml`,
    ]);
    expect(imported.stdout).to.contain('taskdefinition.ecs.operator.dev/web');
  });

  it('kubectl apply -f examples/ creates every example resource', async () => {
    const { stdout } = await kubectl(['apply', '-n', namespace.name, '-f', `${ROOT}examples/`]);
    expect(stdout.trim().split('\n').sort()).to.deep.equal([
      'scheduledtask.ecs.operator.dev/nightly-report created',
      'secret/orders-prod-db created',
      'secret/orders-prod-payment-api-key created',
      'service.ecs.operator.dev/node-exporter created',
      'service.ecs.operator.dev/web created',
      'task.ecs.operator.dev/monthly-report-2024-11 created',
      'task.ecs.operator.dev/static-site-preview created',
      'taskdefinition.ecs.operator.dev/monthly-report created',
      'taskdefinition.ecs.operator.dev/nightly-report created',
      'taskdefinition.ecs.operator.dev/node-exporter created',
      'taskdefinition.ecs.operator.dev/orders-api created',
      'taskdefinition.ecs.operator.dev/static-site created',
      'taskdefinition.ecs.operator.dev/web created',
    ]);
    const { stdout: listed } = await kubectl(['get', 'ecs', '-n', namespace.name, '-o', 'name']);
    expect(listed.trim().split('\n').sort()).to.include.members([
      'service.ecs.operator.dev/web',
      'task.ecs.operator.dev/static-site-preview',
      'taskdefinition.ecs.operator.dev/web',
    ]);
  });

  it('kubectl explain taskdefinitions.spec.containerDefinitions.healthCheck describes its fields', async () => {
    const text = await waitFor('the TaskDefinition schema in the published OpenAPI', async () => {
      const { code, stdout } = await kubectl(['explain', 'taskdefinitions.spec.containerDefinitions.healthCheck'], { allowFailure: true });
      return code === 0 ? stdout : undefined;
    });
    for (const field of ['command', 'interval', 'timeout', 'retries', 'startPeriod']) expect(text).to.match(new RegExp(`^\\s+${field}\\s+<`, 'm'));
    expect(text).to.match(/DESCRIPTION:\n\s+\S/);
  });

  it('what translate prints for every example is accepted by the API server (server-side dry run)', async () => {
    // node-exporter needs the host: the operator's policy must allow it there, as for the operator below.
    const result = await cli(translateMain, [
      ...EXAMPLES.flatMap((example) => ['-f', `${ROOT}examples/${example}.yaml`]),
      '-n',
      namespace.name,
      '--allow-host-access-namespaces',
      namespace.name,
    ]);
    expect(result.status).to.equal(0);
    const { code, stdout, stderr } = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-n', namespace.name, '-f', '-'], {
      input: result.stdout,
      allowFailure: true,
    });
    expect(code, stderr).to.equal(0);
    expect(stdout.trim().split('\n').sort()).to.deep.equal([
      'daemonset.apps/node-exporter created (server dry run)',
      'pod/monthly-report-2024-11 created (server dry run)',
      'pod/static-site-preview created (server dry run)',
      'podtemplate/orders-api-1 created (server dry run)',
      'replicaset.apps/web-1 created (server dry run)',
      'service/web created (server dry run)',
      'serviceaccount/orders-api-task created (server dry run)',
    ]);
  });

  it('the operator creates the very Pods translate prints for the example Tasks, and the ReplicaSet and Service of the web service', async () => {
    const printed = await cli(translateMain, [
      '-n',
      namespace.name,
      '-f',
      `${ROOT}examples/shared-volume-task.yaml`,
      '-f',
      `${ROOT}examples/batch-task.yaml`,
      '-f',
      `${ROOT}examples/web-service.yaml`,
    ]);
    expect(printed.status).to.equal(0);
    const operator = await startOperator(namespace.name, { config: { hostAccess: { namespaces: [namespace.name] } } });
    try {
      // The deployment id (a label of the ReplicaSet and its pods) derives from the Service's uid, which only the
      // API server knows; everything else is the same.
      const replicaSet = await waitFor('ReplicaSet web-1', () =>
        apps.readNamespacedReplicaSet({ name: 'web-1', namespace: namespace.name }).catch(() => undefined),
      );
      const expectedReplicaSet = printed.objects.find((o) => o.kind === 'ReplicaSet');
      expect(replicaSet.spec?.replicas).to.equal(expectedReplicaSet.spec.replicas);
      expectSubset(replicaSet.spec?.template?.spec, expectedReplicaSet.spec.template.spec, 'web-1.spec.template.spec');
      const service = await waitFor('core Service web', () => core.readNamespacedService({ name: 'web', namespace: namespace.name }).catch(() => undefined));
      expectSubset(service.spec, printed.objects.find((o) => o.kind === 'Service').spec, 'service web.spec');
      for (const expected of printed.objects.filter((o) => o.kind === 'Pod')) {
        const pod = await waitFor(`Pod ${expected.metadata.name}`, () =>
          core.readNamespacedPod({ name: expected.metadata.name, namespace: namespace.name }).catch(() => undefined),
        );
        // The template hash label covers the whole pod template: equal, the operator built the same pod. (Once
        // scheduled, the operator labels a task pod with its node's zone too.)
        expectSubset(pod.metadata?.labels, expected.metadata.labels, `${expected.metadata.name}.metadata.labels`);
        expectSubset(pod.metadata?.annotations, expected.metadata.annotations, `${expected.metadata.name}.metadata.annotations`);
        expectSubset(pod.spec, expected.spec, `${expected.metadata.name}.spec`);
        // The example task runs, on a node with room for what its pod requests, and says so in ECS terms.
        const task = await waitFor(`Task ${expected.metadata.name} RUNNING`, async () => {
          const t = (await custom.getNamespacedCustomObject({
            group: 'ecs.operator.dev',
            version: 'v1alpha1',
            namespace: namespace.name,
            plural: 'tasks',
            name: expected.metadata.name,
          })) as Task;
          return t.status?.lastStatus === 'RUNNING' ? t : undefined;
        });
        const scheduled = await core.readNamespacedPod({ name: expected.metadata.name, namespace: namespace.name });
        expect(task.status?.containerInstance).to.equal(scheduled.spec?.nodeName);
        const node = await core.readNode({ name: scheduled.spec!.nodeName! });
        const requested = (name: 'cpu' | 'memory') =>
          [...(scheduled.spec?.initContainers ?? []), ...(scheduled.spec?.containers ?? [])].reduce(
            (sum, c) => sum + (quantityToNumber(c.resources?.requests?.[name] ?? '0') ?? 0),
            0,
          );
        expect(requested('cpu')).to.be.at.most(quantityToNumber(node.status!.allocatable!.cpu!)!);
        expect(requested('memory')).to.be.at.most(quantityToNumber(node.status!.allocatable!.memory!)!);
        expect(task.status?.containers?.every((c) => c.lastStatus === 'RUNNING' || c.lastStatus === 'STOPPED')).to.equal(true);
      }
    } finally {
      await operator.finish();
    }
  });

  describe('a real-world describe-task-definition through import and translate', () => {
    const original = JSON.parse(readFileSync(STOREFRONT, 'utf8')).taskDefinition as { containerDefinitions: any[] };
    let manifest = '';
    let template: V1PodTemplate['template'];

    before(async () => {
      const imported = await cli(importMain, ['-f', STOREFRONT]);
      expect(imported.status).to.equal(0);
      manifest = imported.stdout;
      const translated = await cli(translateMain, ['-f', 'storefront.yaml'], { 'storefront.yaml': manifest });
      expect(translated.status).to.equal(0);
      template = translated.objects.find((o) => o.kind === 'PodTemplate').template;
    });

    it('the imported manifest is what the API server accepts', async () => {
      const { stdout } = await kubectl(['apply', '--validate=strict', '-n', namespace.name, '-f', '-'], { input: manifest });
      expect(stdout.trim()).to.equal('taskdefinition.ecs.operator.dev/storefront-web created');
    });

    it("the pod template keeps every container's image, command, ports, environment, resources and probes", () => {
      const containers = new Map<string, V1Container>(
        [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])].map((c) => [c.name, c]),
      );
      expect([...containers.keys()].sort()).to.deep.equal(original.containerDefinitions.map((d) => d.name).sort());
      for (const definition of original.containerDefinitions) {
        const container = containers.get(definition.name)!;
        expect(container.image, definition.name).to.equal(definition.image);
        expect(container.command, definition.name).to.deep.equal(definition.entryPoint);
        expect(container.args, definition.name).to.deep.equal(definition.command);
        expect(
          (container.ports ?? []).map((p) => [p.name, p.containerPort]),
          definition.name,
        ).to.deep.equal((definition.portMappings ?? []).map((m: any) => [m.name, m.containerPort]));
        const env = container.env ?? [];
        expect(
          env.filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value })),
          definition.name,
        ).to.deep.equal(definition.environment ?? []);
        expect(
          env.filter((e) => e.valueFrom).map((e) => e.name),
          definition.name,
        ).to.deep.equal((definition.secrets ?? []).map((s: any) => s.name));
        expect(container.resources?.limits?.memory, definition.name).to.equal(definition.memory ? mibToQuantity(definition.memory) : undefined);
        expect(container.resources?.requests?.memory, definition.name).to.equal(mibToQuantity(definition.memoryReservation ?? definition.memory));
        expect(container.resources?.requests?.cpu, definition.name).to.equal(
          definition.cpu ? millicoresToQuantity(containerCpuMillicores(definition.cpu)) : undefined,
        );
        const check = definition.healthCheck;
        if (!check) {
          expect(container.livenessProbe, definition.name).to.equal(undefined);
          continue;
        }
        const [kind, ...rest] = check.command;
        const command = kind === 'CMD' ? rest : ['/bin/sh', '-c', rest.join(' ')];
        for (const probe of [container.livenessProbe, container.startupProbe]) {
          expect(probe?.exec?.command, definition.name).to.deep.equal(command);
          expect(probe?.periodSeconds, definition.name).to.equal(check.interval);
          expect(probe?.timeoutSeconds, definition.name).to.equal(check.timeout);
        }
        expect(container.livenessProbe?.failureThreshold, definition.name).to.equal(check.retries);
      }
    });

    it('translating the object the API server stored (its defaults filled in) gives the same template', async () => {
      const { stdout } = await kubectl(['get', 'taskdefinition', 'storefront-web', '-n', namespace.name, '-o', 'json']);
      const stored = JSON.parse(stdout);
      const manifestOfStored = JSON.stringify({
        apiVersion: stored.apiVersion,
        kind: stored.kind,
        metadata: { name: stored.metadata.name },
        spec: stored.spec,
      });
      const again = await cli(translateMain, ['-f', 'stored.json'], { 'stored.json': manifestOfStored });
      expect(again.status).to.equal(0);
      expect(again.objects.find((o) => o.kind === 'PodTemplate').template).to.deep.equal(template);
    });
  });
});
