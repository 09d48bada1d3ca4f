import { expect } from 'chai';
import { Expectations } from '../../../operator/src/runtime/expectations.js';
import { FakeClock } from './fake-clock.js';

describe('runtime/expectations', () => {
  it('is satisfied for an owner with nothing outstanding', () => {
    expect(new Expectations({ clock: new FakeClock() }).satisfied('ns/task')).to.equal(true);
  });

  it('holds a creation until the informer shows the child', () => {
    const expectations = new Expectations({ clock: new FakeClock() });
    expectations.expectCreation('ns/task', 'ns/pod');
    expect(expectations.satisfied('ns/task')).to.equal(false);
    expect(expectations.pending('ns/task')).to.deep.equal([{ child: 'ns/pod', expected: 'creation' }]);
    expect(expectations.satisfied('ns/other'), 'per owner').to.equal(true);
    expectations.deletionObserved('ns/pod');
    expect(expectations.satisfied('ns/task'), 'a deletion does not confirm a creation').to.equal(false);
    expectations.creationObserved('ns/pod');
    expect(expectations.satisfied('ns/task')).to.equal(true);
  });

  it('holds a deletion until the informer shows the child gone', () => {
    const expectations = new Expectations({ clock: new FakeClock() });
    expectations.expectDeletion('ns/svc', 'ns/rs-1');
    expectations.creationObserved('ns/rs-1');
    expect(expectations.satisfied('ns/svc')).to.equal(false);
    expectations.deletionObserved('ns/rs-1');
    expect(expectations.satisfied('ns/svc')).to.equal(true);
  });

  it('expires an expectation the informer never confirms after the TTL (5 minutes by default)', async () => {
    const clock = new FakeClock();
    const expectations = new Expectations({ clock });
    expectations.expectCreation('ns/task', 'ns/pod');
    await clock.advance(5 * 60_000 - 1);
    expect(expectations.satisfied('ns/task')).to.equal(false);
    await clock.advance(1);
    expect(expectations.satisfied('ns/task')).to.equal(true);
  });

  it('forgets every expectation of an owner', () => {
    const expectations = new Expectations({ clock: new FakeClock() });
    expectations.expectCreation('ns/svc', 'ns/a');
    expectations.expectDeletion('ns/svc', 'ns/b');
    expectations.expectCreation('ns/other', 'ns/c');
    expectations.forget('ns/svc');
    expect(expectations.satisfied('ns/svc')).to.equal(true);
    expect(expectations.satisfied('ns/other')).to.equal(false);
  });
});
