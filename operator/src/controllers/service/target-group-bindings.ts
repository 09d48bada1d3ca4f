// The TargetGroupBindings of Services' load balancers (translate/target-group-bindings.ts), where the AWS Load
// Balancer Controller's kind is served. Whether it is served is asked of API discovery (GET
// /apis/elbv2.k8s.aws/v1beta1), not on every reconcile: the answer is kept for a while (longer once it is
// served), and asked again at once when a create finds the kind gone. Once served, an informer caches the
// operator's own bindings (label-selected: someone else's binding is never in it, never adopted), and the
// Services with a targetGroupArn are reconciled again.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Controller } from '../../runtime/controller.js';
import { controllerOwnerKey } from '../../runtime/controller.js';
import { statusCodeOf } from '../../runtime/clients.js';
import type { ResourceType, SharedInformer } from '../../runtime/informer.js';
import { RESOURCES } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { ECS_API_VERSION } from '../../api/meta.js';
import { LABELS, MANAGED_BY_VALUE } from '../../translate/labels.js';
import { TARGET_GROUP_BINDING, TARGET_GROUP_BINDING_API_VERSION, type TargetGroupBinding, targetGroupBindings } from '../../translate/target-group-bindings.js';
import { controllerReference, isControlledBy } from '../common.js';
import type { OperatorContext } from '../context.js';
import { VALID, type Validity } from '../plan-common.js';
import { applyIfChanged, nameOf, type ServiceAction, type ServiceSnapshot } from './snapshot.js';

/** How long an answer of API discovery is kept: a kind that appears is found within minutes, one that goes away at the next failed write. */
export const SERVED_RECHECK_MS = 10 * 60_000;
export const ABSENT_RECHECK_MS = 2 * 60_000;

const TARGET_GROUP_BINDINGS: ResourceType<TargetGroupBinding> = {
  apiVersion: TARGET_GROUP_BINDING_API_VERSION,
  kind: TARGET_GROUP_BINDING.kind,
  plural: TARGET_GROUP_BINDING.plural,
  namespaced: true,
  list: ({ custom }, namespace, labelSelector, page) => {
    const coordinates = { group: TARGET_GROUP_BINDING.group, version: TARGET_GROUP_BINDING.version, plural: TARGET_GROUP_BINDING.plural };
    return namespace
      ? custom.listNamespacedCustomObject({ ...coordinates, namespace, labelSelector, ...page })
      : custom.listClusterCustomObject({ ...coordinates, labelSelector, ...page });
  },
};

/** Whether the TargetGroupBinding kind is served, and the cache of the operator's bindings once it is. */
export class TargetGroupBindingSupport {
  private served = false;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private informer: SharedInformer<TargetGroupBinding> | undefined;
  private asking: Promise<void> | undefined;

  constructor(
    private readonly context: OperatorContext,
    private readonly controller: () => Controller,
  ) {}

  /** Whether it is served, as last found; asks discovery again when the answer is old (once, for every reconcile waiting). */
  async check(): Promise<boolean> {
    const now = this.context.clock.now();
    if (now - this.checkedAt >= (this.served ? SERVED_RECHECK_MS : ABSENT_RECHECK_MS)) {
      this.checkedAt = now;
      this.asking = this.ask().finally(() => (this.asking = undefined));
    }
    await this.asking;
    return this.served && this.informer?.hasSynced() === true;
  }

  private async ask(): Promise<void> {
    try {
      const { resources } = await this.context.clients.custom.getAPIResources({ group: TARGET_GROUP_BINDING.group, version: TARGET_GROUP_BINDING.version });
      this.served = resources.some((r) => r.name === TARGET_GROUP_BINDING.plural);
    } catch (error) {
      // Not served: 404 (or 503 while an aggregated API is down). Anything else keeps the last answer until the next check.
      if (statusCodeOf(error) === 404 || statusCodeOf(error) === 503) this.served = false;
      else this.context.log.warn('API discovery of elbv2.k8s.aws/v1beta1 failed', { error: String(error) });
    }
    if (this.served && !this.informer) await this.startInformer();
  }

  /** A write found the kind gone (404): ask discovery again at the next reconcile. */
  recheck(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The operator's bindings in `namespace` (none before the kind is served). */
  list(namespace: string): TargetGroupBinding[] {
    return [...(this.informer?.list(namespace) ?? [])];
  }

  private async startInformer(): Promise<void> {
    const informer = this.context.informers.for(TARGET_GROUP_BINDINGS, { labelSelector: `${LABELS.managedBy}=${MANAGED_BY_VALUE}` });
    this.informer = informer;
    this.context.writer.track(informer);
    const controller = this.controller();
    controller.watch(informer, controllerOwnerKey('Service', ECS_API_VERSION));
    await informer.waitForSync(AbortSignal.timeout(30_000));
    // The Services that name a target group: what they plan changes now.
    for (const service of this.context.informers.for(RESOURCES.services).list()) {
      if (service.spec.loadBalancers?.some((lb) => lb.targetGroupArn)) controller.enqueue(keyOf(service.metadata.name ?? '', service.metadata.namespace));
    }
  }
}

/** Whether a write failed because the kind is not served (any more). */
export const kindGone = (error: unknown, object: KubernetesObject) => object.kind === TARGET_GROUP_BINDING.kind && statusCodeOf(error) === 404;

/**
 * The bindings a Service's target groups ask for: created when missing (a POST: a binding of that name that is
 * someone else's is never taken over, Valid=False TargetGroupBindingNameTaken), applied when this Service controls
 * them, deleted when the spec no longer names their target group. Nothing where the kind is not served.
 */
export function planTargetGroupBindings(snapshot: ServiceSnapshot): { actions: ServiceAction[]; validity: Validity } {
  const { service } = snapshot;
  if (!snapshot.targetGroupBindingServed) return { actions: [], validity: VALID };
  const desired = targetGroupBindings(service, [controllerReference(service)]);
  const live = snapshot.targetGroupBindings;
  const actions: ServiceAction[] = [];
  let taken: string | undefined;
  for (const binding of desired) {
    const name = nameOf(binding);
    const existing = live.find((b) => nameOf(b) === name);
    if (snapshot.taken.some((t) => t.kind === 'TargetGroupBinding' && t.name === name) || (existing && !isControlledBy(existing, service))) {
      taken ??= name;
      continue;
    }
    actions.push(...(existing ? applyIfChanged(binding, existing) : [{ verb: 'create' as const, object: binding }]));
  }
  for (const stale of live.filter((b) => isControlledBy(b, service) && !desired.some((d) => nameOf(d) === nameOf(b))))
    actions.push({ verb: 'delete', object: stale });
  const validity: Validity = taken
    ? {
        valid: false,
        reason: 'TargetGroupBindingNameTaken',
        message: `spec.loadBalancers: a TargetGroupBinding named '${taken}' exists and does not belong to this Service; it is left alone`,
      }
    : VALID;
  return { actions, validity };
}
