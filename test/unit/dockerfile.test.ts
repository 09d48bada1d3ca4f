// The image cannot be built here (no container engine), so this checks the Dockerfile as far as the machine
// allows: its shape (stages, base images, non-root user, no devDependencies in the final stage, the entrypoint),
// that the build context it relies on is not ignored, and then does what each stage does on the project's
// Node.js: `npm run build`, `npm ci --omit=dev`, and the entrypoint's --help.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { NODE_FLAGS } from '../../operator/src/cli/node-flags.js';
import { REPO_ROOT } from '../../scripts/sync-packaging.js';

const run = promisify(execFile);

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, continuation lines joined, keywords upper-cased. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages in order, with global ARG defaults substituted into FROM. */
function stages(list: Instruction[]): Stage[] {
  const args = new Map<string, string>();
  const result: Stage[] = [];
  for (const { keyword, args: text } of list) {
    if (keyword === 'FROM') {
      const [image = '', as, name] = text.split(/\s+/);
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get(a ?? b ?? '') ?? '');
      result.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (result.length === 0 && keyword === 'ARG') {
      const [key = '', value = ''] = text.split('=', 2);
      args.set(key, value);
    } else {
      result.at(-1)?.instructions.push({ keyword, args: text });
    }
  }
  return result;
}

const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** The regular expression of each wildcard of a .dockerignore pattern. */
const WILDCARDS: Record<string, string> = { '**': '.*', '*': '[^/]*', '?': '[^/]' };

