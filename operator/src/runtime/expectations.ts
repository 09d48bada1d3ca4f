// Expectations, as the ReplicaSet controller keeps them: after a reconcile creates or deletes a child, the
// informer may not show that for a moment, and a reconcile in that moment would see a stale cache and create
// the child twice (or delete it twice). The reconcile records what it expects; the informer's events clear
// it; until then `satisfied` says no, and the reconcile waits for the next event instead of acting. An
// expectation the informer never confirms expires after its TTL, so a lost event cannot wedge an object.
//
// Record an expectation BEFORE sending the create or delete, and clear it if the request fails: the watch can
// deliver the child before the response has been read, and an expectation recorded after that event would
// wait for an event that already came (until the TTL).
//
// Keep one Expectations per kind of child: children are identified by their `namespace/name` key.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Clock, realClock } from './clock.js';
import type { SharedInformer, Unsubscribe } from './informer.js';
import { objectKey } from './keys.js';

type Expected = 'creation' | 'deletion' | 'update';

export class Expectations {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  /** Owner key → child key → what is expected of that child and since when (for an update: the version it replaced). */
  private readonly byOwner = new Map<string, Map<string, { expected: Expected; at: number; replaced?: string }>>();
  /** Child key → owner key: at most one outstanding expectation per child. */
  private readonly ownerOf = new Map<string, string>();

  constructor({ clock = realClock, ttlMs = 5 * 60_000 }: { clock?: Clock; ttlMs?: number } = {}) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /** Call just before creating `child` on behalf of `owner` (both work queue keys). */
  expectCreation(owner: string, child: string): void {
    this.expect(owner, child, 'creation');
  }

  /** Call just before deleting `child` on behalf of `owner`. */
  expectDeletion(owner: string, child: string): void {
    this.expect(owner, child, 'deletion');
  }

  /**
   * Call just before writing `child` (as of its resourceVersion `replaced`) on behalf of `owner`: until the
   * informer shows another version of it, a plan from the cache would decide from what the write replaced.
   */
  expectUpdate(owner: string, child: string, replaced: string): void {
    this.expect(owner, child, 'update', replaced);
  }

  /** The informer shows `child` at `version`: an update is seen once that is not the version it replaced. */
  updateObserved(child: string, version: string | undefined): void {
    const owner = this.ownerOf.get(child);
    const entry = owner === undefined ? undefined : this.byOwner.get(owner)?.get(child);
    if (owner !== undefined && entry?.expected === 'update' && entry.replaced !== version) this.remove(owner, child);
  }

  /** The write of `child` was refused, or changed nothing: no event will show it. */
  updateDropped(child: string): void {
    this.clear(child, 'update');
  }

  /** The informer shows `child`. */
  creationObserved(child: string): void {
    this.clear(child, 'creation');
  }

  /** The informer shows `child` gone or being deleted (which ends an expected update too). */
  deletionObserved(child: string): void {
    this.clear(child, 'deletion');
    this.clear(child, 'update');
  }

  /** Whether the cache can be trusted for `owner`: nothing it created or deleted is still unseen. */
  satisfied(owner: string): boolean {
    return this.pending(owner).length === 0;
  }

  /** The unexpired expectations of `owner`, e.g. for a log line saying what a reconcile waits for. */
  pending(owner: string): Array<{ child: string; expected: Expected }> {
    const children = this.byOwner.get(owner);
    if (!children) return [];
    const now = this.clock.now();
    for (const [child, { at }] of children) if (now - at >= this.ttlMs) this.remove(owner, child);
    return [...children].map(([child, { expected }]) => ({ child, expected }));
  }

  /** Drops every expectation of `owner` (when the owner itself is gone). */
  forget(owner: string): void {
    for (const child of this.byOwner.get(owner)?.keys() ?? []) this.ownerOf.delete(child);
    this.byOwner.delete(owner);
  }

  /**
   * Clears expectations from the events of the children's informer: an add or update shows a creation; a
   * delete, or an update carrying a deletionTimestamp, shows a deletion. `keyOfChild` names a child as the
   * expectations were recorded (default: its `namespace/name`).
   */
  observe<T extends KubernetesObject>(informer: SharedInformer<T>, keyOfChild: (obj: T) => string = objectKey): Unsubscribe {
    const offs = [
      informer.onAdd((obj) => {
        this.creationObserved(keyOfChild(obj));
        this.updateObserved(keyOfChild(obj), obj.metadata?.resourceVersion);
      }),
      informer.onUpdate((obj) => {
        const key = keyOfChild(obj);
        this.creationObserved(key);
        this.updateObserved(key, obj.metadata?.resourceVersion);
        if (obj.metadata?.deletionTimestamp) this.deletionObserved(key);
      }),
      informer.onDelete((obj) => this.deletionObserved(keyOfChild(obj))),
    ];
    return () => offs.forEach((off) => off());
  }

  private expect(owner: string, child: string, expected: Expected, replaced?: string): void {
    const previous = this.ownerOf.get(child);
    if (previous !== undefined) this.remove(previous, child);
    let children = this.byOwner.get(owner);
    if (!children) this.byOwner.set(owner, (children = new Map<string, { expected: Expected; at: number }>()));
    children.set(child, { expected, at: this.clock.now(), ...(replaced !== undefined ? { replaced } : {}) });
    this.ownerOf.set(child, owner);
  }

  private clear(child: string, expected: Expected): void {
    const owner = this.ownerOf.get(child);
    if (owner !== undefined && this.byOwner.get(owner)?.get(child)?.expected === expected) this.remove(owner, child);
  }

  private remove(owner: string, child: string): void {
    const children = this.byOwner.get(owner);
    children?.delete(child);
    if (children?.size === 0) this.byOwner.delete(owner);
    this.ownerOf.delete(child);
  }
}
