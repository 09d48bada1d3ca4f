import { expect } from 'chai';
import { launchRecorded, referenceOf } from '../../../../operator/src/controllers/task/observe.js';
import { ANNOTATIONS } from '../../../../operator/src/translate/labels.js';
import { launched, task } from './helpers.js';

describe('Task snapshot: which revision a task runs', () => {
  it('a task not launched yet resolves its own reference, for new work (an INACTIVE revision is refused)', () => {
    expect(referenceOf(task({ taskDefinition: 'web' }), undefined)).to.deep.equal({ reference: 'web', forNewWork: true });
    expect(referenceOf(task({ taskDefinition: 'web' }, { lastStatus: 'PROVISIONING', taskDefinition: 'web:1' }), undefined)).to.deep.equal({
      reference: 'web',
      forNewWork: true,
    });
  });

  it("a launched task keeps the revision it launched with: its pod's, else the one its status recorded", () => {
    const { status, pod } = launched();
    const withPod = { ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, [ANNOTATIONS.taskDefinition]: 'web:7' } } };
    expect(referenceOf(task({ taskDefinition: 'web' }, status), withPod)).to.deep.equal({ reference: 'web:7', forNewWork: false });
    expect(referenceOf(task({ taskDefinition: 'web' }, { ...status, taskDefinition: 'web:3' }), undefined)).to.deep.equal({
      reference: 'web:3',
      forNewWork: false,
    });
  });

  it('a launch is recorded from PENDING on, STOPPED included; not before', () => {
    expect(
      [undefined, 'PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED'].map((lastStatus) =>
        launchRecorded(lastStatus ? { lastStatus: lastStatus as 'PENDING' } : undefined),
      ),
    ).to.deep.equal([false, false, true, true, true]);
  });
});