/** Docker's .dockerignore: the last pattern matching a path or one of its parent folders decides. */
function dockerIgnored(patterns: string[], path: string): boolean {
  const segments = path.split('/');
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*|\*|\?/g, (wildcard) => WILDCARDS[wildcard] ?? '')}$`);
    const matches = segments.some((_, index) => regex.test(segments.slice(0, index + 1).join('/')));
    if (matches) ignored = !negated;
  }
  return ignored;
}

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const dockerfile = stages(instructions(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')));
const build = dockerfile[0]!;
const runtime = dockerfile.at(-1)!;
const ENTRYPOINT_FILE = 'dist/operator/src/cli/main.js';

describe('Dockerfile', () => {
  it('has a build stage and a separate runtime stage, both on the Node.js release the project pins', () => {
    expect(dockerfile).to.have.length(2);
    const pinned = packageJson.dependencies.node;
    expect(pinned, 'package.json pins Node.js through the "node" dependency').to.match(/^24\./);
    expect(build.image).to.equal(`node:${pinned}`);
    expect(runtime.image).to.equal(`node:${pinned}-slim`);
    expect(build.name).to.equal('build');
  });

  it('build stage: installs every dependency from the lock file and runs npm run build', () => {
    const runs = argsOf(build, 'RUN');
    expect(runs.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).to.equal(true);
    expect(runs).to.include('npm run build');
    expect(packageJson.scripts.build).to.match(/^tsc -p tsconfig\.json$/);
  });

  it('runtime stage: production dependencies only, the compiled operator, the CRDs and nothing else from the build', () => {
    const runs = argsOf(runtime, 'RUN');
    expect(runs.some((r) => /^npm ci\b.*--omit=dev/.test(r))).to.equal(true);
    const fromBuild = argsOf(runtime, 'COPY').filter((c) => c.startsWith('--from='));
    // node_modules of the build stage hold devDependencies; only dist/ may come across.
    expect(fromBuild).to.deep.equal(['--from=build /app/dist/operator ./dist/operator']);
    expect(argsOf(runtime, 'COPY')).to.include('crds ./crds');
    expect(argsOf(runtime, 'ENV')).to.include('NODE_ENV=production');
  });

  it('runs as a numeric non-root user, which runAsNonRoot can verify', () => {
    const users = argsOf(runtime, 'USER');
    expect(users).to.have.length(1);
    const [uid, gid] = users[0]!.split(':').map(Number);
    expect(uid).to.be.a('number').and.greaterThan(0);
    if (gid !== undefined) expect(gid).to.be.greaterThan(0);
    const chart = readFileSync(join(REPO_ROOT, 'charts/ecs-operator/values.yaml'), 'utf8');
    expect(chart, "the chart's podSecurityContext runs as the image's user").to.include(`runAsUser: ${uid}`);
  });

  it('starts the CLI that npm run build produces, running the operator by default', () => {
    expect(argsOf(runtime, 'ENTRYPOINT').map((e) => JSON.parse(e) as unknown)).to.deep.equal([['node', ...NODE_FLAGS, ENTRYPOINT_FILE]]);
    // bin/ecs-operator runs with the same flags.
    const launcher = readFileSync(join(REPO_ROOT, 'bin/ecs-operator'), 'utf8');
    expect(/^flags=\((.*)\)$/m.exec(launcher)?.[1]?.split(' ')).to.deep.equal([...NODE_FLAGS]);
    expect(argsOf(runtime, 'CMD').map((e) => JSON.parse(e) as unknown)).to.deep.equal([['run']]);
    expect(argsOf(runtime, 'WORKDIR')).to.deep.equal(['/app']);
  });

  it('.dockerignore keeps the sources the stages copy and leaves out node_modules, dist and local state', () => {
    const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const copied = dockerfile
      .flatMap((stage) => argsOf(stage, 'COPY'))
      .filter((c) => !c.startsWith('--from='))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(copied).to.include.members(['package.json', 'package-lock.json', 'tsconfig.json', 'operator', 'crds']);
    for (const path of [...copied, 'operator/src/cli/main.ts', 'crds/ecs.operator.dev_tasks.yaml']) {
      expect(dockerIgnored(patterns, path), `${path} must reach the build context`).to.equal(false);
    }
    for (const path of [
      'node_modules',
      'node_modules/mocha/package.json',
      'dist/operator/src/cli/main.js',
      '.cluster/kubeconfig',
      '.git/HEAD',
      'test/unit/dockerfile.test.ts',
    ]) {
      expect(dockerIgnored(patterns, path), `${path} must stay out of the build context`).to.equal(true);
    }
  });

  describe('what the stages run, on this machine', function () {
    this.timeout(300_000);
    let work: string;
    // npm and the compiled CLI run on the project's Node.js (the one running this test), not the machine's.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };

    before(() => {
      work = mkdtempSync(join(tmpdir(), 'ecs-operator-image-'));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('npm run build compiles the entrypoint', async () => {
      // The build stage's command, writing into the image layout here rather than into the checkout's dist/.
      await run('npm', ['run', 'build', '--', '--outDir', join(work, 'dist')], { cwd: REPO_ROOT, env, maxBuffer: 16 << 20 });
      expect(existsSync(join(work, ENTRYPOINT_FILE)), `${ENTRYPOINT_FILE} after npm run build`).to.equal(true);
    });

    it('npm ci --omit=dev installs no devDependency, and the entrypoint starts with them alone', async () => {
      for (const file of ['package.json', 'package-lock.json']) cpSync(join(REPO_ROOT, file), join(work, file));
      cpSync(join(REPO_ROOT, 'crds'), join(work, 'crds'), { recursive: true });
      const install = argsOf(runtime, 'RUN')
        .find((r) => r.startsWith('npm ci'))!
        .split('&&')[0]!
        .trim()
        .split(/\s+/)
        .slice(1);
      await run('npm', [...install, '--prefer-offline'], { cwd: work, env, maxBuffer: 16 << 20 });
      // The lock file marks what only devDependencies need (some of those, like @types/node, production needs too).
      const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
      const devOnly = Object.entries(lock.packages)
        .filter(([path, entry]) => path && entry.dev)
        .map(([path]) => path);
      expect(devOnly).to.include.members(['node_modules/mocha', 'node_modules/typescript', 'node_modules/tsx']);
      expect(
        devOnly.filter((path) => existsSync(join(work, path))),
        'dev-only packages in the runtime stage',
      ).to.deep.equal([]);
      const { stdout } = await run(process.execPath, [ENTRYPOINT_FILE, '--help'], { cwd: work, env: { ...env, NODE_ENV: 'production' } });
      expect(stdout).to.match(/^Usage: ecs-operator/);
      expect(stdout).to.match(/^\s+run\b/m);
      const version = await run(process.execPath, [ENTRYPOINT_FILE, '--version'], { cwd: work });
      expect(version.stdout.trim()).to.equal((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    });
  });
});
