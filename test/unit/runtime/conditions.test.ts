import { expect } from 'chai';
import type { Condition } from '../../../operator/src/api/meta.js';
import { conditionTime, findCondition, isConditionTrue, setCondition, setConditions } from '../../../operator/src/runtime/conditions.js';

const earlier = new Date('2025-01-01T00:00:00.123Z');
const later = new Date('2025-01-01T01:00:00Z');

describe('runtime/conditions', () => {
  it('writes times as RFC 3339 with whole seconds', () => {
    expect(conditionTime(earlier)).to.equal('2025-01-01T00:00:00Z');
  });

  it('appends a new condition type with the current time', () => {
    const conditions = setCondition(undefined, { type: 'Valid', status: 'Unknown', reason: 'Pending', message: '' }, earlier);
    expect(conditions).to.deep.equal([{ type: 'Valid', status: 'Unknown', reason: 'Pending', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }]);
  });

  it('keeps lastTransitionTime while the status stays, and updates reason, message and observedGeneration', () => {
    const first = setCondition([], { type: 'Valid', status: 'True', reason: 'Ok', message: 'a', observedGeneration: 1 }, earlier);
    const second = setCondition(first, { type: 'Valid', status: 'True', reason: 'StillOk', message: 'b', observedGeneration: 2 }, later);
    expect(second).to.deep.equal([
      { type: 'Valid', status: 'True', reason: 'StillOk', message: 'b', observedGeneration: 2, lastTransitionTime: '2025-01-01T00:00:00Z' },
    ]);
    expect(first[0]?.reason, 'input untouched').to.equal('Ok');
  });

  it('moves lastTransitionTime when the status changes, keeping the order of the list', () => {
    const start: Condition[] = [
      { type: 'A', status: 'True', reason: 'r', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
      { type: 'B', status: 'True', reason: 'r', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ];
    const next = setConditions(
      start,
      [
        { type: 'A', status: 'False', reason: 'Broken', message: 'x' },
        { type: 'C', status: 'True', reason: 'r', message: '' },
      ],
      later,
    );
    expect(next.map((c) => c.type)).to.deep.equal(['A', 'B', 'C']);
    expect(findCondition(next, 'A')?.lastTransitionTime).to.equal('2025-01-01T01:00:00Z');
    expect(findCondition(next, 'B')?.lastTransitionTime).to.equal('2024-01-01T00:00:00Z');
    expect(isConditionTrue(next, 'A')).to.equal(false);
    expect(isConditionTrue(next, 'B')).to.equal(true);
    expect(isConditionTrue(next, 'Missing')).to.equal(false);
  });
});
