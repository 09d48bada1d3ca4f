// client-go's HandleCrash for the code informers call back into: a handler that throws on one object (a
// custom resource without the field it reads, say) must cost that object's event for that handler only. Left
// unguarded, the throw unwinds into the informer's list or watch loop, becomes an unhandled rejection, and
// ends the process; and since the object is still there at the next start's first list, so does every restart.
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectKey } from './keys.js';

/**
 * `handler` made safe to call: a throw is passed to `onCrash` with the (first) object's key, and undefined
 * returned. Further arguments (an update's old object) are passed on.
 */
export function handleCrash<T extends KubernetesObject, R, A extends unknown[] = []>(
  handler: (obj: T, ...rest: A) => R,
  onCrash: (error: unknown, key: string) => void,
): (obj: T, ...rest: A) => R | undefined {
  return (obj, ...rest) => {
    try {
      return handler(obj, ...rest);
    } catch (error) {
      onCrash(error, objectKey(obj));
      return undefined;
    }
  };
}

/** Log fields for a handler's throw: the stack says which handler, the message what went wrong. */
export function crashFields(error: unknown): { stack?: string } {
  return error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {};
}
