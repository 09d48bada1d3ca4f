// "No write from a replica that does not hold the lease", checked on the API server's own record: its audit log
// (audit-policy.yaml) has every write with the time it was received and the id of the token that sent it (each
// replica incarnation has its own, fleet.ts), and every lease write with the lease it left behind. A write by
// replica X received at time t is legal only if the last lease write that completed before t made X the
// holder, and t is before that renewal's renewTime + leaseDurationSeconds. Lease writes themselves are the
// election and are not checked; failed writes count (they were sent).
import { readFileSync } from 'node:fs';

interface AuditEvent {
  verb: string;
  stage: string;
  user?: { username?: string; extra?: Record<string, string[]> };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string };
  responseStatus?: { code?: number };
  responseObject?: { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

export interface LeaseAudit {
  /** Writes the operator's replicas sent (lease writes not counted). */
  writes: number;
  /** Writes checked against the lease (all of `writes` whose sender is known). */
  checked: number;
  /** Successful lease writes seen (acquisitions and renewals). */
  leaseWrites: number;
  /** Distinct holders the lease had. */
  holders: number;
  /** Writes whose token is no replica's. */
  unattributed: number;
  violations: string[];
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const micros = (time: string): number => {
  // 2026-12-01T00:11:16.443916Z: keep the microseconds Date drops.
  const fraction = /\.(\d+)Z$/.exec(time)?.[1] ?? '0';
  return Date.parse(time.replace(/\.\d+Z$/, 'Z')) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
};

/** Checks the audit log's writes by `user` against the lease `lease`; `identities` maps token ids to replicas. */
export function checkLeaseWrites(auditLog: string, user: string, lease: { namespace: string; name: string }, identities: Map<string, string>): LeaseAudit {
  const events = readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes(user))
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete' && e.user?.username === user && WRITE_VERBS.has(e.verb));
  const senderOf = (e: AuditEvent) => {
    const credential = e.user?.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '';
    return identities.get(credential.replace(/^JTI=/, ''));
  };
  const isLease = (e: AuditEvent) => e.objectRef?.resource === 'leases' && e.objectRef.namespace === lease.namespace && e.objectRef.name === lease.name;
  // The lease's history: what each successful write left, in the order the API server completed them.
  const history = events
    .filter((e) => isLease(e) && (e.responseStatus?.code ?? 0) < 300 && e.responseObject?.spec)
    .map((e) => {
      const spec = e.responseObject!.spec!;
      const renewed = spec.renewTime ? micros(spec.renewTime) : micros(e.stageTimestamp);
      return { completed: micros(e.stageTimestamp), holder: spec.holderIdentity ?? '', validUntil: renewed + (spec.leaseDurationSeconds ?? 0) * 1e6 };
    })
    .sort((a, b) => a.completed - b.completed);
  const writes = events.filter((e) => !isLease(e));
  const violations: string[] = [];
  let unattributed = 0;
  let checked = 0;
  for (const write of writes) {
    const sender = senderOf(write);
    if (!sender) {
      unattributed += 1;
      continue;
    }
    checked += 1;
    const received = micros(write.requestReceivedTimestamp);
    const last = history.filter((h) => h.completed <= received).at(-1);
    const what = `${write.verb} ${write.objectRef?.resource ?? ''}${write.objectRef?.subresource ? `/${write.objectRef.subresource}` : ''} ${write.objectRef?.name ?? ''} by ${sender} at ${write.requestReceivedTimestamp} (answered ${write.responseStatus?.code ?? '?'})`;
    if (last?.holder !== sender) violations.push(`${what}: the lease was held by ${last?.holder || 'nobody'}`);
    else if (received > last.validUntil) violations.push(`${what}: its lease had run out ${((received - last.validUntil) / 1e6).toFixed(3)} s before`);
  }
  return {
    writes: writes.length,
    checked,
    leaseWrites: history.length,
    holders: new Set(history.map((h) => h.holder).filter(Boolean)).size,
    unattributed,
    violations,
  };
}
