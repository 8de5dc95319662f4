// npm run bench: what a turn costs the bot, against a minimal echo bot on the same botbuilder + restify.
// In one run on loopback: the Entra and Graph emulators, a Bot Connector sink, our bot (lib/, built by
// `npm run bench`) and scripts/echoBot.ts, each bot a child process in local mode (no app id), as the tests
// run it. Each kind of turn is driven by 50 conversations at once; printed per kind: turns/s, p50/p95/p99,
// the bot process's CPU per turn (/proc/<pid>/stat), Graph calls per turn (the Graph emulator's log) and the
// ratio to the echo bot; plus the bot's RSS and its start-to-listening time. Nothing passes or fails here:
// the targets (docs/BENCHMARKS.md) are read by people.
//
//   tsx scripts/bench.ts [--only help,read,exact,start,submit,slowsubmit,flow,twoazure,twosqlite] [--profile <dir>] [--soak [turns]]
// --profile runs the bot (each bot of a scenario) under `node --cpu-prof` and writes its profile to <dir> when it stops.
// --soak drives that many turns (100,000 unless given) of a mix instead, and prints the bot's memory (below).
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { startEmbeddedAzurite } from '../src/store/azurite/embeddedAzurite';
import { ConnectorEmulator } from '../test/emulators/connector';
import type { GraphEmulator } from '../test/emulators/graph';
import { freePort, ROOT, START_ARGS } from '../test/support/botProcess';
import { startEmulators, type Emulators } from '../test/support/emulatorStack';
import { baseActivity, type TeamsChat } from '../test/support/teams';

const CONVERSATIONS = 50;
/**
 * Turns per kind, after a warm-up of half as many that is not counted: on this machine a bot answers its
 * first few thousand turns at half its later rate (JIT, heap growth), the echo bot as much as ours.
 */
const TURNS = { echo: 3000, help: 3000, read: 1500 };
/**
 * Starts: two rounds of 50. The bot keeps Intune's writes inside the budget (200 per 20 s, a quarter for
 * technicians), so the second round waits for the window: that wait is what a technician meets.
 */
const STARTS = 100;
const STARTS_ROUND = 50;
const STARTUPS = 3;
let botTurns = 0;

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = option('only')?.split(',');
const profileDir = option('profile');
// node refuses --cpu-prof in NODE_OPTIONS: it goes before the script. A scenario's bots each write a profile.
const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
const soakTurns = args.includes('--soak') ? Number(/^\d+$/.test(option('soak') ?? '') ? option('soak') : 100_000) : 0;
const wanted = (kind: string) => !only || only.includes(kind);

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of a process, in ms (clock-tick resolution; a run of thousands of turns makes that small). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------------------
// The Bot Connector sink: answers every send, reply and update at once with an id, as the Connector does.
// Replies carrying a card are kept only while `capture` is on (the starts: their cards name the sessions).

interface Sink { serviceUrl: string; capture: boolean; cards: Map<string, { activityId: string; body: string }>; requests: number; connections: number; stop(): Promise<void> }

