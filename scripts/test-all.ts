// `npm test`, in this order: type check, lint (ESLint and Prettier), unit tests, the Go build of the control plane's
// binaries (instant when cached), the control plane (reused when KUBECONFIG points at a running one, otherwise
// started here and stopped afterwards), then the end-to-end tests, then the short chaos run (CHAOS_SHORT=1, its own
// control plane in .cluster-chaos/, a few minutes). Unit tests never wait for the Go build, and it
// is done before the end-to-end tests start, so their timeouts never count it.
// Ends with one line `tests: N passed, N failed, N skipped` over every suite; lint counts as one test.
import { spawn } from 'node:child_process';
import { acquireCluster } from './with-cluster.js';

interface SuiteResult {
  code: number;
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs a command, echoing its output, and reads mocha's closing counts from it. */
function runSuite(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<SuiteResult> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}`, 'm').exec(output)?.[1] ?? 0);
  return new Promise((done) =>
    child.on('exit', (code) => done({ code: code ?? 1, passed: count('passing'), failed: count('failing'), skipped: count('pending') })),
  );
}

/** A check that is not a mocha suite (lint), counted as one test that passed or failed. */
async function runCheck(command: string, args: string[]): Promise<SuiteResult> {
  const { code } = await runSuite(command, args);
  return { code, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
}

/** Finds (or, on a cold cache, builds) the control plane's binaries, saying how long it took. */
async function buildControlPlane(): Promise<number> {
  const started = Date.now();
  const { code } = await runSuite('bash', ['test/cluster/build-binaries.sh']);
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`[build] control plane binaries ${code === 0 ? 'ready' : 'failed'} after ${seconds}s\n`);
  return code;
}

async function main(): Promise<number> {
  const results: SuiteResult[] = [];
  const typecheck = await runSuite('tsc', ['-p', 'tsconfig.json', '--noEmit']);
  if (typecheck.code !== 0) {
    process.stdout.write('\ntests: 0 passed, 1 failed, 0 skipped (type check)\n');
    return 1;
  }
  results.push(await runCheck('npm', ['run', '--silent', 'lint']));
  results.push(await runSuite('mocha', ['--config', 'test/.mocharc.unit.json']));
  if ((await buildControlPlane()) !== 0) {
    results.push({ code: 1, passed: 0, failed: 1, skipped: 0 });
    return summarize(results);
  }
  const cluster = await acquireCluster();
  try {
    results.push(await runSuite('mocha', ['--config', 'test/.mocharc.e2e.json'], { ...process.env, KUBECONFIG: cluster.kubeconfig }));
  } finally {
    await cluster.release();
  }
  // The short chaos run (a few minutes) on a control plane of its own: it restarts kube-apiserver. One test per
  // scenario plus the lease audit; it fails on any invariant violation.
  results.push(await runSuite('node', ['--import', 'tsx', 'test/chaos/run.ts'], { ...process.env, CHAOS_SHORT: '1' }));
  return summarize(results);
}

/** Prints the closing line over every suite; the exit code. */
function summarize(results: SuiteResult[]): number {
  const sum = (key: 'passed' | 'failed' | 'skipped') => results.reduce((n, r) => n + r[key], 0);
  const failed = results.some((r) => r.code !== 0);
  process.stdout.write(`\ntests: ${sum('passed')} passed, ${Math.max(sum('failed'), failed ? 1 : 0)} failed, ${sum('skipped')} skipped\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
