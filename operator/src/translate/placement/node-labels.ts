// Where ECS container instance facts live on a Kubernetes Node: the node label of each ECS attribute,
// the value spelling of the labels that differ from ECS, and the label value of a task group.
import { ECS_GROUP } from '../../api/meta.js';
import { shortHash } from '../hash.js';
import { isLabelKey, isLabelValue, toLabelValue } from '../names.js';

/** Well-known node labels the kubelet and cloud providers set. */
export const NODE_LABELS = {
  hostname: 'kubernetes.io/hostname',
  zone: 'topology.kubernetes.io/zone',
  instanceType: 'node.kubernetes.io/instance-type',
  os: 'kubernetes.io/os',
  arch: 'kubernetes.io/arch',
} as const;

/** Prefix of the labels that carry ECS built-in attributes Kubernetes has no well-known label for. */
export const ATTRIBUTE_LABEL_PREFIX = `${ECS_GROUP}/`;
/** Prefix for custom attributes whose name is not a label key by itself. */
export const CUSTOM_ATTRIBUTE_LABEL_PREFIX = `attribute.${ECS_GROUP}/`;

/** The node label of each ECS built-in attribute. */
export const BUILTIN_ATTRIBUTE_LABELS: Readonly<Record<string, string>> = {
  'ecs.availability-zone': NODE_LABELS.zone,
  'ecs.instance-type': NODE_LABELS.instanceType,
  'ecs.os-type': NODE_LABELS.os,
  'ecs.cpu-architecture': NODE_LABELS.arch,
  'ecs.os-family': `${ATTRIBUTE_LABEL_PREFIX}os-family`,
  'ecs.ami-id': `${ATTRIBUTE_LABEL_PREFIX}ami-id`,
  'ecs.vpc-id': `${ATTRIBUTE_LABEL_PREFIX}vpc-id`,
  'ecs.subnet-id': `${ATTRIBUTE_LABEL_PREFIX}subnet-id`,
};

/** ECS attribute values spelled differently in the node label (ECS value → label value). */
const LABEL_VALUE_SPELLINGS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'ecs.cpu-architecture',
    new Map([
      ['x86_64', 'amd64'],
      ['arm64', 'arm64'],
    ]),
  ],
]);

export type LabelKeyResult = { ok: true; key: string } | { ok: false; message: string };

/**
 * The node label that holds attribute `name`. In order: the Cluster's `attributeLabels`, the built-in
 * mapping, the name itself when it is a label key, `attribute.ecs.operator.dev/NAME` (with `/` as `.`).
 */
export function attributeLabelKey(name: string, attributeLabels: Readonly<Record<string, string>> = {}): LabelKeyResult {
  const mapped = Object.hasOwn(attributeLabels, name) ? attributeLabels[name] : undefined;
  if (mapped !== undefined) {
    return isLabelKey(mapped)
      ? { ok: true, key: mapped }
      : { ok: false, message: `the Cluster maps attribute '${name}' to '${mapped}', which is not a valid label key` };
  }
  const builtin = Object.hasOwn(BUILTIN_ATTRIBUTE_LABELS, name) ? BUILTIN_ATTRIBUTE_LABELS[name] : undefined;
  if (builtin !== undefined) return { ok: true, key: builtin };
  if (isLabelKey(name)) return { ok: true, key: name };
  const prefixed = `${CUSTOM_ATTRIBUTE_LABEL_PREFIX}${name.replaceAll('/', '.')}`;
  if (isLabelKey(prefixed)) return { ok: true, key: prefixed };
  return {
    ok: false,
    message: `attribute '${name}' cannot be a node label key (at most 63 characters, starting and ending with a letter or digit); map it to a label in the Cluster's spec.attributeLabels`,
  };
}

/** The label value that stands for ECS attribute value `value` (e.g. x86_64 → amd64 for the CPU architecture). */
export function attributeLabelValue(name: string, value: string): string {
  return LABEL_VALUE_SPELLINGS.get(name)?.get(value) ?? value;
}

/** The ECS attribute value a node label value stands for (amd64 → x86_64 for the CPU architecture). */
export function attributeValueOfLabel(name: string, labelValue: string): string {
  const spellings = [...(LABEL_VALUE_SPELLINGS.get(name) ?? [])];
  return spellings.find(([, spelled]) => spelled === labelValue)?.[0] ?? labelValue;
}

/**
 * The label value of an ECS task group, for `LABELS.group`. `:` becomes `.` (`service:web` →
 * `service.web`); a group that is still no label value is sanitised, cut and suffixed with a hash
 * of the original, so that distinct groups stay distinct. The original text belongs in the
 * `ANNOTATIONS.group` annotation whenever the two differ.
 */
export function groupLabelValue(group: string): string {
  const dotted = group.replaceAll(':', '.');
  if (isLabelValue(dotted)) return dotted;
  const hash = shortHash(group, 8);
  const base = toLabelValue(dotted)
    .slice(0, 63 - hash.length - 1)
    .replace(/[^A-Za-z0-9]+$/, '');
  return base === '' ? hash : `${base}-${hash}`;
}
