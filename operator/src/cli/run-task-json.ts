// RunTask input (`aws ecs run-task --cli-input-json`) → Task manifests. A Task is one ECS task run as one Pod,
// so RunTask's `count` becomes that many Task manifests, `<family>-1` to `<family>-N` (one Task is named
// `<family>`); the rest of the input is the Task spec as it is, a task definition ARN becoming family:revision.
// Fields the Task resource does not have (platformVersion, referenceId, ...) are left out with a warning by the
// loader, as for every import.
import { ECS_API_VERSION, type Task, type TaskSpec } from '../api/index.js';
import { parseTaskDefinitionReference } from '../translate/revisions.js';
import { joinPath, type SourceDocument } from './documents.js';
import { clusterResource, resourceName, taskDefinitionReference, withoutEmptyLists, type ImportedResource, type Json } from './ecs-json-common.js';
import { fail, type Problem } from './io.js';

/** RunTask's own bound on `count`. */
const MAX_COUNT = 10;

export function tasksFromRunTask(body: Json, document: SourceDocument, sourcePath: string): ImportedResource[] {
  const { taskDefinition, count = 1, cluster, ...rest } = withoutEmptyLists(body) as Json;
  const at = (key: string) => joinPath(sourcePath, key);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    return fail({ file: document.file, path: at('count') }, `must be a whole number from 1 to ${MAX_COUNT}, as RunTask takes it`);
  }
  const family = parseTaskDefinitionReference(String(taskDefinition))?.family;
  const name = resourceName(family, document, at('taskDefinition'), 'Task (after the task definition family)');
  const warnings: Problem[] = [];
  const taskCluster = clusterResource(cluster, document, at('cluster'), warnings);
  const spec = JSON.parse(
    JSON.stringify({
      ...(taskCluster === undefined ? {} : { cluster: taskCluster }),
      taskDefinition: taskDefinitionReference(taskDefinition),
      ...rest,
    }),
  ) as TaskSpec;
  const names = count === 1 ? [name] : Array.from({ length: count }, (_, index) => `${name}-${index + 1}`);
  return names.map((taskName, index): ImportedResource => ({
    manifest: { apiVersion: ECS_API_VERSION, kind: 'Task', metadata: { name: taskName }, spec: structuredClone(spec) } satisfies Task,
    sourcePath,
    // The warnings about the input are said once, not once per Task.
    warnings: index === 0 ? warnings : [],
  }));
}
