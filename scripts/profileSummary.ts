// Sums the self time of a V8 .cpuprofile (node --cpu-prof; `tsx scripts/bench.ts --profile <dir>`) by
// package and by function, so a profile can be read without a browser.
//
//   tsx scripts/profileSummary.ts <file.cpuprofile> [top=25] [--callers <function name or package>]
// --callers lists the call paths (four frames up) that spend the self time of what it names.
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const argv = process.argv.slice(2);
const callersIndex = argv.indexOf('--callers');
const callersOf = callersIndex >= 0 ? argv.splice(callersIndex, 2)[1] : undefined;
const [file, topArg] = argv;
if (!file) throw new Error('usage: tsx scripts/profileSummary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

/** node_modules/<package> (scoped too), our own lib/ or src/ file, node's internals, or V8's own entries. */
function packageOf(url: string, name: string): string {
  if (!url) return `(${name || 'native'})`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod) return mod[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const own = /\/(lib|src|scripts|test)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const packages = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const { callFrame } = byId.get(id)!;
  total += us;
  const pkg = packageOf(callFrame.url, callFrame.functionName);
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  const fn = `${callFrame.functionName || '(anonymous)'} ${pkg}:${callFrame.lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) ?? 0) + us);
}
const idle = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const busy = total - idle;
const show = (title: string, rows: Map<string, number>) => {
  console.log(`\n${title} (self time, % of busy ${(busy / 1000).toFixed(0)} ms; idle ${(idle / 1000).toFixed(0)} ms)`);
  for (const [k, us] of [...rows].filter(([k]) => !k.includes('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busy).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
show('by package', packages);
show('by function', functions);

if (callersOf) {
  const paths = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName !== callersOf && packageOf(callFrame.url, callFrame.functionName) !== callersOf) continue;
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined && frames.length < 5; at = parentOf.get(at)) {
      const f = byId.get(at)!.callFrame;
      frames.push(`${f.functionName || '(anonymous)'} ${packageOf(f.url, f.functionName)}:${f.lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  show(`callers of ${callersOf}`, paths);
}
