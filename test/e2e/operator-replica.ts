// One real `bin/ecs-operator run` process with leader election, as a replica of the chart's Deployment runs:
// the high-availability test and the chaos run start, kill and freeze these.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../cluster/cluster.js';

export interface ReplicaOptions {
  /** The replica's leader-election identity (its POD_NAME). */
  identity: string;
  kubeconfig: string;
  /** The one namespace it watches. */
  namespace: string;
  lease: { namespace: string; name: string };
  /** Its stdout and stderr are appended to `<logDir>/<identity>.log`. */
  logDir: string;
  extraArgs?: string[];
}

/** `bin/ecs-operator run`'s arguments for one watched namespace, serving /metrics and /readyz at `metricsAddr`. */
export function operatorRunArgs(kubeconfig: string, namespace: string, metricsAddr: string): string[] {
  return ['run', '--kubeconfig', kubeconfig, '--namespace', namespace, '--metrics-addr', metricsAddr];
}

/** Starts the replica; bin/ecs-operator execs node, so the child's pid is the operator's own process. */
export function startReplica(options: ReplicaOptions): ChildProcess {
  const log = openSync(join(options.logDir, `${options.identity}.log`), 'a');
  const child = spawn(
    join(REPO_ROOT, 'bin/ecs-operator'),
    [
      ...operatorRunArgs(options.kubeconfig, options.namespace, '127.0.0.1:0'),
      '--leader-elect',
      '--leader-election-namespace',
      options.lease.namespace,
      '--leader-election-id',
      options.lease.name,
      ...(options.extraArgs ?? []),
    ],
    { env: { ...process.env, POD_NAME: options.identity }, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  return child;
}
