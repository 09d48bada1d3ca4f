// Runs a command against a local control plane: the one KUBECONFIG points at when it answers,
// otherwise one started for the command and stopped after it (only what this script started is stopped).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { apiServerReady, down, KUBECONFIG_PATH, loadKubeConfig, up } from '../test/cluster/cluster.js';

/** Exit code of `command args...` run with KUBECONFIG set. */
export function runWith(kubeconfig: string, command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
  return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

/** Reuses a reachable cluster (KUBECONFIG, then this checkout's), or starts one; returns a stop function. */
export async function acquireCluster(): Promise<{ kubeconfig: string; release: () => Promise<void> }> {
  for (const candidate of [process.env.KUBECONFIG, KUBECONFIG_PATH]) {
    if (candidate && existsSync(candidate) && (await apiServerReady(loadKubeConfig(candidate)))) {
      process.stderr.write(`[cluster] using the running control plane of ${candidate}\n`);
      return { kubeconfig: candidate, release: async () => undefined };
    }
  }
  const { kubeconfig } = await up();
  return { kubeconfig, release: down };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command) throw new Error('usage: with-cluster.ts COMMAND [ARGS...]');
  const cluster = await acquireCluster();
  try {
    return await runWith(cluster.kubeconfig, command, args);
  } finally {
    await cluster.release();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`[cluster] error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
