// Application Auto Scaling JSON: what `aws application-autoscaling describe-scalable-targets`,
// `describe-scaling-policies` and `describe-scheduled-actions` print, and RegisterScalableTarget, PutScalingPolicy
// and PutScheduledAction input files. Targets and policies are collected from all input files, because AWS prints
// them separately; translate/autoscaling.ts pairs them by ResourceId.
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { horizontalPodAutoscalers, type AutoScalingInput, type Located } from '../translate/autoscaling.js';
import { joinPath, type SourceDocument } from './documents.js';
import { fail, InputError, warn, type CliIO } from './io.js';

type Json = Record<string, unknown>;

const LISTS = { ScalableTargets: 'targets', ScalingPolicies: 'policies', ScheduledActions: 'scheduledActions' } as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Which kind of Application Auto Scaling object a bare input file holds, if any. */
function inputKind(value: Json): keyof AutoScalingInput | undefined {
  if ('ScheduledActionName' in value) return 'scheduledActions';
  if ('PolicyName' in value && 'ResourceId' in value) return 'policies';
  if ('ResourceId' in value && ('MinCapacity' in value || 'MaxCapacity' in value || 'ScalableDimension' in value)) return 'targets';
  return undefined;
}

/** Whether a document is Application Auto Scaling JSON rather than ECS JSON. */
export function isAutoScalingJson(value: unknown): boolean {
  return isObject(value) && (Object.keys(LISTS).some((key) => key in value) || inputKind(value) !== undefined);
}

export function emptyAutoScalingInput(): AutoScalingInput {
  return { targets: [], policies: [], scheduledActions: [] };
}

/** Adds the objects of `document` to `into`; paths are those of the document (`ScalingPolicies[1]`). */
export function readAutoScalingJson(document: SourceDocument, into: AutoScalingInput): void {
  const value = document.value as Json;
  for (const [key, kind] of Object.entries(LISTS)) {
    if (!(key in value)) continue;
    const listPath = joinPath(document.path, key);
    const list = value[key];
    if (!Array.isArray(list)) fail({ file: document.file, path: listPath }, 'expected a list');
    list.forEach((item: unknown, index) => {
      const path = joinPath(listPath, index);
      if (!isObject(item)) fail({ file: document.file, path }, 'expected an object');
      into[kind].push({ value: item, file: document.file, path } satisfies Located);
    });
  }
  const kind = inputKind(value);
  if (kind) into[kind].push({ value, file: document.file, path: document.path });
}

/** The HorizontalPodAutoscalers of `input` in `namespace` (if given). Warnings go to stderr; errors throw an InputError. */
export function autoscalersOf(io: CliIO, input: AutoScalingInput, namespace: string | undefined): V2HorizontalPodAutoscaler[] {
  const { autoscalers, warnings, errors } = horizontalPodAutoscalers(input);
  for (const { file, path, message } of warnings) warn(io, { file, ...(path ? { path } : {}), message });
  if (errors.length > 0) throw new InputError(errors.map(({ file, path, message }) => ({ file, ...(path ? { path } : {}), message })));
  return namespace ? autoscalers.map((hpa) => ({ ...hpa, metadata: { ...hpa.metadata, namespace } })) : autoscalers;
}