async function startSink(): Promise<Sink> {
  let next = 1;
  const sink: Sink = { serviceUrl: '', capture: false, cards: new Map(), requests: 0, connections: 0, stop: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sink.requests++;
      const id = `1:${next++}`;
      const segs = (req.url ?? '').split('/');
      // POST /v3/conversations/{conversation}/activities/{replyToId}: a reply.
      if (sink.capture && req.method === 'POST' && segs[4] === 'activities' && segs[5]) {
        const body = Buffer.concat(chunks).toString('utf8');
        if (body.includes('"attachments"')) sink.cards.set(decodeURIComponent(segs[5]), { activityId: id, body });
      }
      const text = JSON.stringify({ id });
      res.writeHead(req.method === 'POST' && !segs[5] ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  // Connections opened to it: a client that keeps them alive opens about as many as it has sends in flight.
  server.on('connection', () => sink.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  sink.serviceUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  sink.stop = () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return sink;
}

// ---------------------------------------------------------------------------------------------------------
// The bots, as child processes.

interface Running { name: string; child: ChildProcess; pid: number; url: string; listeningMs: number; logBytes(): number; stop(): Promise<void> }

async function launch(name: string, argv: string[], env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let bytes = 0;
  let tail = '';
  const take = (d: Buffer) => { bytes += d.length; tail = (tail + d.toString('utf8')).slice(-4000); };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  // Polled every 10 ms: the start-to-listening figure is read to that resolution.
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited:\n${tail}`);
    if (performance.now() - started > 30_000) { child.kill('SIGKILL'); throw new Error(`${name} did not listen within 30 s:\n${tail}`); }
    const ok = await new Promise<boolean>((resolve) => {
      http.get(`${url}/healthz`, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    name, child, pid: child.pid!, url, listeningMs: performance.now() - started, logBytes: () => bytes,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The load: CONVERSATIONS chats, each sending its next activity as soon as the last was answered.

// Kept-alive connections, new for each phase: one left idle since the last phase may be closed by the bot's
// server (after 5 s) just as it is used again, a reset that says nothing about the turn.
const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: CONVERSATIONS });
let agent = newAgent();

function postActivity(botUrl: string, activity: Record<string, unknown>): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(activity);
  return new Promise((resolve, reject) => {
    const req = http.request(`${botUrl}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface World { emulators: Emulators; sink: Sink }

function chatFor(world: World, botUrl: string, n: number): TeamsChat {
  const technician = world.emulators.seed.users[0];
  return {
    botUrl,
    serviceUrl: world.sink.serviceUrl,
    tenantId: world.emulators.seed.tenantId,
    conversationId: `a:1bench-${n}-${randomUUID()}`,
    conversationType: 'personal',
    user: { id: `29:1${technician.id}`, aadObjectId: technician.id, name: technician.displayName! },
    timeZone: 'Europe/Lisbon',
    locale: 'en-US',
  };
}

const message = (chat: TeamsChat, text: string): Record<string, unknown> => ({ ...baseActivity(chat, 'message'), text, textFormat: 'plain' });

interface Figures {
  label: string; turns: number; seconds: number; perSecond: number; p50: number; p95: number; p99: number;
  cpuMsPerTurn: number; graphPerTurn: number; graphRoutes: Record<string, number>; logBytesPerTurn: number; failed: number;
}

/** What the Graph emulator was asked, by kind of call (ids and filters folded). */
function graphRoute(method: string, pathname: string, search: string): string {
  const p = pathname.replace(/^\/(v1\.0|beta)/, '').toLowerCase();
  if (/requestremoteassistance$/.test(p)) return 'requestRemoteAssistance';
  if (p === '/devicemanagement/reportremoteassistance') return 'report';
  if (p === '/devicemanagement/manageddevices') return /contains\(/i.test(decodeURIComponent(search)) ? 'devices contains' : 'devices eq';
  if (/^\/devicemanagement\/manageddevices\/[^/]+$/.test(p)) return /remoteAssistanceSession/i.test(search) ? 'session link' : 'device';
  if (/^\/users\/[^/]+\/manageddevices$/.test(p)) return "technician's devices";
  return `${method} ${p}`;
}

async function measure(
  label: string, world: World, bot: Running, count: number, concurrency: number,
  turn: (worker: number, i: number) => Promise<{ status: number; body: string }>,
): Promise<Figures> {
  agent.destroy();
  agent = newAgent();
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const graphBefore = world.emulators.graph.requests.length;
  const cpuBefore = cpuMs(bot.pid);
  const logBefore = bot.logBytes();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      const { status } = await turn(worker, i);
      latencies.push(performance.now() - t);
      if (status !== 200) failed++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  if (bot.name === 'AssistDesk') botTurns += count;
  const cpu = cpuMs(bot.pid) - cpuBefore;
  const graph = world.emulators.graph.requests.slice(graphBefore);
  const graphRoutes: Record<string, number> = {};
  for (const r of graph) {
    const route = graphRoute(r.method, r.url.pathname, r.url.search);
    graphRoutes[route] = (graphRoutes[route] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    label, turns: count, seconds, perSecond: count / seconds,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99),
    cpuMsPerTurn: cpu / count, graphPerTurn: graph.length / count, graphRoutes, logBytesPerTurn: (bot.logBytes() - logBefore) / count, failed,
  };
}

/** A warm-up and then the measured run of one kind of message, each of CONVERSATIONS chats in its own conversation. */
async function messages(label: string, world: World, bot: Running, text: string, count: number): Promise<Figures> {
  const chats = Array.from({ length: CONVERSATIONS }, (_, n) => chatFor(world, bot.url, n));
  const send = (worker: number) => postActivity(bot.url, message(chats[worker], text));
  await measure(`${label} (warm-up)`, world, bot, count / 2, CONVERSATIONS, send);
  return measure(label, world, bot, count, CONVERSATIONS, send);
}

// ---------------------------------------------------------------------------------------------------------
// Issue 10's "turn with one Graph read": an exact-name start that Teams sends again (same activity id). The
// bot looks the device up (one Graph read: `devices eq`), reads the technician's context (their devices are
// kept a minute; the store's last sessions) and then finds the message acted on already: "already on its
// way", nothing asked of Intune. Each of the 50 conversations makes its start once first, not counted.

async function retriedStarts(world: World, bot: Running): Promise<Figures> {
  const label = 'help me with device LAPTOP-42, again';
  const chats = Array.from({ length: CONVERSATIONS }, (_, n) => chatFor(world, bot.url, 2000 + n));
  const starts = chats.map((chat) => message(chat, 'help me with device LAPTOP-42'));
  await Promise.all(starts.map((activity) => postActivity(bot.url, activity)));
  const send = (worker: number) => postActivity(bot.url, starts[worker]);
  await measure(`${label} (warm-up)`, world, bot, TURNS.read / 2, CONVERSATIONS, send);
  return measure(label, world, bot, TURNS.read, CONVERSATIONS, send);
}

// ---------------------------------------------------------------------------------------------------------
// --soak: memory over many turns. The bot runs with --expose-gc and scripts/benchMemory.cjs preloaded, which
// prints process.memoryUsage() on SIGUSR2, then again after a full garbage collection. The mix, in turn: the
// help card in a new conversation each time, NO-SUCH (two reads, a new activity id each time) and the retried
// start above (one read).

const SOAK_NODE_ARGS = ['--expose-gc', '--require', './scripts/benchMemory.cjs'];

interface MemoryLine { rss: number; heapUsed: number; gcRss: number; gcHeapUsed: number }

function memoryOf(bot: Running): Promise<MemoryLine> {
  return new Promise((resolve) => {
    let text = '';
    const take = (d: Buffer) => {
      text += d.toString('utf8');
      const line = /^benchMemory (\{.*\})$/m.exec(text);
      if (!line) return;
      bot.child.stderr!.off('data', take);
      resolve(JSON.parse(line[1]) as MemoryLine);
    };
    bot.child.stderr!.on('data', take);
    bot.child.kill('SIGUSR2');
  });
}

async function soak(world: World, bot: Running, turns: number): Promise<void> {
  const mb = (bytes: number) => fmt(bytes / 2 ** 20, 1);
  const print = (at: number, m: MemoryLine, started: number) => console.log(
    `${String(at).padStart(7)} turns  ${fmt((performance.now() - started) / 1000).padStart(5)} s  RSS ${mb(m.rss)} MB, heap used ${mb(m.heapUsed)} MB;`
    + ` after a full GC RSS ${mb(m.gcRss)} MB, heap used ${mb(m.gcHeapUsed)} MB`);
  const chats = Array.from({ length: CONVERSATIONS }, (_, n) => chatFor(world, bot.url, 3000 + n));
  const retried = chats.map((chat) => message(chat, 'help me with device LAPTOP-42'));
  await Promise.all(retried.map((activity) => postActivity(bot.url, activity)));
  const turn = (worker: number, i: number) => {
    if (i % 3 === 0) return postActivity(bot.url, message(chatFor(world, bot.url, i), 'help'));
    if (i % 3 === 1) return postActivity(bot.url, message(chats[worker], 'help me with device NO-SUCH'));
    return postActivity(bot.url, retried[worker]);
  };
  console.log(`soak: ${turns} turns, 50 conversations; memory from the bot (process.memoryUsage), RSS in MiB`);
  const started = performance.now();
  const first = await memoryOf(bot);
  print(0, first, started);
  let last = first;
  const step = 10_000;
  for (let done = 0; done < turns; done += step) {
    const f = await measure('soak', world, bot, Math.min(step, turns - done), CONVERSATIONS, (w, i) => turn(w, done + i));
    last = await memoryOf(bot);
    print(done + f.turns, last, started);
    if (f.failed) console.log(`  ${f.failed} turns failed`);
    console.log(`  ${fmt(f.perSecond)} turns/s, p99 ${fmt(f.p99)} ms, ${fmt(f.cpuMsPerTurn, 2)} CPU ms/turn`);
  }
  console.log(`growth, first to last after a full GC: RSS ${mb(last.gcRss - first.gcRss)} MB, heap used ${mb(last.gcHeapUsed - first.gcHeapUsed)} MB`);
  console.log(`load average after ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
}

// ---------------------------------------------------------------------------------------------------------

function fmt(n: number, digits = 0): string { return n.toFixed(digits); }

function printTable(rows: Array<{ f: Figures; baseline?: Figures }>): void {
  // `CPU vs echo`: the echo bot's CPU per turn over ours, what turns/s would be were the bot alone on the
  // cores; read it beside `vs echo` when other work shares the machine and moves the throughput figures.
  const head = ['turn', 'turns', 'turns/s', 'vs echo', 'CPU vs echo', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU ms/turn', 'Graph/turn', 'log B/turn', 'failed'];
  const lines = rows.map(({ f, baseline }) => [
    f.label, String(f.turns), fmt(f.perSecond), baseline ? fmt(f.perSecond / baseline.perSecond, 2) : '1.00',
    baseline ? fmt(baseline.cpuMsPerTurn / f.cpuMsPerTurn, 2) : '1.00',
    fmt(f.p50, 1), fmt(f.p95, 1), fmt(f.p99, 1), fmt(f.cpuMsPerTurn, 2), fmt(f.graphPerTurn, 2), fmt(f.logBytesPerTurn), String(f.failed),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(row(head));
  for (const l of lines) console.log(row(l));
  for (const { f } of rows) {
    const routes = Object.entries(f.graphRoutes).map(([k, v]) => `${k} ${fmt(v / f.turns, 2)}`).join(', ');
    if (routes) console.log(`  Graph calls per turn, ${f.label}: ${routes}`);
  }
}

async function main(): Promise<void> {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`npm run bench: ${new Date().toISOString()}, Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load average before ${load}`);
  // Intune's limit enforced, as in the scenarios below: a write past it is refused with 429.
  const emulators = await startEmulators({ writeLimit: INTUNE_LIMIT });
  const sink = await startSink();
  const world: World = { emulators, sink };
  // TLS connections the Graph emulator accepted: with connections kept alive, about one per call in flight.
  let graphConnections = 0;
  (emulators.graph as unknown as { server: import('node:https').Server }).server.on('secureConnection', () => graphConnections++);
  const botEnv = {
    ...emulators.botEnv,
    // Production's defaults otherwise: info logging, Intune's budget of 200 writes per 20 s, the link watch on.
    LOG_LEVEL: 'info',
    ASSISTDESK_DATA_DIR: path.join(emulators.dir, 'data'),
  };
  const running: Running[] = [];
  try {
    const echo = await launch('echo bot', ['--import', 'tsx', 'scripts/echoBot.ts'], {});
    running.push(echo);
    // Start to listening, STARTUPS times on the same data folder; the last one stays up for the turns.
    const startups: number[] = [];
    let bot: Running | undefined;
    for (let i = 0; i < STARTUPS; i++) {
      const last = i === STARTUPS - 1;
      const profile = last ? profileArgs : [];
      bot = await launch('AssistDesk', [...profile, ...(last && soakTurns ? SOAK_NODE_ARGS : []), ...START_ARGS], botEnv);
      startups.push(bot.listeningMs);
      if (!last) await bot.stop();
    }
    running.push(bot!);
    const rssStart = rssMb(bot!.pid);
    console.log(`start to listening (/healthz answers): ${startups.map((ms) => fmt(ms)).join(', ')} ms; echo bot ${fmt(echo.listeningMs)} ms (under tsx)`);

    if (soakTurns) {
      await soak(world, bot!, soakTurns);
      return;
    }
    const rows: Array<{ f: Figures; baseline?: Figures }> = [];
    const echoMessage = await messages('echo bot: message', world, echo, 'hello', TURNS.echo);
    rows.push({ f: echoMessage });
    if (wanted('help')) rows.push({ f: await messages('help (the help card)', world, bot!, 'help', TURNS.help), baseline: echoMessage });
    if (wanted('read')) rows.push({ f: await messages('help me with device NO-SUCH', world, bot!, 'help me with device NO-SUCH', TURNS.read), baseline: echoMessage });
    if (wanted('exact')) rows.push({ f: await retriedStarts(world, bot!), baseline: echoMessage });

    let sessions: Array<{ chat: TeamsChat; sessionId: string; cardActivityId: string }> = [];
    if (wanted('start') || wanted('submit')) {
      // Each start in a conversation of its own (as separate technicians' chats would be), its card kept.
      const chats = Array.from({ length: STARTS }, (_, n) => chatFor(world, bot!.url, 1000 + n));
      const sent = new Map<number, string>();
      sink.capture = true;
      const starts = await measure('help me with device LAPTOP-42', world, bot!, STARTS, STARTS_ROUND, async (_w, i) => {
        const activity = message(chats[i], 'help me with device LAPTOP-42');
        sent.set(i, activity.id as string);
        return postActivity(bot!.url, activity);
      });
      sink.capture = false;
      const replies = { card: 0, other: 0 };
      for (const [i, activityId] of sent) {
        const card = sink.cards.get(activityId);
        const sessionId = card && /"verb":"submitReport"[^}]*"sessionId":"([0-9a-f-]{36})"|"sessionId":"([0-9a-f-]{36})"[^}]*"verb":"submitReport"/.exec(card.body);
        if (card && sessionId) {
          replies.card++;
          sessions.push({ chat: chats[i], sessionId: sessionId[1] ?? sessionId[2], cardActivityId: card.activityId });
        } else replies.other++;
      }
      rows.push({ f: starts, baseline: echoMessage });
      console.log(`  starts answered with a session card: ${replies.card}, with something else: ${replies.other}`);
    }
    if (wanted('submit') && sessions.length) {
      const echoInvoke = await measure('echo bot: invoke', world, echo, TURNS.echo / 4, CONVERSATIONS, (w) =>
        postActivity(echo.url, { ...baseActivity(chatFor(world, echo.url, w), 'invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x', data: {} }, trigger: 'manual' } }));
      rows.push({ f: echoInvoke });
      const submits = await measure('card submit (submitReport)', world, bot!, sessions.length, Math.min(CONVERSATIONS, sessions.length), (_w, i) => {
        const s = sessions[i];
        const data = { sessionId: s.sessionId, sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'none' };
        return postActivity(bot!.url, {
          ...baseActivity(s.chat, 'invoke'), name: 'adaptiveCard/action', replyToId: s.cardActivityId,
          value: { action: { type: 'Action.Execute', verb: 'submitReport', data }, trigger: 'manual' },
        });
      });
      rows.push({ f: submits, baseline: echoInvoke });
      sessions = [];
    }
    const rssAfter = rssMb(bot!.pid);
    console.log();
    printTable(rows);
    console.log(`Intune writes refused with 429 by the Graph emulator: ${emulators.graph.requests.filter((r) => r.faulted === 429).length}`);
    console.log(`\nBot Connector sink: ${sink.requests} requests over ${sink.connections} connections (both bots); Graph emulator: ${emulators.graph.requests.length} requests over ${graphConnections} TLS connections`);
    console.log(`bot RSS: ${fmt(rssStart)} MB at start, ${fmt(rssAfter)} MB after ${botTurns} turns; echo bot ${fmt(rssMb(echo.pid))} MB`);
    console.log(`bench process (load, emulators, sink) CPU: ${fmt(process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000)} ms; load average after ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    agent.destroy();
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await sink.stop();
    await emulators.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scenarios (issue 10): a submit while Graph is slow, the whole flow timed, and two instances sharing
// Intune's write budget. Each runs on a stack of its own (emulators, Bot Connector emulator, bots, store),
// so no budget spent by another kind is counted, and the Graph emulator enforces Intune's limit: past 200
// writes in 20 s per app and tenant it answers 429, as Intune does.
//   slowsubmit  100 sessions started, then Graph answers every call after 2 s: the submits' acknowledgement
//               (the invoke's HTTP answer) at 50 conversations, and each report's time to Graph.
//   flow        per conversation: `help` → `help me with device LAPTOP-42` → the session card → submit →
//               the report at Graph; 50 conversations, Graph at its normal speed and at 2 s a call.
//   twoazure    two instances on one Azure Storage (Azurite), starts and submits past the budget; then the
//               same on one SQLite file for comparison (`twosqlite`: that one alone).

const SCENARIO_KINDS = ['slowsubmit', 'flow', 'twoazure', 'twosqlite'];
const INTUNE_LIMIT = { writes: 200, windowMs: 20_000 };
const SLOW_GRAPH_MS = 2000;
const SLOW_SESSIONS = 100;
/** Submits sent one at a time before the others: the turn's own time, without 49 others queued beside it. */
const SLOW_ALONE = 20;
const FLOWS = 50;
/** Starts through two instances: past the budget of 200, so the last ones wait, and the reports after them. */
const TWO_STARTS = 250;
/**
 * Azurite (one Node process) answers a few hundred blob calls a second here, so two instances on it start
 * about 4 sessions a second: past Intune's 200 in 20 s only with a smaller budget (the bot's and the
 * emulator's alike); at 50 conversations Azurite is what saturates.
 */
const TWO_AZURE_RUNS = [{ conversations: 10, writes: 40 }, { conversations: 50, writes: 200 }];

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Stack { emulators: Emulators; connector: ConnectorEmulator; bots: Running[]; warnings: Map<string, number>; stop(): Promise<void> }

/** Counts the bot's log lines at warn and above by message, to say what went wrong in a scenario. */
function countWarnings(bot: Running, warnings: Map<string, number>): void {
  let partial = '';
  bot.child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const record = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        const key = `${record.msg ?? '?'}${record.err?.message ? ` (${record.err.message.slice(0, 100)})` : ''}`;
        if ((record.level ?? 0) >= 40) warnings.set(key, (warnings.get(key) ?? 0) + 1);
      } catch { /* not a log record */ }
    }
  });
}

function printWarnings(stack: Stack): void {
  const entries = [...stack.warnings].map(([msg, n]) => `${n}× "${msg}"`);
  console.log(`    bots' warnings and errors: ${entries.length ? entries.join('; ') : 'none'}`);
}

/** Emulators with Intune's limit, the Bot Connector emulator, and `instances` bots on the store `storeEnv` names. */
async function startStack(instances: number, storeEnv: (dir: string) => Record<string, string>, cleanup: () => Promise<void> = async () => undefined, limit = INTUNE_LIMIT): Promise<Stack> {
  const emulators = await startEmulators({ writeLimit: limit });
  const connector = new ConnectorEmulator();
  await connector.start();
  const bots: Running[] = [];
  const warnings = new Map<string, number>();
  const stop = async () => {
    for (const b of bots) await b.stop().catch(() => undefined);
    await connector.stop();
    await emulators.stop();
    await cleanup();
  };
  try {
    const env = { ...emulators.botEnv, LOG_LEVEL: 'info', INTUNE_WRITES_PER_20S: String(limit.writes), ...storeEnv(emulators.dir) };
    for (let n = 0; n < instances; n++) {
      bots.push(await launch(`AssistDesk ${n + 1}`, [...profileArgs, ...START_ARGS], env));
      countWarnings(bots[n], warnings);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { emulators, connector, bots, warnings, stop };
}

const sqliteStore = (dir: string) => ({ ASSISTDESK_DATA_DIR: path.join(dir, 'data') });

function scenarioChat(stack: Stack, botUrl: string, n: number): TeamsChat {
  const technician = stack.emulators.seed.users[0];
  return {
    botUrl, serviceUrl: stack.connector.serviceUrl, tenantId: stack.emulators.seed.tenantId,
    conversationId: `a:1scenario-${n}-${randomUUID()}`, conversationType: 'personal',
    user: { id: `29:1${technician.id}`, aadObjectId: technician.id, name: technician.displayName! },
    timeZone: 'Europe/Lisbon', locale: 'en-US',
  };
}

const SESSION_ID = /"verb":"submitReport"[^}]*"sessionId":"([0-9a-f-]{36})"|"sessionId":"([0-9a-f-]{36})"[^}]*"verb":"submitReport"/;

/** The session a card offers to submit, if it is a session card. */
function sessionOf(body: unknown): string | undefined {
  const m = SESSION_ID.exec(JSON.stringify(body ?? ''));
  return m ? m[1] ?? m[2] : undefined;
}

/** A started session as the technician sees it: the message the bot answered with, and when it became the card. */
interface Started { chat: TeamsChat; answeredMs: number; toldToWait: boolean; messageId: string; sessionId?: string; cardAt?: number }

/** `help me with device <name>` in `chat`; the answer's time, and the session card if it came with it. */
async function startSession(stack: Stack, chat: TeamsChat, device = 'LAPTOP-42'): Promise<Started> {
  const activity = message(chat, `help me with device ${device}`);
  const t = performance.now();
  // A connection reset counts as a turn not answered (status 0), not as the end of the run.
  const { status } = await postActivity(chat.botUrl, activity).catch(() => ({ status: 0 }));
  const answeredMs = performance.now() - t;
  // Its reply (not the typing indicator before it).
  const answer = stack.connector.activities.filter((a) => a.replyToId === activity.id && a.body?.type === 'message').at(-1);
  if (status !== 200 || !answer?.activityId) return { chat, answeredMs, toldToWait: false, messageId: '' };
  const sessionId = sessionOf(answer.body);
  return {
    chat, answeredMs, messageId: answer.activityId, sessionId, cardAt: sessionId ? answer.at : undefined,
    toldToWait: !sessionId && /used up for the moment/.test(String(answer.body.text ?? '')),
  };
}

/** Waits for a waiting start's message to become the session card (an update of that message). */
async function cardLater(stack: Stack, started: Started, timeoutMs: number): Promise<void> {
  const update = await stack.connector.waitFor((a) => a.kind === 'update' && a.activityId === started.messageId && sessionOf(a.body) !== undefined, timeoutMs).catch(() => undefined);
  if (update) {
    started.sessionId = sessionOf(update.body);
    started.cardAt = update.at;
  }
}

/** The submit on a session card: the invoke's HTTP answer time and status. */
async function submitSession(botUrl: string, s: Started): Promise<{ ms: number; status: number; at: number }> {
  const data = { sessionId: s.sessionId, sessionType: 'fullControl', endedMinutesAgo: '', lastedMinutes: '', helperDeviceId: 'none' };
  const t = performance.now();
  const { status } = await postActivity(botUrl, {
    ...baseActivity({ ...s.chat, botUrl }, 'invoke'), name: 'adaptiveCard/action', replyToId: s.messageId,
    value: { action: { type: 'Action.Execute', verb: 'submitReport', data }, trigger: 'manual' },
  }).catch(() => ({ status: 0 }));
  return { ms: performance.now() - t, status, at: Date.now() };
}

/** When each session's report reached Graph (and Graph acted on it, after any latency), by session id. */
function reportsServed(graph: GraphEmulator): Map<string, number> {
  const served = new Map<string, number>();
  for (const r of graph.requests) {
    const id = (r.json as { reportingPayload?: { id?: string } } | undefined)?.reportingPayload?.id;
    if (r.method === 'POST' && /reportremoteassistance$/i.test(r.url.pathname) && r.servedAt && id && !served.has(id)) served.set(id, r.servedAt);
  }
  return served;
}

async function waitForReports(graph: GraphEmulator, ids: string[], timeoutMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const served = reportsServed(graph);
    if (ids.every((id) => served.has(id)) || Date.now() > deadline) return served;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `work(i)` for i < count, `concurrency` at a time. */
async function pool<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  }));
  return results;
}

