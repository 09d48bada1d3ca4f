// `npm test`: type check, unit tests, then end-to-end tests against a local control plane
// (reused when KUBECONFIG points at a running one, otherwise started here and stopped afterwards).
// Ends with one line `tests: N passed, N failed, N skipped` over every suite.
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
    child.on('exit', (code) =>
      done({ code: code ?? 1, passed: count('passing'), failed: count('failing'), skipped: count('pending') }),
    ),
  );
}

async function main(): Promise<number> {
  const results: SuiteResult[] = [];
  const typecheck = await runSuite('tsc', ['-p', 'tsconfig.json', '--noEmit']);
  if (typecheck.code !== 0) {
    process.stdout.write('\ntests: 0 passed, 1 failed (type check)\n');
    return 1;
  }
  results.push(await runSuite('mocha', ['--config', 'test/.mocharc.unit.json']));
  const cluster = await acquireCluster();
  try {
    results.push(await runSuite('mocha', ['--config', 'test/.mocharc.e2e.json'], { ...process.env, KUBECONFIG: cluster.kubeconfig }));
  } finally {
    await cluster.release();
  }
  const sum = (key: 'passed' | 'failed' | 'skipped') => results.reduce((n, r) => n + r[key], 0);
  const failed = results.some((r) => r.code !== 0);
  process.stdout.write(`\ntests: ${sum('passed')} passed, ${Math.max(sum('failed'), failed ? 1 : 0)} failed, ${sum('skipped')} skipped\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
