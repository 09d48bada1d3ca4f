// Kubernetes objects as YAML documents, the way kubectl reads them back: no line folding, no anchors.
import { stringify } from 'yaml';

export function toYamlDocuments(objects: readonly object[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
