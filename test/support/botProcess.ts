// Starts the built bot exactly as `npm start` does (node, its flags, lib/index.js), configured only by environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { BOT_LOG_DIR, recordEnvironmentSecrets } from '../emulators/secretLedger';

export const ROOT = path.resolve(__dirname, '../..');

export interface BotProcess {
  url: string;
  port: number;
  /** Everything the process wrote, stdout and stderr, as it arrives. */
  output(): string;
  /** Parsed JSON log records so far. */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<number | null>;
  /** kill -9 of the bot's whole process group, as a container runtime or the OOM killer does; resolves once it is gone. */
  killGroup(): Promise<void>;
  child: ChildProcess;
}

export interface StartOptions {
  timeoutMs?: number;
  /** Runs the bot in a process group of its own, so killGroup() takes it and anything it started. */
  ownGroup?: boolean;
  /** Runs the bot through this command (e.g. setpriv to drop root), followed by node and its arguments. */
  prefix?: string[];
}

let started = 0;

/**
 * Keeps everything the process writes, stdout and stderr as they arrive, in test-results/bot-logs/ (one file
 * per process, named after the test file), for the secrets scan at the end of `npm test`; returns the text so far.
 */
function keepOutput(child: ChildProcess): () => string {
  mkdirSync(BOT_LOG_DIR, { recursive: true });
  const caller = path.basename(process.argv[1] ?? 'run').replace(/\.[cm]?[jt]s$/, '');
  const file = path.join(BOT_LOG_DIR, `${caller}-${process.pid}-${++started}.log`);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk;
    appendFileSync(file, chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return () => output;
}

/** What `npm start` gives node (its flags, then lib/index.js), so a test's bot runs as the product does. */
export const START_ARGS: string[] = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ').slice(1);

function spawnBot(env: Record<string, string>, port: number, options: StartOptions): ChildProcess {
  // The scan looks for these in every bot log of the run.
  recordEnvironmentSecrets(env);
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, ...START_ARGS];
  // Nothing from the developer's shell leaks in: only PATH, HOME and what the test passes.
  return spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownGroup,
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

/** Runs lib/index.js; resolves when /healthz answers, rejects (with its output) if the process exits first. */
export async function startBot(env: Record<string, string>, options: StartOptions = {}): Promise<BotProcess> {
  const { timeoutMs = 15_000 } = options;
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawnBot(env, port, options);
  const output = keepOutput(child);
  const exited = once(child, 'exit');
  const bot: BotProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output,
    logs: () => output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
    async killGroup() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(options.ownGroup ? -child.pid! : child.pid!, 'SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`bot exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    try {
      if ((await fetch(`${bot.url}/healthz`)).ok) return bot;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await bot.stop();
  throw new Error(`bot did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

/** Runs the bot expecting it to refuse to start; resolves with its exit code and output. */
export async function startBotExpectingExit(env: Record<string, string>, options: StartOptions = {}): Promise<{ code: number | null; output: string }> {
  const child = spawnBot(env, await freePort(), options);
  const output = keepOutput(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, output: output() };
}
