// Starts the built bot exactly as `npm start` does (node lib/index.js), configured only by environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface BotProcess {
  url: string;
  port: number;
  /** Everything the process wrote, stdout and stderr, as it arrives. */
  output(): string;
  /** Parsed JSON log records so far. */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<number | null>;
  child: ChildProcess;
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
export async function startBot(env: Record<string, string>, timeoutMs = 15_000): Promise<BotProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  // Nothing from the developer's shell leaks in: only PATH, HOME and what the test passes.
  const child = spawn(process.execPath, ['lib/index.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  const bot: BotProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    logs: () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`bot exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    try {
      if ((await fetch(`${bot.url}/healthz`)).ok) return bot;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await bot.stop();
  throw new Error(`bot did not answer /healthz within ${timeoutMs} ms:\n${output}`);
}

/** Runs the bot expecting it to refuse to start; resolves with its exit code and output. */
export async function startBotExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['lib/index.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, output };
}
