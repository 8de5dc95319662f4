// Runs Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground, CLI `agentsplayground`) for a test:
// offline, telemetry off, no browser opened, its log and working files in a temporary folder, stopped by process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages */
  botEndpoint: string;
  /** Port for the chat UI and the mocked Bot Connector (served under /_connector on the same port). */
  port: number;
  /** A `.m365agentsplayground.yml` (version "0.1.1") giving tenant, bot, current user and conversation ids. */
  configFile?: string;
  /** Extra environment for the Playground process (e.g. TZ, which sets localTimezone/localTimestamp). */
  env?: Record<string, string>;
  /** How long to wait for the UI to answer; default 30 s. */
  timeoutMs?: number;
}

export interface Playground {
  /** The chat UI, e.g. http://localhost:56150 (no trailing slash). */
  url: string;
  /** The port it really listens on (the CLI silently falls back to a random port when the one asked for is busy). */
  port: number;
  /** The serviceUrl it puts on activities: `${url}/_connector`. */
  serviceUrl: string;
  /** Everything the CLI printed, stdout and stderr. */
  output(): string;
  /** Its log file so far (errors, requests to the bot and the connector; gone after stop()). */
  log(): string;
  stop(): Promise<void>;
  child: ChildProcess;
}

const PACKAGE = '@microsoft/m365agentsplayground';

function cliPath(): string {
  return path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), 'cli.js');
}

export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let configFile: string | undefined;
  if (opts.configFile) {
    configFile = path.resolve(opts.configFile);
    // The CLI silently falls back to its built-in identities when the file is missing: refuse instead.
    if (!existsSync(configFile)) throw new Error(`Playground config file not found: ${configFile}`);
  }

  // Its own cwd: the CLI writes ./devTools/*.log and reads ./.m365agentsplayground.yml from the cwd.
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'playground-'));
  const logFile = path.join(workDir, 'playground.log');
  // Errors such as an invalid config file go to its log file, not to stdout.
  const logText = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const env: Record<string, string | undefined> = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none', // otherwise it tries to open a browser on the UI
    APPLICATION_INSIGHTS_NO_STATSBEAT: '1', // otherwise, even with --dt, App Insights probes 169.254.169.254 and DNS
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    M365_AGENTS_PLAYGROUND_RECORDING_FILE: path.join(workDir, 'events.log'),
  };
  // Nothing from the developer's shell decides which identities or endpoints the tests see.
  for (const name of [
    'M365_AGENTS_PLAYGROUND_CONFIG_PATH',
    'TEAMS_APP_TEST_TOOL_CONFIG_PATH',
    'M365_AGENTS_PLAYGROUND_SERVICE_URL',
    'M365_AGENTS_PLAYGROUND_CONVERSATION_ID',
    'M365_AGENTS_PLAYGROUND_DELIVERY_MODE',
    'M365_AGENTS_PLAYGROUND_ENABLE_EVENTS_RECORDING',
    'M365_AGENTS_PLAYGROUND_TARGET_SDK',
    'TEAMSAPPTESTER_PORT',
    'BOT_ENDPOINT',
    'DEFAULT_CHANNEL_ID',
    'AUTH_CLIENT_ID',
    'AUTH_CLIENT_SECRET',
    'AUTH_TENANT_ID',
  ]) {
    delete env[name];
  }
  if (configFile) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = configFile;
  Object.assign(env, opts.env ?? {});

  const args = [cliPath(), 'start', '-e', opts.botEndpoint, '-c', 'msteams', '--dt', '-p', String(opts.port)];
  const child = spawn(process.execPath, args, {
    cwd: workDir,
    env,
    detached: true, // own process group, so stop() can end it and anything it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = once(child, 'exit');

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.once('exit', onParentExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', onParentExit);
      if (child.exitCode === null && child.signalCode === null) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup('SIGKILL'); // any straggler left in the group
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`Agents Playground exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}\n${logText()}`);
      }
      port ??= Number(/Listening on (\d+)/.exec(output)?.[1]) || undefined;
      if (port) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/_debug/ping`);
          if (res.ok) {
            const url = `http://localhost:${port}`;
            return { url, port, serviceUrl: `${url}/_connector`, output: () => output, log: logText, stop, child };
          }
        } catch {
          // not answering yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Agents Playground did not answer within ${timeoutMs} ms:\n${output}\n${logText()}`);
  } catch (err) {
    await stop();
    throw err;
  }
}
