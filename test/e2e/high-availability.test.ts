// Two real `ecs-operator run` processes with leader election, as the chart runs them (its RBAC, its Lease, its
// timings): the leader is killed in the middle of a rollout; the standby must take over within 15 seconds and
// finish the rollout without leaving the ECS deployment bounds at any moment.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoordinationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service } from '../../operator/src/api/service.js';
import { LABELS } from '../../operator/src/translate/labels.js';
import { watchServiceBounds } from './bounds.js';
import { applyChartRbac, type ChartRbac } from './chart-rbac.js';
import { deleteEcsObjects } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';
import { startReplica } from './operator-replica.js';
import { isReady } from '../../operator/src/translate/readiness.js';

const { kc, core, custom } = clients();
const coordination = kc.makeApiClient(CoordinationV1Api);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const coordinates = { group: 'ecs.operator.dev', version: 'v1alpha1' };

describe('high availability', function () {
  this.timeout(240_000);
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let rbac: ChartRbac;
  const replicas = new Map<string, ChildProcess>();
  const logs = mkdtempSync(join(tmpdir(), 'ecs-operator-ha-'));

  function start(identity: string, kubeconfig: string): void {
    replicas.set(identity, startReplica({ identity, kubeconfig, namespace, lease: rbac.lease, logDir: logs }));
  }

  const holder = async () =>
    (await coordination.readNamespacedLease({ name: rbac.lease.name, namespace: rbac.lease.namespace }).catch(() => undefined))?.spec?.holderIdentity;
  const service = async () => (await custom.getNamespacedCustomObject({ ...coordinates, namespace, plural: 'services', name: 'ha' })) as Service;
  const steadyOn = (taskDefinition: string) =>
    waitFor(
      `service ha steady on ${taskDefinition}`,
      async () => {
        const svc = await service();
        const primary = svc.status?.deployments?.find((d) => d.status === 'PRIMARY');
        const others = svc.status?.deployments?.filter((d) => d.status !== 'PRIMARY' && d.status !== 'INACTIVE') ?? [];
        return primary?.taskDefinition === taskDefinition && primary.rolloutState === 'COMPLETED' && others.length === 0 && svc.status?.runningCount === 6
          ? svc
          : undefined;
      },
      { timeoutMs: 120_000, describe: async () => JSON.stringify((await service()).status?.deployments) },
    );

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'ha'));
    rbac = await applyChartRbac({ namespace, watchNamespace: namespace });
    const kubeconfig = join(logs, 'kubeconfig');
    writeFileSync(kubeconfig, rbac.kubeConfig.exportConfig());
    start('replica-a', kubeconfig);
    start('replica-b', kubeconfig);
  });
  after(async () => {
    await deleteEcsObjects(namespace).catch(() => undefined);
    for (const child of replicas.values()) child.kill('SIGKILL');
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await rbac?.remove();
    await removeNamespace?.();
  });

  it("a standby takes over within 15 s of the leader's death mid-rollout, and the rollout finishes within its bounds", async () => {
    const leader = await waitFor('a leader', holder, { timeoutMs: 60_000 });
    const standby = [...replicas.keys()].find((identity) => identity !== leader)!;
    // Each task takes 2 s to become ready (a kwok test hook), so the rollout lasts several seconds.
    const dockerLabels = { 'test.ecs.operator.dev/ready-after': '2s' };
    const spec = (image: string) => ({ containerDefinitions: [{ name: 'web', image, cpu: 64, memory: 64, dockerLabels }] });
    await custom.createNamespacedCustomObject({
      ...coordinates,
      namespace,
      plural: 'taskdefinitions',
      body: { apiVersion: ECS_API_VERSION, kind: 'TaskDefinition', metadata: { name: 'ha' }, spec: spec('nginx:1.27') },
    });
    const percents = { minimumHealthyPercent: 50, maximumPercent: 100 };
    await custom.createNamespacedCustomObject({
      ...coordinates,
      namespace,
      plural: 'services',
      body: {
        apiVersion: ECS_API_VERSION,
        kind: 'Service',
        metadata: { name: 'ha' },
        spec: { taskDefinition: 'ha', desiredCount: 6, deploymentConfiguration: percents },
      },
    });
    await steadyOn('ha:1');

    const bounds = await watchServiceBounds(kc, namespace, 'ha', 6, percents);
    await custom.patchNamespacedCustomObject(
      { ...coordinates, namespace, plural: 'taskdefinitions', name: 'ha', body: { spec: spec('nginx:1.28') } },
      mergePatch,
    );
    // The rollout has begun once a task of revision 2 exists or one of revision 1 is going: kill the leader then.
    await waitFor(
      'the rollout to begin',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace, labelSelector: `${LABELS.service}=ha` })).items;
        return pods.some((p) => p.metadata?.labels?.[LABELS.revision] === '2' || p.metadata?.deletionTimestamp) ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const killedAt = Date.now();
    replicas.get(leader)!.kill('SIGKILL');
    const atDeath = (await core.listNamespacedPod({ namespace, labelSelector: `${LABELS.service}=ha,${LABELS.revision}=2` })).items.filter(isReady);
    expect(atDeath.length, 'the rollout was unfinished when the leader died').to.be.below(6);
    await waitFor(`${standby} to hold the lease`, async () => ((await holder()) === standby ? true : undefined), { timeoutMs: 30_000 });
    const takeover = Date.now() - killedAt;
    expect(takeover, `takeover after ${takeover} ms`).to.be.at.most(15_000);

    await steadyOn('ha:2');
    const report = bounds.stop();
    expect(report.violations, JSON.stringify(report)).to.deep.equal([]);
    expect(report.samples).to.be.greaterThan(6);
    const replicaSets = (await clients().apps.listNamespacedReplicaSet({ namespace, labelSelector: `${LABELS.service}=ha` })).items;
    expect(replicaSets.map((rs) => rs.metadata?.name).sort(), 'one ReplicaSet per revision, no duplicate').to.deep.equal(['ha-1', 'ha-2']);
    expect(replicaSets.find((rs) => rs.metadata?.name === 'ha-1')?.spec?.replicas).to.equal(0);
  });
});
