// Files of the Helm chart and the Argo CD example that are copies or renderings of a single source elsewhere in
// the repository. `npm run chart:sync` (all) or `npm run chart:sync-crds` (the CRDs only) writes them; unit
// tests compare them with what is committed, so they never drift.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { kubeSchedulerConfiguration } from '../operator/src/translate/placement/scheduler-profiles.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_DIR = join(REPO_ROOT, 'charts/ecs-operator');
export const ARGOCD_DIR = join(REPO_ROOT, 'argocd/resource_customizations/ecs.operator.dev');
export const ECS_KINDS = ['Cluster', 'TaskDefinition', 'Task', 'Service', 'ScheduledTask'] as const;

/** A generated file: its path relative to the repository and its whole content. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** A group of generated files; `owns` is a folder it generates wholly (any other file there is stale). */
interface GeneratedSet {
  files: GeneratedFile[];
  owns?: string;
}

const GENERATED_HEADER = (source: string, comment = '#') => `${comment} Generated from ${source} by \`npm run chart:sync\`; do not edit.\n`;

/** The chart's crds/ holds the top-level crds/ byte for byte. */
function crdFiles(): GeneratedSet {
  const source = join(REPO_ROOT, 'crds');
  const files = readdirSync(source)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ path: `charts/ecs-operator/crds/${name}`, content: readFileSync(join(source, name), 'utf8') }));
  return { files, owns: 'charts/ecs-operator/crds' };
}

/** The second scheduler's configuration: the operator's profiles, without a default profile. */
function schedulerFiles(): GeneratedSet {
  const content =
    GENERATED_HEADER('operator/src/translate/placement/scheduler-profiles.ts') +
    stringify(kubeSchedulerConfiguration({ includeDefaultProfile: false }), { aliasDuplicateObjects: false });
  return { files: [{ path: 'charts/ecs-operator/files/scheduler-profiles.yaml', content }] };
}

/** argocd-cm keys of Argo CD's health customizations: `resource.customizations.health.<group>_<kind>`. */
export function argocdHealthKey(kind: string): string {
  return `resource.customizations.health.ecs.operator.dev_${kind}`;
}

/**
 * Each kind's health.lua in Argo CD's layout: the shared functions (argocd/health/common.lua) and the kind's
 * rules (argocd/health/<Kind>.lua) in one script, since Argo CD runs each on its own; and the argocd-cm patch
 * that installs them.
 */
function argocdFiles(): GeneratedSet {
  const source = (name: string) => readFileSync(join(REPO_ROOT, 'argocd/health', name), 'utf8');
  const common = source('common.lua');
  const scripts = ECS_KINDS.map((kind) => {
    // The kind's opening comment (its rules) first, then the shared functions it calls, then its code.
    const [, rules = '', code = ''] = /^((?:--.*\n)*)([\s\S]*)$/.exec(source(`${kind}.lua`)) ?? [];
    return {
      kind,
      path: `argocd/resource_customizations/ecs.operator.dev/${kind}/health.lua`,
      content: `${GENERATED_HEADER(`argocd/health/${kind}.lua and common.lua`, '--')}${rules}\n${common}\n${code}`,
    };
  });
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    data: Object.fromEntries(scripts.map((script) => [argocdHealthKey(script.kind), script.content])),
  };
  const patch =
    GENERATED_HEADER('argocd/health/') +
    "# Merge into Argo CD's argocd-cm, e.g. kubectl -n argocd patch configmap argocd-cm --patch-file examples/argocd/argocd-cm-patch.yaml\n" +
    stringify(configMap, { lineWidth: 0 });
  return { files: [...scripts.map(({ path, content }) => ({ path, content })), { path: 'examples/argocd/argocd-cm-patch.yaml', content: patch }] };
}

/** Every set by name, computed when asked for (so a set's sources need exist only when it is synced). */
export const GENERATED = { crds: crdFiles, scheduler: schedulerFiles, argocd: argocdFiles } satisfies Record<string, () => GeneratedSet>;
export type GeneratedSetName = keyof typeof GENERATED;

/** Writes the sets named and removes stale files from the folders they own. */
function sync(names: GeneratedSetName[]): void {
  for (const name of names) {
    const { files, owns } = GENERATED[name]();
    if (owns) {
      const folder = join(REPO_ROOT, owns);
      mkdirSync(folder, { recursive: true });
      const wanted = new Set(files.map((file) => join(REPO_ROOT, file.path)));
      for (const entry of readdirSync(folder)) if (!wanted.has(join(folder, entry))) rmSync(join(folder, entry));
    }
    for (const file of files) {
      mkdirSync(dirname(join(REPO_ROOT, file.path)), { recursive: true });
      writeFileSync(join(REPO_ROOT, file.path), file.content);
    }
    process.stdout.write(`${name}: ${files.map((file) => file.path).join(', ')}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const known = Object.keys(GENERATED);
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`sync-packaging: unknown set ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
    process.exit(2);
  }
  sync((asked.length > 0 ? asked : known) as GeneratedSetName[]);
}
