// `npm run cluster:up [-- --nodes FILE]` and `npm run cluster:down`.
import { down, up } from './cluster.js';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'up') {
    const nodesAt = rest.indexOf('--nodes');
    const nodesFile = nodesAt >= 0 ? rest[nodesAt + 1] : undefined;
    const result = await up(nodesFile ? { nodesFile } : {});
    process.stdout.write(`export KUBECONFIG=${result.kubeconfig}\n`);
  } else if (command === 'down') {
    await down();
  } else {
    throw new Error(`usage: cli.ts up [--nodes FILE] | down (got '${command ?? ''}')`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`[cluster] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