function spread(values: number[]): string {
  if (!values.length) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted[sorted.length - 1])} ms (${sorted.length})`;
}

/** Intune's writes the Graph emulator admitted and refused, and the most admitted in any 20 s. */
function writeFigures(graph: GraphEmulator, windowMs = INTUNE_LIMIT.windowMs): { admitted: number[]; refused: number; maxInWindow: number; perWindow: number[] } {
  const writes = graph.requests.filter((r) => r.method !== 'GET' && /manageddevices|devicemanagement/i.test(r.url.pathname));
  const admitted = writes.filter((r) => r.faulted !== 429).map((r) => r.at).sort((a, b) => a - b);
  let maxInWindow = 0;
  for (let i = 0, j = 0; i < admitted.length; i++) {
    while (admitted[i] - admitted[j] >= windowMs) j++;
    maxInWindow = Math.max(maxInWindow, i - j + 1);
  }
  const perWindow: number[] = [];
  for (const at of admitted) {
    const w = Math.floor((at - admitted[0]) / windowMs);
    perWindow[w] = (perWindow[w] ?? 0) + 1;
  }
  return { admitted, refused: writes.length - admitted.length, maxInWindow, perWindow: Array.from(perWindow, (n) => n ?? 0) };
}

/** The echo bot's invoke at `concurrency` conversations: what any bot on this botbuilder + restify answers in. */
async function echoInvokes(stack: Stack, echo: Running, count: number, concurrency: number): Promise<number[]> {
  return pool(count, concurrency, async (i) => {
    const t = performance.now();
    await postActivity(echo.url, { ...baseActivity(scenarioChat(stack, echo.url, i), 'invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x', data: {} }, trigger: 'manual' } });
    return performance.now() - t;
  });
}

/**
 * SLOW_SESSIONS + SLOW_ALONE sessions started with Graph at its normal speed; then Graph at `graphMs` a call,
 * SLOW_ALONE submits one at a time (the turn's own time) and SLOW_SESSIONS at CONVERSATIONS at once.
 */
async function submitsWith(graphMs: number, echo: Running): Promise<void> {
  const stack = await startStack(1, sqliteStore);
  try {
    const bot = stack.bots[0];
    agent.destroy();
    agent = newAgent();
    const count = SLOW_SESSIONS + SLOW_ALONE;
    const started = await pool(count, CONVERSATIONS, (i) => startSession(stack, scenarioChat(stack, bot.url, i)));
    const sessions = started.filter((s) => s.sessionId);
    if (graphMs) stack.emulators.graph.fault({ path: /./, delayMs: graphMs, times: Number.POSITIVE_INFINITY });
    const graphBefore = stack.emulators.graph.requests.length;
    const alone = await pool(Math.min(SLOW_ALONE, sessions.length), 1, (i) => submitSession(bot.url, sessions[i]));
    const rest = sessions.slice(alone.length);
    const cpuBefore = cpuMs(bot.pid);
    const t = performance.now();
    const together = await pool(rest.length, CONVERSATIONS, (i) => submitSession(bot.url, rest[i]));
    const seconds = (performance.now() - t) / 1000;
    const cpu = cpuMs(bot.pid) - cpuBefore;
    const echoTogether = await echoInvokes(stack, echo, rest.length, CONVERSATIONS);
    const submitted = [...alone, ...together];
    const served = await waitForReports(stack.emulators.graph, sessions.map((s) => s.sessionId!), 120_000);
    const delivery = sessions.flatMap((s, i) => (served.has(s.sessionId!) ? [served.get(s.sessionId!)! - submitted[i].at] : []));
    const writes = writeFigures(stack.emulators.graph);
    const graphCalls = stack.emulators.graph.requests.slice(graphBefore);
    console.log(`  Graph ${graphMs ? `at ${graphMs} ms a call` : 'at its normal speed'} (load average ${loadAverage()}); ${sessions.length} of ${count} started with a card:`);
    console.log(`    submit acknowledged, one at a time:         ${spread(alone.map((r) => r.ms))}`);
    console.log(`    submit acknowledged, ${CONVERSATIONS} at once:           ${spread(together.map((r) => r.ms))}; ${fmt(rest.length / seconds)} submits/s, bot CPU ${fmt(cpu / rest.length, 1)} ms a submit (deliveries meanwhile included); not 200: ${submitted.filter((r) => r.status !== 200).length}`);
    console.log(`    echo bot's invoke, ${CONVERSATIONS} at once, just after:  ${spread(echoTogether)}`);
    console.log(`    report at Graph after the acknowledgement: ${spread(delivery)}; delivered ${served.size} of ${sessions.length}`);
    printWarnings(stack);
    console.log(`    Graph calls from the first submit on: ${graphCalls.length} (reports ${graphCalls.filter((r) => /reportremoteassistance$/i.test(r.url.pathname)).length}); Intune writes ${writes.admitted.length} admitted, ${writes.refused} refused with 429, at most ${writes.maxInWindow} in any 20 s`);
  } finally {
    await stack.stop();
  }
}

