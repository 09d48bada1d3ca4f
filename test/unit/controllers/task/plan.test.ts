import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import type { TaskStatus } from '../../../../operator/src/api/task.js';
import { planTask, type TaskAction, type TaskPlan } from '../../../../operator/src/controllers/task/plan.js';
import { PLACEMENT_CHANGED, PLACEMENT_EVALUATED_ANNOTATION } from '../../../../operator/src/controllers/task/plan-placement.js';
import { createdPod, launched, NOW, POD_STATES, RETENTION_MS, snapshot, task, taskDefinition } from './helpers.js';
import { revisionObject } from '../../../../operator/src/translate/revisions.js';
import { STOPPED_REASONS } from '../../../../operator/src/translate/task-status.js';

const verbs = (plan: TaskPlan) => plan.actions.map((a: TaskAction) => a.type);
const condition = (status: TaskStatus, type: string) => status.conditions?.find((c) => c.type === type);
/** The plan for the launched task in `podState`, its status as the launch recorded it (or `status`). */
const planWith = (pod: V1Pod | undefined, status: TaskStatus, spec = {}) => planTask(snapshot({ task: task(spec, status), ...(pod ? { pod } : {}) }));

describe('Task planner', () => {
  describe('launch', () => {
    it('records the launch in status (PENDING, the revision) before it creates the one pod, named after the task', () => {
      const plan = planTask(snapshot());
      expect(verbs(plan)).to.deep.equal(['writeStatus', 'createPod']);
      expect(plan.status).to.deep.include({
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        taskDefinition: 'web:1',
        cluster: 'default',
        group: 'family:web',
        launchType: 'EC2',
      });
      const pod = createdPod(plan)!;
      expect(pod.metadata?.name).to.equal('one');
      expect(pod.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'Task', name: 'one', uid: 'task-uid', controller: true });
      expect(condition(plan.status, 'Valid')?.status).to.equal('True');
    });

    it('creates the task role ServiceAccount between the status write and the pod', () => {
      const td = taskDefinition({ taskRoleArn: 'arn:aws:iam::123456789012:role/app' });
      const plan = planTask(snapshot({}, td));
      expect(verbs(plan)).to.deep.equal(['writeStatus', 'createShared', 'createPod']);
    });

    it('is done once the pod appears: planning with the created pod changes nothing', () => {
      const { status, pod } = launched();
      const plan = planWith(pod, status);
      expect(plan.actions).to.deep.equal([]);
      expect(plan.events).to.deep.equal([]);
    });

    it('never launches a task whose status records the launch: a missing pod is a lost task, STOPPED', () => {
      const { status } = launched();
      const plan = planWith(undefined, status);
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(plan.status).to.deep.include({
        lastStatus: 'STOPPED',
        stopCode: 'TerminationNotice',
        desiredStatus: 'STOPPED',
        stoppedReason: STOPPED_REASONS.podGone,
      });
      expect(plan.status.stoppedAt).to.equal(new Date(NOW).toISOString());
    });

    it('a task stopped before it launched is STOPPED (UserInitiated) without a pod', () => {
      const plan = planWith(undefined, {}, { desiredStatus: 'STOPPED' });
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(plan.status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    });
  });

  describe('Valid=False names the field', () => {
    it('a missing Cluster: spec.cluster, and no pod', () => {
      const plan = planTask(snapshot({ task: task({ cluster: 'prod' }), clusterName: 'prod', cluster: undefined }));
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(condition(plan.status, 'Valid')).to.deep.include({ status: 'False', reason: 'ClusterNotFound' });
      expect(condition(plan.status, 'Valid')?.message).to.match(/^spec\.cluster: Cluster 'prod' does not exist/);
      expect(plan.status.lastStatus).to.equal('PROVISIONING');
      expect(plan.events).to.deep.include({ type: 'warning', reason: 'ClusterNotFound', message: condition(plan.status, 'Valid')!.message });
    });

    describe('the task role ServiceAccount: only one the operator manages or a namespace admin assigned to the role', () => {
      const td = taskDefinition({ taskRoleArn: 'arn:aws:iam::123456789012:role/deployer' });
      const account = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'deployer', namespace: 'team-a', labels, annotations },
      });

      it("an existing one of another owner: Valid=False at the revision's spec.taskRoleArn, a warning Event, no pod", () => {
        const plan = planTask(snapshot({ serviceAccounts: [account()] }, td));
        expect(verbs(plan)).to.deep.equal(['writeStatus']);
        expect(condition(plan.status, 'Valid')).to.deep.include({ status: 'False', reason: 'InvalidSpec' });
        expect(condition(plan.status, 'Valid')?.message).to.match(
          /^web:1 spec\.taskRoleArn: ServiceAccount 'deployer' exists and is neither managed by ecs-operator/,
        );
        expect(plan.events.map((e) => [e.type, e.reason])).to.deep.include(['warning', 'InvalidSpec']);
      });

      it('one the operator manages, or one annotated with the role (ARN or name), is used', () => {
        for (const existing of [
          account({ 'app.kubernetes.io/managed-by': 'ecs-operator' }),
          account({}, { 'ecs.operator.dev/task-role': 'deployer' }),
          account({}, { 'ecs.operator.dev/task-role': 'arn:aws:iam::123456789012:role/deployer' }),
        ]) {
          const plan = planTask(snapshot({ serviceAccounts: [existing] }, td));
          expect(createdPod(plan)?.spec?.serviceAccountName).to.equal('deployer');
        }
        const otherRole = planTask(snapshot({ serviceAccounts: [account({}, { 'ecs.operator.dev/task-role': 'someone-else' })] }, td));
        expect(createdPod(otherRole)).to.equal(undefined);
      });
    });

    it("host networking in a namespace the operator's policy does not list: Valid=False naming the field and the flag; listed, it launches", () => {
      const td = taskDefinition({ networkMode: 'host' });
      const refused = planTask(snapshot({}, td));
      expect(verbs(refused)).to.deep.equal(['writeStatus']);
      expect(condition(refused.status, 'Valid')?.message).to.match(
        /^web:1 spec\.networkMode: host networking is not allowed in namespace \S+ by the operator's policy \(--allow-host-access-namespaces\)/,
      );
      const allowed = planTask(snapshot({ hostAccess: { namespaces: [task().metadata.namespace!] } }, td));
      expect(createdPod(allowed)?.spec?.hostNetwork).to.equal(true);
    });

    it('a missing `default` Cluster is created first, as ECS does', () => {
      const plan = planTask(snapshot({ cluster: undefined }));
      expect(verbs(plan)).to.deep.equal(['createShared', 'writeStatus']);
      expect(plan.actions[0]).to.deep.nested.include({ 'object.kind': 'Cluster', 'object.metadata.name': 'default' });
    });

    it('a revision that does not resolve: spec.taskDefinition', () => {
      const plan = planTask(snapshot({ revision: { ok: false, reason: "task definition family 'web' has no ACTIVE revision" } }));
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(condition(plan.status, 'Valid')).to.deep.include({
        status: 'False',
        reason: 'TaskDefinitionUnavailable',
        message: "spec.taskDefinition: task definition family 'web' has no ACTIVE revision",
      });
    });

    it('a spec that does not translate: the field, and the resolved revision in status', () => {
      const plan = planTask(snapshot({ task: task({ overrides: { containerOverrides: [{ name: 'nope' }] } }) }));
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(condition(plan.status, 'Valid')).to.deep.include({ status: 'False', reason: 'InvalidSpec' });
      expect(condition(plan.status, 'Valid')?.message).to.match(/^spec\.overrides\.containerOverrides\[0\]/);
      expect(plan.status.taskDefinition).to.equal('web:1');
    });

    it("a Pod of the same name that is not the Task's: PodNameTaken, and nothing is written to the pod", () => {
      const plan = planTask(snapshot({ podNameTaken: true }));
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(condition(plan.status, 'Valid')).to.deep.include({ status: 'False', reason: 'PodNameTaken' });
      expect(condition(plan.status, 'Valid')?.message).to.match(/^metadata\.name: /);
    });

    it('a refusal already recorded is not written nor announced again', () => {
      const first = planTask(snapshot({ revision: { ok: false, reason: 'gone' } }));
      const again = planTask(snapshot({ task: task({}, first.status), revision: { ok: false, reason: 'gone' } }));
      expect(again.actions).to.deep.equal([]);
      expect(again.events).to.deep.equal([]);
    });
  });

  describe('lifecycle', () => {
    const cases: Array<{ state: keyof typeof POD_STATES; desiredStatus?: 'STOPPED'; lastStatus: string; stopCode?: string; verbs: string[]; event?: string }> =
      [
        { state: 'unschedulable', lastStatus: 'PENDING', verbs: ['writeStatus'], event: 'Unplaced' },
        // Starting to run is in status alone: no Event per launched task.
        { state: 'running', lastStatus: 'RUNNING', verbs: ['writeStatus'], event: 'none' },
        {
          state: 'exited',
          lastStatus: 'DEACTIVATING',
          stopCode: 'EssentialContainerExited',
          verbs: ['writeStatus', 'deletePod'],
          event: 'EssentialContainerExited',
        },
        { state: 'pullFailed', lastStatus: 'DEACTIVATING', stopCode: 'TaskFailedToStart', verbs: ['writeStatus', 'deletePod'], event: 'TaskFailedToStart' },
        {
          state: 'running',
          desiredStatus: 'STOPPED',
          lastStatus: 'DEACTIVATING',
          stopCode: 'UserInitiated',
          verbs: ['writeStatus', 'deletePod'],
          event: 'UserInitiated',
        },
        { state: 'failed', lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', verbs: ['writeStatus'] },
      ];
    for (const c of cases) {
      it(`a ${c.state} pod${c.desiredStatus ? ' of a task set to STOPPED' : ''}: ${c.lastStatus}${c.stopCode ? ` (${c.stopCode})` : ''}`, () => {
        const { status, pod } = launched();
        const plan = planWith(POD_STATES[c.state](pod), status, c.desiredStatus ? { desiredStatus: c.desiredStatus } : {});
        expect(verbs(plan)).to.deep.equal(c.verbs);
        expect(plan.status.lastStatus).to.equal(c.lastStatus);
        expect(plan.status.stopCode).to.equal(c.stopCode);
        if (c.event === 'none') expect(plan.events).to.deep.equal([]);
        else if (c.event) expect(plan.events.map((e) => e.reason)).to.include(c.event);
        // The stop is decided in status before the pod is deleted (uid precondition only).
        const remove = plan.actions.find((a) => a.type === 'deletePod');
        if (remove?.type === 'deletePod') expect(remove.options).to.equal(undefined);
      });
    }

    it('UserInitiated is a Normal event, the others Warnings', () => {
      const { status, pod } = launched();
      expect(planWith(POD_STATES.running(pod), status, { desiredStatus: 'STOPPED' }).events.find((e) => e.reason === 'UserInitiated')?.type).to.equal('normal');
      expect(planWith(POD_STATES.exited(pod), status).events.find((e) => e.reason === 'EssentialContainerExited')?.type).to.equal('warning');
    });

    it('a stopping pod (being deleted) is STOPPING and not deleted again; once gone the task is STOPPED with its stop code', () => {
      const { status, pod } = launched();
      const stopping = planWith(POD_STATES.running(pod), status, { desiredStatus: 'STOPPED' });
      const deleting = planWith(POD_STATES.deleting(pod), stopping.status, { desiredStatus: 'STOPPED' });
      expect(verbs(deleting)).to.deep.equal(['writeStatus']);
      expect(deleting.status.lastStatus).to.equal('STOPPING');
      const gone = planWith(undefined, deleting.status, { desiredStatus: 'STOPPED' });
      expect(gone.status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    });

    it('counts status versions: one more per change, none for a repeat', () => {
      const { status, pod } = launched();
      const running = planWith(POD_STATES.running(pod), status);
      expect(running.status.version).to.equal((status.version ?? 0) + 1);
      expect(planWith(POD_STATES.running(pod), running.status).actions).to.deep.equal([]);
    });
  });

  describe("retention of a STOPPED task's pod", () => {
    const stopped = (stoppedAgoMs: number): TaskStatus => ({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedAt: new Date(NOW - stoppedAgoMs).toISOString(),
    });
    it('keeps the pod until the retention period has passed, and looks again then', () => {
      const { pod } = launched();
      const plan = planWith(POD_STATES.failed(pod), stopped(10_000));
      expect(plan.actions).to.deep.equal([]);
      expect(plan.requeueAfterMs).to.equal(RETENTION_MS - 10_000);
    });
    it('deletes it after the retention period, and never writes the final status again', () => {
      const { pod } = launched();
      const plan = planWith(POD_STATES.failed(pod), stopped(RETENTION_MS + 1));
      expect(verbs(plan)).to.deep.equal(['deletePod']);
    });
    it('does nothing once the pod is gone or going', () => {
      const { pod } = launched();
      expect(planWith(undefined, stopped(RETENTION_MS + 1)).actions).to.deep.equal([]);
      expect(planWith(POD_STATES.deleting(pod), stopped(RETENTION_MS + 1)).actions).to.deep.equal([]);
    });
  });

  describe('placement', () => {
    /** A waiting pod whose placement was evaluated on Nodes that have changed since (another node affinity). */
    const outdated = (pod: V1Pod): V1Pod => {
      const waiting = POD_STATES.unschedulable(pod);
      const affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gone-node'] }] }],
          },
        },
      };
      return {
        ...waiting,
        metadata: { ...waiting.metadata, annotations: { ...waiting.metadata?.annotations, [PLACEMENT_EVALUATED_ANNOTATION]: 'true' } },
        spec: { ...waiting.spec!, affinity },
      };
    };

    it("a waiting pod not placed says why: Placed=False with the scheduler's reason, one Unplaced event", () => {
      const { status, pod } = launched();
      const plan = planWith(POD_STATES.unschedulable(pod), status);
      expect(condition(plan.status, 'Placed')).to.deep.include({ status: 'False', reason: 'Unschedulable' });
      expect(condition(plan.status, 'Placed')?.message).to.match(/Insufficient memory/);
      expect(planWith(POD_STATES.unschedulable(pod), plan.status).events).to.deep.equal([]);
    });

    it('replaces a waiting pod whose placement changed: decided in status, then deleted only in the version seen', () => {
      const { status, pod } = launched();
      const waiting = outdated(pod);
      const plan = planWith(waiting, status);
      expect(verbs(plan)).to.deep.equal(['writeStatus', 'deletePod']);
      expect(condition(plan.status, 'Placed')).to.deep.include({ status: 'False', reason: PLACEMENT_CHANGED });
      expect(plan.actions[1]).to.deep.equal({ type: 'deletePod', pod: waiting, options: { resourceVersion: true, gracePeriodSeconds: 0 } });
      expect(plan.events.map((e) => e.reason)).to.deep.equal([PLACEMENT_CHANGED]);
      expect(plan.status.lastStatus).to.equal('PENDING');
    });

    it('creates the replacement once the old pod is gone, from the revision it launched with', () => {
      const { status, pod } = launched();
      const replacing = planWith(outdated(pod), status).status;
      const plan = planTask(
        snapshot({
          task: task({ taskDefinition: 'web' }, replacing),
          revision: { ok: true, revision: revisionObject(taskDefinition(), 1), number: 1, family: 'web' },
        }),
      );
      expect(verbs(plan)).to.deep.equal(['writeStatus', 'createPod']);
      expect(plan.status.lastStatus).to.equal('PENDING');
      expect(condition(plan.status, 'Placed')?.reason).to.equal('Placed');
    });

    it('a replacement that cannot be created keeps the task PENDING with the marker', () => {
      const { status, pod } = launched();
      const replacing = planWith(outdated(pod), status).status;
      const plan = planTask(snapshot({ task: task({}, replacing), revision: { ok: false, reason: 'gone' } }));
      expect(plan.actions.map((a) => a.type)).to.not.include('createPod');
      expect(plan.status.lastStatus).to.equal('PENDING');
      expect(condition(plan.status, 'Placed')?.reason).to.equal(PLACEMENT_CHANGED);
    });

    it('a task set to STOPPED while its pod is replaced stops, without a new pod', () => {
      const { status, pod } = launched();
      const replacing = planWith(outdated(pod), status).status;
      const plan = planWith(undefined, replacing, { desiredStatus: 'STOPPED' });
      expect(verbs(plan)).to.deep.equal(['writeStatus']);
      expect(plan.status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    });

    it('a pod being deleted is not replaced again', () => {
      const { status, pod } = launched();
      const waiting = outdated(pod);
      const plan = planWith({ ...waiting, metadata: { ...waiting.metadata, deletionTimestamp: new Date(NOW) } }, status);
      expect(plan.actions.map((a) => a.type)).to.not.include('deletePod');
    });
  });
});
