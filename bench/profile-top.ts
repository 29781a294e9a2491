/**
 * The top items of the V8 CPU profiles that `pnpm bench:throughput --profile DIR` writes,
 * counted only over the load (the window that bench prints), in CPU milliseconds per
 * ask: for each process, its busiest functions by self time, and its time by owner (a
 * package of ours, a dependency, or V8 itself: GC, idle).
 *
 *   pnpm bench:profile-top DIR --from µs --to µs --asks N [--top 15]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
    asks: { type: 'string', default: '1' },
    top: { type: 'string', default: '15' },
  },
});

/** Where a frame's code comes from: a dependency by package name, our code by workspace folder, else V8's own. */
function owner(frame: CallFrame): string {
  const dependency = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (dependency) return dependency[1]!;
  const ours = /\/((?:apps|packages)\/[^/]+)\//.exec(frame.url);
  if (ours) return ours[1]!;
  if (frame.url.startsWith('node:')) return 'node';
  return frame.functionName.startsWith('(') ? frame.functionName : 'native';
}

function where(frame: CallFrame): string {
  const file = frame.url.replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/(apps|packages)\//, '$1/');
  const name = frame.functionName || '(anonymous)';
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
}

function summarise(file: string, from: number, to: number, asks: number, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id)!;
    total += delta;
    self.set(where(frame), (self.get(where(frame)) ?? 0) + delta);
    owners.set(owner(frame), (owners.get(owner(frame)) ?? 0) + delta);
  });
  const idle = self.get('(idle)') ?? 0;
  // A supervisor, or a process that sat out the load: nothing to show.
  if (total - idle < total / 100) return;
  const perAsk = (micros: number) => `${(micros / 1000 / asks).toFixed(3).padStart(7)} ms`;
  console.log(`\n${path.basename(file)}: ${perAsk(total - idle)} busy per ask`);
  const busiest = (map: Map<string, number>) => [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
  console.log('  by owner:');
  for (const [name, micros] of busiest(owners).slice(0, top)) console.log(`    ${perAsk(micros)}  ${name}`);
  console.log('  by function (self time):');
  for (const [name, micros] of busiest(self).slice(0, top)) console.log(`    ${perAsk(micros)}  ${name}`);
}

const dir = positionals[0];
if (!dir) {
  console.error('usage: pnpm bench:profile-top DIR --from µs --to µs --asks N [--top 15]');
  process.exit(2);
}
// A process's main thread writes `….0.001.cpuprofile`; any other thread of it (a worker thread, or the loader thread of tsx's ESM mode, which the processes no longer run) the others.
for (const name of readdirSync(dir).filter((file) => file.endsWith('.0.001.cpuprofile'))) {
  summarise(path.join(dir, name), Number(values.from), Number(values.to), Number(values.asks), Number(values.top));
}
