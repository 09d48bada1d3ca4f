// Problems found while checking or translating a task definition. Every one names the field it is
// about, as a path from the resource (`spec.containerDefinitions[1].memory`), so that a user can find it.

export interface Issue {
  path: string;
  message: string;
}

/** Collects warnings (translated with a compromise) and errors (not translatable) in the order found. */
export class IssueLog {
  readonly warnings: Issue[] = [];
  readonly errors: Issue[] = [];

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}

export const SPEC_PATH = 'spec';

export function containerPath(index: number): string {
  return `${SPEC_PATH}.containerDefinitions[${index}]`;
}

export function volumePath(index: number): string {
  return `${SPEC_PATH}.volumes[${index}]`;
}

/** `base["key"]`: map keys may hold dots, so they are quoted rather than joined with `.`. */
export function keyPath(base: string, key: string): string {
  return `${base}[${JSON.stringify(key)}]`;
}
