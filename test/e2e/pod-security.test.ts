// Issue 11, isolation: Pod Security `restricted` where the task definition allows it, proven by Pod Security
// admission itself. In a namespace that enforces `restricted`, a Service and a Task whose task definition runs as
// a non-root user, drops ALL capabilities and sets no-new-privileges get their pods admitted and RUNNING; a task
// definition that does not ask for all of it is refused by admission, and the Task and the Service say why.
import { expect } from 'chai';
import { startOperator, type RunningOperator } from './harness.js';
import { ecsObjects } from './ecs-objects.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core } = clients();
const LOCKED_DOWN = {
  name: 'app',
  image: 'busybox',
  memory: 64,
  command: ['sleep', '3600'],
  user: '1000:1000',
  dockerSecurityOptions: ['no-new-privileges'],
  linuxParameters: { capabilities: { drop: ['ALL'] } },
};
const PLAIN = { name: 'app', image: 'busybox', memory: 64, command: ['sleep', '3600'] };

describe('Pod Security: restricted where the task definition allows it', function () {
  let namespace = '';
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator | undefined;
  const { create, podsOf, eventsOf, taskUntil, serviceUntil } = ecsObjects(() => namespace);

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'restricted', { podSecurity: 'restricted' }));
    operator = await startOperator(namespace);
  });
  after(async () => {
    await operator?.finish();
    await removeNamespace?.();
  });

  it('runs a Service and a Task of a locked-down task definition in a namespace enforcing restricted', async () => {
    await create('taskdefinitions', 'TaskDefinition', 'locked', { containerDefinitions: [LOCKED_DOWN] });
    await create('services', 'Service', 'locked', { taskDefinition: 'locked', desiredCount: 2 });
    await create('tasks', 'Task', 'locked-1', { taskDefinition: 'locked' });
    await serviceUntil('locked', 'running 2 tasks', (s) => s.status?.runningCount === 2);
    await taskUntil('locked-1', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
    const pods = [...(await podsOf('ecs.operator.dev/service=locked')), ...(await podsOf('ecs.operator.dev/task=locked-1'))];
    expect(pods).to.have.length(3);
    for (const pod of pods) {
      expect(pod.spec?.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.spec?.containers[0]?.securityContext).to.deep.include({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });

  it('says why when admission refuses the pods of a task definition that does not ask for restricted', async () => {
    await create('taskdefinitions', 'TaskDefinition', 'plain', { containerDefinitions: [PLAIN] });
    await create('tasks', 'Task', 'plain-1', { taskDefinition: 'plain' });
    await create('services', 'Service', 'plain', { taskDefinition: 'plain', desiredCount: 1 });
    const service = await serviceUntil('plain', 'Placed=False naming Pod Security', (s) =>
      (s.status?.conditions ?? []).some((c) => c.type === 'Placed' && c.status === 'False' && c.reason === 'FailedCreate' && c.message.includes('PodSecurity')),
    );
    expect(service.status?.runningCount ?? 0).to.equal(0);
    const refusal = await waitFor('a FailedCreate Warning on the Task naming Pod Security', async () =>
      (await eventsOf('plain-1')).find((e) => e.type === 'Warning' && e.reason === 'FailedCreate'),
    );
    expect(refusal.message).to.include('violates PodSecurity "restricted');
    expect(await podsOf('ecs.operator.dev/task=plain-1')).to.deep.equal([]);
  });
});
