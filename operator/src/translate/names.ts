// Kubernetes name and label syntax, and the rules that turn ECS names (which allow `_`, capitals and
// 255 characters) into it. Names too long are cut and given a hash of the original, so two long names
// that share a prefix stay distinct.
import { shortHash } from './hash.js';

const DNS_LABEL_MAX = 63;
const DNS_SUBDOMAIN_MAX = 253;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Cuts `name` to `max` characters, keeping it unique with a hash of `original`. */
function fitLength(name: string, original: string, max: number): string {
  if (name.length <= max) return name;
  const hash = shortHash(original, 8);
  return `${name.slice(0, max - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * DNS-1123 label (container, volume and port-less object names): lower case; every run of characters
 * other than `a-z`, `0-9` becomes `-`; leading and trailing `-` removed; at most 63 characters.
 * Empty when nothing usable is left.
 */
export function toDnsLabel(text: string): string {
  return toShortDnsLabel(text, DNS_LABEL_MAX);
}

/** A DNS label as `toDnsLabel` makes it, of at most `max` characters: room for a suffix the caller adds. */
export function toShortDnsLabel(text: string, max: number): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return fitLength(label, text, max);
}

/** DNS-1123 subdomain (Secret, ConfigMap, ServiceAccount names): dot-separated DNS labels, at most 253 characters. */
export function toDnsSubdomain(text: string): string {
  const parts = text.split('.').map((part) =>
    part
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, ''),
  );
  return fitLength(parts.filter((part) => part !== '').join('.'), text, DNS_SUBDOMAIN_MAX);
}

/** A label or annotation key: optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  if (name.length > DNS_LABEL_MAX || !LABEL_NAME.test(name)) return false;
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  return prefix.length <= DNS_SUBDOMAIN_MAX && toDnsSubdomain(prefix) === prefix;
}

/** A label value: empty, or at most 63 of `[-A-Za-z0-9_.]` starting and ending with a letter or digit. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= DNS_LABEL_MAX && LABEL_NAME.test(value));
}

/** A label value made from any text: other characters become `-`, ends trimmed, at most 63 characters. */
export function toLabelValue(text: string): string {
  const value = text.replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return fitLength(value, text, DNS_LABEL_MAX);
}

/** An IANA service name, as container port names must be: at most 15 of `a-z0-9-`, a letter, no `--`. */
export function isPortName(name: string): boolean {
  return name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}
