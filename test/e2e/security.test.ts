// Issue 11, security: host access only where the operator's policy (a run flag, which tenants cannot edit) allows
// it, and tasks run only as a ServiceAccount the operator manages or a namespace admin assigned to their role.
// Every refusal is read back from the API server: Valid=False naming the field, and no pod.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Task } from '../../operator/src/api/task.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, custom } = clients();
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CONTAINERS = [{ name: 'app', image: 'busybox', memory: 64, command: ['sleep', '3600'] }];

describe('security: the host-access policy and task role ServiceAccounts', function () {
  // The host-network task needs a namespace where Pod Security lets it run once the operator allows it.
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator | undefined;

  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const getTask = async (name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'tasks', name })) as Task;
  /**
   * The Valid=False message of task `name` about `field`: a task created together with its TaskDefinition may
   * first be refused for the revision not registered yet, until the TaskDefinition controller registers it.
   */
  const validFalse = (name: string, field: string) =>
    waitFor(
      `task ${name} Valid=False at ${field}`,
      async () => {
        const valid = (await getTask(name)).status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False');
        return valid?.message.includes(field) ? valid.message : undefined;
      },
      { describe: async () => JSON.stringify((await getTask(name)).status ?? {}) },
    );
  const podOf = (name: string) => core.readNamespacedPod({ name, namespace }).catch(() => undefined);

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'secure', { podSecurity: 'privileged' }));
  });
  after(async () => {
    await operator?.finish();
    await removeNamespace?.();
  });

  it('refuses a host-network task in a namespace the policy does not list, naming the field and the flag; the listed namespace runs it', async () => {
    operator = await startOperator(namespace, { config: { hostAccess: { namespaces: ['some-other-namespace'] } } });
    await create('taskdefinitions', 'TaskDefinition', 'hostnet', { networkMode: 'host', containerDefinitions: CONTAINERS });
    await create('tasks', 'Task', 'hostnet-1', { taskDefinition: 'hostnet' });
    const message = await validFalse('hostnet-1', 'spec.networkMode');
    expect(message).to.match(
      /^hostnet:1 spec\.networkMode: host networking is not allowed in namespace \S+ by the operator's policy \(--allow-host-access-namespaces\)/,
    );
    expect(await podOf('hostnet-1')).to.equal(undefined);
    await operator.stop();
    operator = await startOperator(namespace, { config: { hostAccess: { namespaces: [namespace] } } });
    const pod = await waitFor('the host-network pod', () => podOf('hostnet-1'));
    expect(pod.spec?.hostNetwork).to.equal(true);
  });

  it("a Cluster's allowPrivileged alone grants nothing", async () => {
    await operator?.stop();
    operator = await startOperator(namespace);
    await create('clusters', 'Cluster', 'tenant', { allowPrivileged: true });
    await create('taskdefinitions', 'TaskDefinition', 'priv', { containerDefinitions: [{ ...CONTAINERS[0], privileged: true }] });
    await create('tasks', 'Task', 'priv-1', { taskDefinition: 'priv', cluster: 'tenant' });
    expect(await validFalse('priv-1', 'privileged')).to.match(/^priv:1 spec\.containerDefinitions\[0\]\.privileged: a privileged container is not allowed/);
    expect(await podOf('priv-1')).to.equal(undefined);
  });

  it('runs no task as an existing ServiceAccount named by its role until a namespace admin assigns it to the role', async () => {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'deployer' } } });
    await create('taskdefinitions', 'TaskDefinition', 'borrow', { taskRoleArn: 'arn:aws:iam::123456789012:role/deployer', containerDefinitions: CONTAINERS });
    await create('tasks', 'Task', 'borrow-1', { taskDefinition: 'borrow' });
    expect(await validFalse('borrow-1', 'spec.taskRoleArn')).to.match(
      /^borrow:1 spec\.taskRoleArn: ServiceAccount 'deployer' exists and is neither managed by ecs-operator/,
    );
    // A Warning Event names the field (an earlier one may say the revision was not registered yet).
    await waitFor('a Warning event naming spec.taskRoleArn', async () => {
      const list = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=borrow-1' })).items;
      return list.some((e) => e.type === 'Warning' && e.message?.includes('spec.taskRoleArn')) ? list : undefined;
    });
    expect(await podOf('borrow-1')).to.equal(undefined);
    // `default` too: a role named after it cannot borrow the namespace's default ServiceAccount.
    await create('taskdefinitions', 'TaskDefinition', 'as-default', { taskRoleArn: 'default', containerDefinitions: CONTAINERS });
    await create('tasks', 'Task', 'as-default-1', { taskDefinition: 'as-default' });
    expect(await validFalse('as-default-1', 'spec.taskRoleArn')).to.match(/spec\.taskRoleArn: ServiceAccount 'default' exists/);

    await core.patchNamespacedServiceAccount(
      { name: 'deployer', namespace, body: { metadata: { annotations: { 'ecs.operator.dev/task-role': 'deployer' } } } },
      mergePatch,
    );
    const pod = await waitFor('the pod once the ServiceAccount is assigned to the role', () => podOf('borrow-1'));
    expect(pod.spec?.serviceAccountName).to.equal('deployer');
  });

  it('creates a missing role ServiceAccount, managed by the operator, and runs the task as it', async () => {
    await create('taskdefinitions', 'TaskDefinition', 'own', { taskRoleArn: 'arn:aws:iam::123456789012:role/own-role', containerDefinitions: CONTAINERS });
    await create('tasks', 'Task', 'own-1', { taskDefinition: 'own' });
    const pod = await waitFor('the pod', () => podOf('own-1'));
    expect(pod.spec?.serviceAccountName).to.equal('own-role');
    const account = await core.readNamespacedServiceAccount({ name: 'own-role', namespace });
    expect(account.metadata?.labels).to.include({ 'app.kubernetes.io/managed-by': 'ecs-operator' });
  });
});
