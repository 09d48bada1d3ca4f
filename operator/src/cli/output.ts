// Kubernetes objects as YAML documents, the way kubectl reads them back: no line folding, no anchors, and strings
// such as `yes`, `on` or `0755` quoted, because kubectl's YAML 1.1 reader would take them for booleans or numbers.
import { stringify } from 'yaml';

export function toYamlDocuments(objects: readonly object[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' })).join('---\n');
}