async function slowSubmit(): Promise<void> {
  console.log(`\n== slowsubmit: the submit's acknowledgement (the invoke's HTTP answer) with Graph at its normal speed and at ${SLOW_GRAPH_MS} ms a call`);
  const echo = await launch('echo bot', ['--import', 'tsx', 'scripts/echoBot.ts'], {});
  try {
    for (const graphMs of [0, SLOW_GRAPH_MS]) await submitsWith(graphMs, echo);
  } finally {
    await echo.stop();
  }
}

/** One conversation's whole flow, each step timed (ms); undefined steps did not happen. */
interface FlowTimes { help: number; start: number; card?: number; submit?: number; delivered?: number; total?: number; toldToWait: boolean }

async function flowOnce(stack: Stack, graphMs: number): Promise<void> {
  const bot = stack.bots[0];
  stack.emulators.graph.reset();
  if (graphMs) stack.emulators.graph.fault({ path: /./, delayMs: graphMs, times: Number.POSITIVE_INFINITY });
  agent.destroy();
  agent = newAgent();
  const cpuBefore = cpuMs(bot.pid);
  const flows = await pool(FLOWS, CONVERSATIONS, async (i): Promise<FlowTimes> => {
    const chat = scenarioChat(stack, bot.url, 5000 + i);
    const t0 = Date.now();
    const h = performance.now();
    await postActivity(bot.url, message(chat, 'help'));
    const help = performance.now() - h;
    const s = await startSession(stack, chat);
    if (!s.sessionId && s.toldToWait) await cardLater(stack, s, 60_000);
    const times: FlowTimes = { help, start: s.answeredMs, toldToWait: s.toldToWait };
    if (!s.sessionId) return times;
    times.card = s.cardAt! - t0;
    const submitted = await submitSession(bot.url, s);
    times.submit = submitted.ms;
    const served = (await waitForReports(stack.emulators.graph, [s.sessionId], 120_000)).get(s.sessionId);
    if (served) {
      times.delivered = served - submitted.at;
      times.total = served - t0;
    }
    return times;
  });
  const cpu = cpuMs(bot.pid) - cpuBefore;
  const pick = (f: (t: FlowTimes) => number | undefined) => flows.map(f).filter((v): v is number => v !== undefined);
  const writes = writeFigures(stack.emulators.graph);
  console.log(`  Graph ${graphMs ? `at ${graphMs} ms a call` : 'at its normal speed'}, ${FLOWS} conversations at once (load average ${loadAverage()}):`);
  console.log(`    help turn:                  ${spread(pick((t) => t.help))}`);
  console.log(`    start turn answered:        ${spread(pick((t) => t.start))}; told to wait: ${flows.filter((t) => t.toldToWait).length}`);
  console.log(`    session card, from help:    ${spread(pick((t) => t.card))}`);
  console.log(`    submit acknowledged:        ${spread(pick((t) => t.submit))}`);
  console.log(`    report at Graph after it:   ${spread(pick((t) => t.delivered))}`);
  console.log(`    whole flow (help → report): ${spread(pick((t) => t.total))}; complete ${pick((t) => t.total).length} of ${FLOWS}`);
  console.log(`    bot CPU ${fmt(cpu / FLOWS, 1)} ms a flow; Intune writes ${writes.admitted.length} admitted, ${writes.refused} refused with 429`);
}

