/**
 * `npx tsx packages/demo/src/cli.ts [--dir DIR] [--count N] [--seed S] [--force]`:
 * creates the demo warehouses that are missing (all of them with --force).
 */
import path from 'node:path';
import { createDemoWarehouses, DEFAULT_BUCKET_COUNT, DEFAULT_SEED } from './index';

const USAGE = `Usage: npx tsx packages/demo/src/cli.ts [--dir DIR] [--count N] [--seed S] [--force]

Creates one deterministic demo DuckDB warehouse per bucket in DIR, skipping files that exist.

  --dir DIR     target folder (default: $FLOCK_WAREHOUSE_DIR or ./data/warehouses)
  --count N     number of buckets, a positive whole number (default: ${DEFAULT_BUCKET_COUNT})
  --seed S      seed for all generated data, a whole number (default: ${DEFAULT_SEED})
  --force       recreate files that already exist
  --help        show this help`;

/** How often a progress line is printed, in buckets. */
const PROGRESS_EVERY = 25;
/** Buckets are named after words; beyond this the generator is not meant to go. */
const MAX_COUNT = 100_000;

class UsageError extends Error {}

interface CliArgs {
  dir: string;
  count: number;
  seed: number;
  force: boolean;
  help: boolean;
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be between ${min} and ${max}, got ${text}`);
  }
  return value;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    dir: process.env.FLOCK_WAREHOUSE_DIR || './data/warehouses',
    count: DEFAULT_BUCKET_COUNT,
    seed: DEFAULT_SEED,
    force: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '' || (inline === undefined && next.startsWith('--'))) {
        throw new UsageError(`${flag} needs a value`);
      }
      return next;
    };
    switch (flag) {
      case '--dir':
        args.dir = value();
        break;
      case '--count':
        args.count = wholeNumber('--count', value(), 1, MAX_COUNT);
        break;
      case '--seed':
        args.seed = wholeNumber('--seed', value(), -(2 ** 31), 2 ** 32 - 1);
        break;
      case '--force':
        if (inline !== undefined) throw new UsageError('--force takes no value');
        args.force = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    }
  }
  return args;
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`demo: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  const dir = path.resolve(args.dir);
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  let done = 0;
  const summary = await createDemoWarehouses({
    dir,
    count: args.count,
    seed: args.seed,
    force: args.force,
    onBucket: () => {
      done++;
      if (done % PROGRESS_EVERY === 0 && done < args.count) console.log(`demo: ${done}/${args.count} buckets (${elapsed()} s)`);
    },
  });
  console.log(
    `demo: ${summary.buckets.length} buckets in ${dir}: ${summary.created.length} created, ${summary.existing.length} already there, seed ${args.seed}, ${elapsed()} s`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo: failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
