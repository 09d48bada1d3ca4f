import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../../../operator/src/api/meta.js';
import type { TaskDefinition } from '../../../../operator/src/api/taskdefinition.js';
import { executeTaskDefinitionPlan, REVISION_EXISTS_RETRY_MS } from '../../../../operator/src/controllers/taskdefinition/execute.js';
import { planTaskDefinition } from '../../../../operator/src/controllers/taskdefinition/plan.js';
import { statusCodeOf } from '../../../../operator/src/runtime/clients.js';
import { revisionObject } from '../../../../operator/src/translate/revisions.js';
import { FakeChildWriter } from '../../../fakes/child-writer.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const owner = { kind: 'TaskDefinition', key: 'ns/web' };
const stored: TaskDefinition = {
  apiVersion: ECS_API_VERSION,
  kind: 'TaskDefinition',
  metadata: { name: 'web', namespace: 'ns', uid: 'td-uid', generation: 1 },
  spec: { containerDefinitions: [{ name: 'app', image: 'nginx', memory: 256 }] },
};

function recorder() {
  const recorded: string[] = [];
  const record = (_obj: KubernetesObject, reason: string) => void recorded.push(reason);
  return { recorded, events: { normal: record, warning: record } };
}

describe('TaskDefinition executor', () => {
  it('creates the revision and records its Event', async () => {
    const writer = new FakeChildWriter().seed(stored);
    const live = writer.get('TaskDefinition', 'ns', 'web') as TaskDefinition;
    const { recorded, events } = recorder();
    const result = await executeTaskDefinitionPlan({ writer, events }, owner, live, planTaskDefinition({ td: live, revisions: [], inUse: new Set() }, NOW));
    expect(writer.writes.map((w) => `${w.verb} ${w.object}`)).to.deep.equal(['create ControllerRevision/ns/web-1']);
    expect(recorded).to.deep.equal(['RevisionRegistered']);
    expect(result).to.equal(undefined);
  });

  it('a revision that exists already: no Event, and a plan again soon', async () => {
    const writer = new FakeChildWriter().seed(stored, revisionObject(stored, 1));
    const live = writer.get('TaskDefinition', 'ns', 'web') as TaskDefinition;
    const { recorded, events } = recorder();
    const result = await executeTaskDefinitionPlan({ writer, events }, owner, live, planTaskDefinition({ td: live, revisions: [], inUse: new Set() }, NOW));
    expect(writer.writes).to.deep.equal([]);
    expect(recorded).to.deep.equal([]);
    expect(result).to.deep.equal({ requeueAfterMs: REVISION_EXISTS_RETRY_MS });
  });

  it('a status computed from a stale TaskDefinition fails with 409', async () => {
    const writer = new FakeChildWriter().seed(stored);
    const live = writer.get('TaskDefinition', 'ns', 'web') as TaskDefinition;
    const stale: TaskDefinition = { ...live, spec: { containerDefinitions: [] }, metadata: { ...live.metadata, resourceVersion: 'older' } };
    const plan = planTaskDefinition({ td: stale, revisions: [], inUse: new Set() }, NOW);
    const error = await executeTaskDefinitionPlan({ writer, ...recorder() }, owner, stale, plan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(statusCodeOf(error)).to.equal(409);
    expect(writer.writes).to.deep.equal([]);
  });
});
