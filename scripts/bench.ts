// npm run bench: what a turn costs the bot, against a minimal echo bot on the same botbuilder + restify.
// In one run on loopback: the Entra and Graph emulators, a Bot Connector sink, our bot (lib/, built by
// `npm run bench`) and scripts/echoBot.ts, each bot a child process in local mode (no app id), as the tests
// run it. Each kind of turn is driven by 50 conversations at once; printed per kind: turns/s, p50/p95/p99,
// the bot process's CPU per turn (/proc/<pid>/stat), Graph calls per turn (the Graph emulator's log) and the
// ratio to the echo bot; plus the bot's RSS and its start-to-listening time. Nothing passes or fails here:
// the targets (docs/BENCHMARKS.md) are read by people.
//
//   tsx scripts/bench.ts [--only help,read,exact,start,submit] [--profile <dir>] [--soak [turns]]
// --profile runs the bot under `node --cpu-prof` and writes its profile to <dir> when it stops.
// --soak drives that many turns (100,000 unless given) of a mix instead, and prints the bot's memory (below).
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, ROOT } from '../test/support/botProcess';
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
  const emulators = await startEmulators();
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
      // node refuses --cpu-prof in NODE_OPTIONS: it goes before the script.
      const profile = last && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
      bot = await launch('AssistDesk', [...profile, ...(last && soakTurns ? SOAK_NODE_ARGS : []), 'lib/index.js'], botEnv);
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
