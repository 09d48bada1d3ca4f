import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import fc from 'fast-check';
import { APPLIED_HASH_ANNOTATION, Applier, FIELD_MANAGER, appliedHash, needsApply, sameJson, withAppliedHash } from '../../../operator/src/runtime/apply.js';
import type { ApiClients } from '../../../operator/src/runtime/clients.js';
import { stableStringify } from '../../../operator/src/translate/hash.js';
import { RESOURCES } from '../../../operator/src/runtime/informer.js';

/** Clients that record the write calls the Applier makes and answer with the body they were sent. */
function recordingClients() {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const record =
    (method: string, answer: (...args: unknown[]) => unknown = (first) => first) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return answer(...args);
    };
  const clients = {
    objects: { patch: record('patch'), delete: record('delete') },
    custom: { patchNamespacedCustomObjectStatus: record('patchStatus', (request) => (request as { body: unknown }).body) },
  } as unknown as ApiClients;
  return { clients, calls };
}

const configMap = (data: Record<string, string>): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', labels: { a: '1', b: '2' } },
  data,
});

describe('runtime/apply', () => {
  it('hashes the desired object independently of key order, and changes with content', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (data) => {
        const reversed = Object.fromEntries(Object.entries(data).reverse());
        expect(appliedHash(configMap(data))).to.equal(appliedHash(configMap(reversed)));
      }),
    );
    expect(appliedHash(configMap({ x: '1' }))).to.not.equal(appliedHash(configMap({ x: '2' })));
  });

  it('leaves the hash annotation, resourceVersion and managedFields out of the hash', () => {
    const desired = configMap({ x: '1' });
    const annotated = withAppliedHash(desired);
    expect(annotated.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).to.equal(appliedHash(desired));
    expect(appliedHash(annotated)).to.equal(appliedHash(desired));
    expect(appliedHash({ ...desired, metadata: { ...desired.metadata, resourceVersion: '9', managedFields: [] } })).to.equal(appliedHash(desired));
  });

  it('needs an apply when the object is missing or was applied from something else', () => {
    const desired = configMap({ x: '1' });
    expect(needsApply(desired, undefined)).to.equal(true);
    expect(needsApply(desired, configMap({ x: '1' })), 'no annotation yet').to.equal(true);
    const live = { ...withAppliedHash(desired), metadata: { ...withAppliedHash(desired).metadata, resourceVersion: '5', uid: 'u' } };
    expect(needsApply(desired, live)).to.equal(false);
    expect(needsApply(configMap({ x: '2' }), live)).to.equal(true);
  });

  it('compares JSON deeply, ignoring key order and undefined members', () => {
    expect(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).to.equal(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).to.equal(false);
    expect(sameJson(undefined, null)).to.equal(true);
    expect(sameJson({ at: new Date('2026-12-01T00:00:00.000Z') }, { at: '2026-12-01T00:00:00.000Z' })).to.equal(true);
    expect(sameJson([undefined, 1], [null, 1])).to.equal(true);
    expect(sameJson({ a: 1 }, { a: '1' })).to.equal(false);
    expect(sameJson({ a: {} }, { a: [] })).to.equal(false);
    expect(sameJson({ a: NaN }, { a: null })).to.equal(true);
  });

  it('agrees with comparing the JSON texts with sorted keys, for any JSON-like values', () => {
    // Values and their near copies: a shuffled-key clone, one member changed, undefined members sprinkled in.
    const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', '', true, false, null, undefined, NaN), fc.date({ noInvalidDate: true }));
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('x', 'y', 'z', 'w'), tie('value'), { maxKeys: 4 }),
      ),
    }));
    const reordered = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reordered);
      if (v === null || typeof v !== 'object' || v instanceof Date) return v;
      return Object.fromEntries(
        Object.entries(v)
          .reverse()
          .map(([k, x]) => [k, reordered(x)]),
      );
    };
    const text = (v: unknown) => stableStringify(v ?? null);
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson(a, b)).to.equal(text(a) === text(b));
        expect(sameJson(a, reordered(a))).to.equal(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('server-side applies with the one field manager and force, then sends nothing for the same desired object', async () => {
    const { clients, calls } = recordingClients();
    const applier = new Applier(clients);
    const desired = configMap({ x: '1' });
    const first = await applier.apply(desired, undefined);
    expect(first.written).to.equal(true);
    expect(calls).to.have.length(1);
    const [body, pretty, dryRun, fieldManager, force, strategy] = calls[0]!.args;
    expect(body).to.deep.equal(withAppliedHash(desired));
    expect([pretty, dryRun, fieldManager, force, strategy]).to.deep.equal([undefined, undefined, FIELD_MANAGER, true, 'application/apply-patch+yaml']);
    const second = await applier.apply(configMap({ x: '1' }), first.object);
    expect(second).to.deep.equal({ object: first.object, written: false });
    expect(calls).to.have.length(1);
  });

  it('writes status through /status by server-side apply, only when it differs from the live status', async () => {
    const { clients, calls } = recordingClients();
    const applier = new Applier(clients);
    const live = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Task',
      metadata: { name: 't', namespace: 'ns', resourceVersion: '3' },
      spec: {},
      status: { lastStatus: 'RUNNING', containers: [{ name: 'web', exitCode: 0 }] } as Record<string, unknown>,
    };
    const same = await applier.applyStatus(RESOURCES.tasks, live, { containers: [{ exitCode: 0, name: 'web' }], lastStatus: 'RUNNING' });
    expect(same.written).to.equal(false);
    expect(calls).to.have.length(0);
    const changed = await applier.applyStatus(RESOURCES.tasks, live, { lastStatus: 'STOPPED' });
    expect(changed.written).to.equal(true);
    expect(calls).to.have.length(1);
    const [request, options] = calls[0]!.args as [Record<string, unknown>, { middleware: unknown[] }];
    expect(request).to.deep.include({
      group: 'ecs.operator.dev',
      version: 'v1alpha1',
      namespace: 'ns',
      plural: 'tasks',
      name: 't',
      fieldManager: FIELD_MANAGER,
      force: true,
    });
    expect(request.body).to.deep.equal({
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Task',
      metadata: { name: 't', namespace: 'ns' },
      status: { lastStatus: 'STOPPED' },
    });
    expect(options.middleware, 'sets the apply content type').to.have.length(1);
  });

  it('deletes with a uid precondition and reports an object already gone', async () => {
    const { clients, calls } = recordingClients();
    const applier = new Applier(clients);
    expect(await applier.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' } })).to.equal(true);
    expect(calls[0]!.args[6]).to.deep.equal({ propagationPolicy: 'Background', preconditions: { uid: 'u1' } });
    const gone = new Applier({
      objects: { delete: async () => Promise.reject(Object.assign(new Error('not found'), { code: 404 })) },
    } as unknown as ApiClients);
    expect(await gone.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' } })).to.equal(false);
  });
});
