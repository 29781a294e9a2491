import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions by stage name, continuation lines joined, comments dropped. */
function stagesOf(dockerfile: string): Map<string, Instruction[]> {
  const stages = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  const logical = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op === 'FROM') {
      current = [];
      stages.set(/\sAS\s+(\S+)$/i.exec(args!)![1]!, current);
    } else {
      current?.push({ op: op!, args: args! });
    }
  }
  return stages;
}

/** The build context as `docker build .` would send it: the checkout's files less .dockerignore's. */
function buildContext(into: string): void {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim().replace(/^\*\*\//, ''))
    .filter(Boolean);
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean)
    .filter(
      (file) => !file.split('/').some((part, i, parts) => ignored.includes(part) || ignored.includes(parts.slice(0, i + 1).join('/'))),
    );
  for (const file of files) {
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(into, file), { force: true, errorOnExist: false });
  }
}

describe('the Dockerfile', () => {
  const stages = stagesOf(readFileSync(path.join(ROOT, 'infra/Dockerfile'), 'utf8'));

  it('gives both images a health check', () => {
    for (const target of ['api', 'worker']) {
      expect(stages.get(target)?.some((step) => step.op === 'HEALTHCHECK' && step.args.includes('/healthz'))).toBe(true);
    }
  });

  // There is no Docker engine here: its dependency and build stages are replayed in a
  // clean folder instead, COPY by COPY and RUN by RUN, with the machine's pnpm store
  // standing in for the registry. A workspace package the steps forget fails here.
  it(
    'installs and typechecks from a clean folder, as its build stages do',
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-dockerfile-'));
      try {
        const context = path.join(dir, 'context');
        const app = path.join(dir, 'app');
        mkdirSync(app);
        buildContext(context);
        for (const stage of ['deps', 'build']) {
          for (const step of stages.get(stage)!) {
            if (step.op === 'COPY') {
              const parts = step.args.split(/\s+/);
              const destination = path.join(app, parts.pop()!);
              for (const source of parts) {
                const target = source === '.' ? destination : path.join(destination, path.basename(source));
                cpSync(path.join(context, source), target, { recursive: true });
              }
            } else if (step.op === 'RUN') {
              execFileSync('sh', ['-c', step.args], { cwd: app, env: { ...process.env, CI: 'true' }, stdio: 'pipe' });
            }
          }
        }
        // What the runtime image runs must be there after the prune.
        for (const entry of ['apps/api/src/main.ts', 'apps/worker/src/main.ts', 'node_modules/.modules.yaml']) {
          expect(() => readFileSync(path.join(app, entry))).not.toThrow();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    10 * 60_000,
  );
});
