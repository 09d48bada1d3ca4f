// The chaos run's lease check (test/chaos/audit.ts) on hand-made audit logs: it must catch a write sent by a
// replica after another took the lease, or after its own lease ran out, and pass the writes of the holder.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkLeaseWrites } from '../../chaos/audit.js';

const USER = 'system:serviceaccount:ops:ecs-operator';
const LEASE = { namespace: 'ops', name: 'ecs-operator-leader' };
const IDENTITIES = new Map([
  ['jti-a', 'replica-a'],
  ['jti-b', 'replica-b'],
]);

function event(jti: string, at: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    stage: 'ResponseComplete',
    user: { username: USER, extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] } },
    requestReceivedTimestamp: at,
    stageTimestamp: at.replace(/\.(\d{3})/, '.$1900'),
    responseStatus: { code: 200 },
    ...fields,
  });
}
const lease = (jti: string, at: string, holder: string, renewTime = at) =>
  event(jti, at, {
    verb: 'update',
    objectRef: { resource: 'leases', ...LEASE },
    responseObject: { spec: { holderIdentity: holder, renewTime, leaseDurationSeconds: 12 } },
  });
const write = (jti: string, at: string) => event(jti, at, { verb: 'patch', objectRef: { resource: 'replicasets', namespace: 'apps', name: 'web-1' } });

function check(lines: string[]) {
  const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return checkLeaseWrites(path, USER, LEASE, IDENTITIES);
}

describe('chaos lease audit', () => {
  it("passes the holder's writes while its lease is valid", () => {
    const result = check([lease('jti-a', '2026-01-01T00:00:00.000000Z', 'replica-a'), write('jti-a', '2026-01-01T00:00:05.000000Z')]);
    expect(result).to.include({ writes: 1, checked: 1, leaseWrites: 1, holders: 1, unattributed: 0 });
    expect(result.violations).to.deep.equal([]);
  });

  it('catches a write from a replica after the other took the lease', () => {
    const result = check([
      lease('jti-a', '2026-01-01T00:00:00.000000Z', 'replica-a'),
      lease('jti-b', '2026-01-01T00:00:13.000000Z', 'replica-b'),
      write('jti-a', '2026-01-01T00:00:14.000000Z'),
      write('jti-b', '2026-01-01T00:00:14.500000Z'),
    ]);
    expect(result.violations).to.have.length(1);
    expect(result.violations[0]).to.match(/by replica-a .*held by replica-b/);
  });

  it('catches a write after its own lease ran out, and one from an unknown token', () => {
    const result = check([
      lease('jti-a', '2026-01-01T00:00:00.000000Z', 'replica-a'),
      write('jti-a', '2026-01-01T00:00:12.500000Z'),
      write('jti-x', '2026-01-01T00:00:01.000000Z'),
    ]);
    expect(result.violations).to.have.length(1);
    expect(result.violations[0]).to.match(/run out 0\.500 s before/);
    expect(result.unattributed).to.equal(1);
  });
});