async function flow(): Promise<void> {
  console.log(`\n== flow: help → start → session card → submit → report delivered at Graph, per conversation`);
  // A fresh stack for each speed: each then starts with the whole budget.
  for (const graphMs of [0, SLOW_GRAPH_MS]) {
    const stack = await startStack(1, sqliteStore);
    try {
      await flowOnce(stack, graphMs);
    } finally {
      await stack.stop();
    }
  }
}

/** Two instances on one store: starts past the budget through both, then the submits of the sessions. */
async function twoInstances(
  storeName: string, conversations: number, storeEnv: (dir: string) => Record<string, string>, cleanup?: () => Promise<void>, limit = INTUNE_LIMIT,
): Promise<void> {
  const stack = await startStack(2, storeEnv, cleanup, limit);
  try {
    const [one, two] = stack.bots;
    agent.destroy();
    agent = newAgent();
    const t0 = Date.now();
    const cpuBefore = cpuMs(one.pid) + cpuMs(two.pid);
    // Alternate instances, as a load balancer would; each start in a chat of its own.
    const started = await pool(TWO_STARTS, conversations, (i) => startSession(stack, scenarioChat(stack, (i % 2 ? two : one).url, 9000 + i)));
    const startsDone = Date.now();
    const waiting = started.filter((s) => s.toldToWait);
    const waitedFor = Promise.all(waiting.map((s) => cardLater(stack, s, 60_000)));
    // Submit every session that has its card at once, through the other instance; the reports then compete
    // with the waiting requests for what is left of the budget.
    const withCard = started.filter((s) => s.sessionId);
    const submits = await pool(withCard.length, conversations, (i) => submitSession((i % 2 ? one : two).url, withCard[i]));
    await waitedFor;
    const served = await waitForReports(stack.emulators.graph, withCard.filter((_, i) => submits[i].status === 200).map((s) => s.sessionId!), 60_000);
    const cpu = cpuMs(one.pid) + cpuMs(two.pid) - cpuBefore;
    const writes = writeFigures(stack.emulators.graph, limit.windowMs);
    const waitedMs = waiting.filter((s) => s.cardAt).map((s) => s.cardAt! - t0);
    const deliveries = withCard.flatMap((s, i) => (served.has(s.sessionId!) ? [served.get(s.sessionId!)! - submits[i].at] : []));
    console.log(`  ${storeName}, ${conversations} conversations at once, a budget of ${limit.writes} writes per 20 s (load average ${loadAverage()}):`);
    console.log(`    ${TWO_STARTS} starts through two instances in ${fmt((startsDone - t0) / 1000, 1)} s: answered ${spread(started.map((s) => s.answeredMs))}; over 1 s: ${started.filter((s) => s.answeredMs > 1000).length}`);
    console.log(`    with a card at once: ${withCard.length}; told to wait: ${waiting.length}; neither: ${started.length - withCard.length - waiting.length}`);
    console.log(`    waiting requests, start to session card: ${spread(waitedMs)}; card came for ${waitedMs.length} of ${waiting.length}`);
    console.log(`    ${submits.length} submits acknowledged: ${spread(submits.map((r) => r.ms))}; reports at Graph after them: ${spread(deliveries)}`);
    console.log(`    Intune writes seen by the emulator: ${writes.admitted.length} admitted, ${writes.refused} refused with 429; per 20 s window from the first: ${writes.perWindow.join(', ')}; at most ${writes.maxInWindow} in any 20 s`);
    console.log(`    bots' CPU ${fmt(cpu / (TWO_STARTS + submits.length), 1)} ms a turn`);
    const refused = stack.emulators.graph.requests.filter((r) => r.faulted === 429);
    if (refused.length) console.log(`    refused: ${[...new Set(refused.map((r) => graphRoute(r.method, r.url.pathname, r.url.search) + (r.headers['retry-attempt'] ? ' (a retry)' : '')))].join(', ')}; at ${refused.map((r) => fmt((r.at - writes.admitted[0]) / 1000, 1)).join(', ')} s from the first write`);
    printWarnings(stack);
  } finally {
    await stack.stop();
  }
}

