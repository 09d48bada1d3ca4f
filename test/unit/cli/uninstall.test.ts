import { expect } from 'chai';
import { isOperatorFinalizer, leaseHeld } from '../../../operator/src/cli/uninstall.js';

describe('cli/uninstall', () => {
  it("releases the operator's own finalizers only", () => {
    expect(
      ['ecs.operator.dev/drain-tasks', 'ecs.operator.dev/revisions-in-use', 'kubernetes.io/pvc-protection', 'example.com/x'].filter(isOperatorFinalizer),
    ).to.deep.equal(['ecs.operator.dev/drain-tasks', 'ecs.operator.dev/revisions-in-use']);
  });

  it('takes a Lease as held while it was renewed within its duration by someone', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const lease = (renewTime: string | undefined, holderIdentity: string | undefined = 'a', leaseDurationSeconds = 12) => ({
      spec: { renewTime: renewTime as unknown as Date, holderIdentity, leaseDurationSeconds },
    });
    expect(leaseHeld(lease('2026-11-30T11:59:50Z'), now)).to.equal(true);
    expect(leaseHeld(lease('2026-11-30T11:59:40Z'), now), 'expired').to.equal(false);
    expect(leaseHeld(lease('2026-11-30T11:59:50Z', ''), now), 'released: no holder').to.equal(false);
    expect(leaseHeld(lease(undefined), now), 'never renewed').to.equal(false);
  });
});
