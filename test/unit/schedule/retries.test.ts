import { expect } from 'chai';
import { planRetries, retryTaskName, runSlots, type ScheduleTaskAttempt } from '../../../operator/src/translate/schedule/retries.js';
import { scheduleSettings } from '../../../operator/src/translate/schedule/spec.js';

const time = new Date('2026-03-02T10:00:00Z');
const attempt = (name: string, extra: Partial<ScheduleTaskAttempt> = {}): ScheduleTaskAttempt => ({ name, scheduledTime: time, outcome: 'running', ...extra });
const failedToStart = { outcome: 'failed', stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: denied' } as const;

function settings(maximumRetryAttempts: number) {
  const result = scheduleSettings({
    scheduleExpression: 'rate(1 hour)',
    target: { taskDefinition: 'report' },
    retryPolicy: { maximumRetryAttempts, maximumEventAgeInSeconds: 3600 },
  });
  if (!result.ok) throw new Error('invalid');
  return result.settings;
}

describe('schedule: retries of Tasks that failed to start', () => {
  it('names a retry after its slot, a DNS label of at most 63 characters however long the slot', () => {
    expect(retryTaskName('report-29539500-2', 3)).to.equal('report-29539500-2-r3');
    const long = `${'a'.repeat(50)}-29539500-10`;
    const name = retryTaskName(long, 185);
    expect(name).to.have.length.at.most(63);
    expect(name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?-r185$/);
    expect(retryTaskName(long, 185)).to.equal(name);
  });

  it('follows each chain of attempts back to its first Task: the latest counts, the retries are counted', () => {
    const slots = runSlots([
      attempt('r-1-r1', { ...failedToStart, retryOf: 'r-1' }),
      attempt('r-1', failedToStart),
      attempt('r-1-r2', { retryOf: 'r-1-r1' }),
      attempt('r-2'),
    ]);
    expect(slots.map(({ name, retries, latest, taskNames }) => ({ name, retries, latest: latest.name, taskNames }))).to.deep.equal([
      { name: 'r-1', retries: 2, latest: 'r-1-r2', taskNames: ['r-1', 'r-1-r1', 'r-1-r2'] },
      { name: 'r-2', retries: 0, latest: 'r-2', taskNames: ['r-2'] },
    ]);
  });

  it('retries the latest attempt when it failed to start, within the attempts and the event age', () => {
    const slots = runSlots([attempt('r-1', failedToStart), attempt('r-1-r1', { ...failedToStart, retryOf: 'r-1' })]);
    const minute = new Date(time.getTime() + 60_000);
    expect(planRetries(slots, settings(2), minute)).to.deep.equal([
      { name: 'r-1-r2', scheduledTime: time, retryOf: 'r-1-r1', attempt: 2, slot: 'r-1', reason: 'CannotPullContainerError: denied' },
    ]);
    expect(planRetries(slots, settings(1), minute)).to.deep.equal([]);
    expect(planRetries(slots, settings(2), new Date(time.getTime() + 3601_000))).to.deep.equal([]);
  });

  it('an annotation loop ends instead of hanging', () => {
    const slots = runSlots([attempt('a', { retryOf: 'b' }), attempt('b', { retryOf: 'a' })]);
    expect(slots).to.deep.equal([]);
  });
});