async function twoAzure(): Promise<void> {
  console.log(`\n== twoazure: two instances share Intune's budget of ${INTUNE_LIMIT.writes} writes per 20 s through their store`);
  if (wanted('twoazure')) {
    for (const { conversations, writes } of TWO_AZURE_RUNS) {
      const azuriteDir = mkdtempSync(path.join(tmpdir(), 'assistdesk-bench-azurite-'));
      const azurite = await startEmbeddedAzurite({ dataDir: azuriteDir });
      const cleanup = async () => {
        await azurite.stop();
        rmSync(azuriteDir, { recursive: true, force: true });
      };
      await twoInstances('one Azure Storage (Azurite)', conversations, () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }), cleanup, { ...INTUNE_LIMIT, writes });
    }
  }
  await twoInstances('one SQLite file', CONVERSATIONS, sqliteStore);
}

async function scenarios(): Promise<void> {
  if (wanted('slowsubmit')) await slowSubmit();
  if (wanted('flow')) await flow();
  if (wanted('twoazure') || wanted('twosqlite')) await twoAzure();
  agent.destroy();
}

async function run(): Promise<void> {
  if (!only || only.some((kind) => !SCENARIO_KINDS.includes(kind))) await main();
  await scenarios();
}

run().catch((error) => {
  console.error(error);
  process.exit(1);
});
