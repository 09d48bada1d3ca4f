// The regular expressions of placement expressions (`=~`, `!~`). They are user input evaluated on the event
// loop of the leader, so they run on RE2 (re2js): matching takes time linear in the value whatever the
// pattern, where a backtracking engine can take years on `(.*.*)*z` and freeze the process past its lease.
// RE2 refuses what it cannot match in linear time (backreferences, lookaround); such a pattern is an error.
import { RE2JS } from 're2js';

/** A compiled pattern, matching whole values as ECS patterns do, or why it does not compile. */
export type CompiledPattern = { ok: true; matches(value: string): boolean } | { ok: false; message: string };

/** Enough for every distinct pattern of a large cluster's placements; beyond it the oldest is compiled again. */
const CACHE_SIZE = 1000;
const cache = new Map<string, CompiledPattern>();

function compile(pattern: string): CompiledPattern {
  try {
    const regex = RE2JS.compile(pattern);
    // `matches` is a whole-value match: no anchors to add, and none that `a)|(b` could escape.
    return { ok: true, matches: (value) => regex.matches(value) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** `pattern` compiled once while it stays in use (the cache keeps the most recently used). */
export function compiledPattern(pattern: string): CompiledPattern {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = compile(pattern);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(pattern);
  }
  cache.set(pattern, compiled);
  return compiled;
}
