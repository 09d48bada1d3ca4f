// Why a task cannot be placed, in ECS terms. kube-scheduler says which filter the nodes failed ("didn't
// match Pod's node affinity/selector", "didn't match pod anti-affinity rules"), not which ECS constraint
// the affinity came from. This evaluates each memberOf expression against the Cluster's container
// instances (with the semantics the compiler uses) and names the ones no instance meets, so a user reads
// which of their constraints to change. Pure: the controllers pass the scheduler's message and the facts.
import type { V1Node } from '@kubernetes/client-node';
import type { PlacementConstraint } from '../../api/placement.js';
import type { ConstraintSource } from './compile-constraints.js';
import { nodesMatchingAll, type EvaluationContext } from './evaluate.js';
import { literals, toNormalForm, type NormalForm } from './normal-form.js';
import { parseQuery } from './query-parser.js';

/** The constraint lists of a task: its task definition revision's (named after it) and its own. */
export function constraintSources(
  revision: string,
  definition: readonly PlacementConstraint[] | undefined,
  own: readonly PlacementConstraint[] | undefined,
): ConstraintSource[] {
  return [
    { path: `${revision} spec.placementConstraints`, constraints: definition ?? [], fromTaskDefinition: true },
    { path: 'spec.placementConstraints', constraints: own ?? [] },
  ];
}

export interface UnplacedInput extends EvaluationContext {
  /** The scheduler's message of the pod's PodScheduled=False (Unschedulable) condition. */
  schedulerMessage: string;
  constraints: readonly ConstraintSource[];
  /** The Cluster's container instances. */
  nodes: readonly V1Node[];
  /** StartTask: the one instance the task may run on. */
  containerInstance?: string;
}

const NODE_AFFINITY = /node affinity\/selector/i;
const ANTI_AFFINITY = /anti-affinity/i;
const POD_AFFINITY = /pod affinity rules/i;

interface MemberOf {
  /** Where the expression is, e.g. `spec.placementConstraints[0].expression`. */
  path: string;
  text: string;
  form: NormalForm;
  /** Whether it speaks of task groups (pod affinity or evaluation on task pods). */
  groups: boolean;
}

function readConstraints(sources: readonly ConstraintSource[]) {
  const memberOf: MemberOf[] = [];
  const distinct: string[] = [];
  for (const source of sources) {
    source.constraints.forEach((constraint, index) => {
      const path = `${source.path}[${index}]`;
      if (constraint.type === 'distinctInstance') distinct.push(path);
      if (constraint.type !== 'memberOf' || constraint.expression === undefined) return;
      const parsed = parseQuery(constraint.expression);
      if (!parsed.ok) return;
      const form = toNormalForm(parsed.ast);
      const groups = literals(form).some((l) => l.condition.subject.type === 'task:group');
      memberOf.push({ path: `${path}.expression`, text: constraint.expression.trim(), form, groups });
    });
  }
  return { memberOf, distinct };
}

const quoted = (m: MemberOf) => `'${m.text}' (${m.path})`;

/** The memberOf constraints that keep every node of `candidates` out, alone or only together. */
function unmetOn(memberOf: readonly MemberOf[], candidates: readonly V1Node[], context: EvaluationContext): { alone: MemberOf[]; together: boolean } {
  const alone = memberOf.filter((m) => nodesMatchingAll([m.form], candidates, context).length === 0);
  const together =
    alone.length === 0 &&
    memberOf.length > 1 &&
    nodesMatchingAll(
      memberOf.map((m) => m.form),
      candidates,
      context,
    ).length === 0;
  return { alone, together };
}

/** Sentences that name the ECS constraints behind the scheduler's message; none when it names no constraint. */
export function unplacedReasons(input: UnplacedInput): string[] {
  const { memberOf, distinct } = readConstraints(input.constraints);
  const reasons: string[] = [];
  const message = input.schedulerMessage;
  if (NODE_AFFINITY.test(message)) {
    const named = input.containerInstance;
    const candidates = named === undefined ? input.nodes : input.nodes.filter((n) => n.metadata?.name === named);
    const subject = named === undefined ? undefined : `Container instance '${named}' (spec.containerInstance)`;
    if (input.nodes.length === 0) {
      reasons.push('The cluster has no container instances: its nodeSelector matches no node.');
    } else if (subject !== undefined && candidates.length === 0) {
      reasons.push(`${subject} is not a container instance of the cluster.`);
    } else {
      const { alone, together } = unmetOn(memberOf, candidates, input);
      for (const m of alone) {
        reasons.push(
          subject === undefined
            ? `No container instance meets the memberOf constraint ${quoted(m)}.`
            : `${subject} does not meet the memberOf constraint ${quoted(m)}.`,
        );
      }
      if (together) {
        reasons.push(
          `${subject ?? 'No container instance'} ${subject === undefined ? 'meets' : 'does not meet'} the memberOf constraints ${memberOf.map(quoted).join(' and ')} together.`,
        );
      }
    }
  }
  const groupConstraints = memberOf.filter((m) => m.groups);
  if (ANTI_AFFINITY.test(message)) {
    for (const path of distinct) {
      reasons.push(`distinctInstance (${path}): every container instance that meets the other constraints already runs a task of this service or group.`);
    }
  }
  if (ANTI_AFFINITY.test(message) || POD_AFFINITY.test(message)) {
    for (const m of groupConstraints) reasons.push(`The task group constraint ${quoted(m)} is met by no container instance that has room.`);
  }
  return reasons;
}

/** The ECS constraints behind the scheduler's message, then that message; the message alone when none is named. */
export function explainUnplaced(input: UnplacedInput): string {
  const reasons = unplacedReasons(input);
  const schedulerMessage = input.schedulerMessage.trim();
  return reasons.length === 0 ? schedulerMessage : `${reasons.join(' ')} (kube-scheduler: ${schedulerMessage})`;
}
