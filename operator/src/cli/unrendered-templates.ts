// Placeholders that deploy tools fill in before a file reaches ECS: CodeDeploy's `<IMAGE1_NAME>`, Go templates
// (ecspresso's `{{ must_env `TAG` }}`, gomplate), and `${name}` (Terraform templatefile, envsubst). A value that
// still holds one is not what will run, so it is an error at its field, whatever the field. Where a program reads
// the text (environment values, command, entryPoint, a health check's command), `${...}` and `<NAME>` are warnings
// and the text is kept: a shell or the application may expand or read them itself (`sh -c 'exec app --port
// ${PORT:-8000}'`, Perl's `<STDIN>`). Go templates stay errors there: ecspresso's are most at home in environment values.
import type { Issue } from '../translate/issues.js';
import { joinPath } from './documents.js';

interface PlaceholderKind {
  pattern: RegExp;
  what: string;
  /** What fills it in, for the advice. */
  tool: string;
  /** Kept with a warning where a program reads the text. */
  programMayExpand: boolean;
}

const KINDS: readonly PlaceholderKind[] = [
  { pattern: /\{\{.*?\}\}/gs, what: 'the Go template', tool: 'ecspresso render, or the tool that fills it in', programMayExpand: false },
  { pattern: /<[A-Z][A-Z0-9_]*>/g, what: 'the CodeDeploy placeholder', tool: 'CodeDeploy fills it in when it deploys', programMayExpand: true },
  { pattern: /\$\{[^}]*\}/g, what: 'the template variable', tool: 'Terraform templatefile, envsubst, or the tool that fills it in', programMayExpand: true },
];

/** Fields whose text a program reads, and may expand `${...}` in. */
const PROGRAM_TEXT = /(?:\.environment\[\d+\]\.value|\.command\[\d+\]|\.entryPoint\[\d+\])$/;

function visit(value: unknown, path: string, found: { errors: Issue[]; warnings: Issue[] }): void {
  if (Array.isArray(value)) value.forEach((item, index) => visit(item, joinPath(path, index), found));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) visit(item, joinPath(path, key), found);
  else if (typeof value === 'string') {
    for (const kind of KINDS) {
      for (const [placeholder] of value.matchAll(kind.pattern)) {
        if (kind.programMayExpand && PROGRAM_TEXT.test(path)) {
          found.warnings.push({
            path,
            message: `holds '${placeholder}', which looks like ${kind.what}, not rendered (${kind.tool}); kept as written, since the program may read it itself`,
          });
        } else {
          found.errors.push({ path, message: `holds ${kind.what} '${placeholder}', not rendered: render the file first (${kind.tool})` });
        }
      }
    }
  }
}

/** The unrendered placeholders in a manifest's string fields, at their paths (`spec.containerDefinitions[0].image`). */
export function unrenderedTemplates(manifest: unknown): { errors: Issue[]; warnings: Issue[] } {
  const found = { errors: [] as Issue[], warnings: [] as Issue[] };
  visit(manifest, '', found);
  return found;
}
