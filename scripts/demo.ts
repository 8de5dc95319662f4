// `npm run demo`: AssistDesk on a laptop with nothing from the cloud. Emulated Entra and Intune (Graph) on
// loopback with the demo tenant, the built bot (`node lib/index.js`, the embedded SQLite store under .data/demo) and
// Microsoft 365 Agents Playground as the Teams client. Ctrl-C stops everything.
//
// Environment: PORT (bot, default 3978), PLAYGROUND_PORT (default 56150), ASSISTDESK_DATA_DIR (default
// .data/demo), LOG_LEVEL (default info), DEMO_TZ (the Playground's time zone, default: this machine's).
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';
import { ROOT } from '../test/support/botProcess';
import { startPlaygroundStack, type PlaygroundStack } from '../test/support/emulatorStack';

// The bot's JSON log lines as pino-pretty renders them (the bot itself, like production, writes JSON).
const pretty = prettyFactory({
  colorize: Boolean(process.stdout.isTTY),
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'service',
  singleLine: true,
});

function portFromEnv(name: string, fallback: number): number {
  const text = process.env[name]?.trim() || String(fallback);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) fail(`${name} must be a port number from 1 to 65535 (got "${text}").`);
  return port;
}

function fail(message: string): never {
  process.stderr.write(`\n${message}\n`);
  process.exit(1);
}

/** Whether nothing listens on the port, on any interface (as the bot binds) nor on loopback. */
async function portIsFree(port: number): Promise<boolean> {
  for (const host of [undefined, '127.0.0.1']) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/** One line of the bot's output: a pino record made readable, anything else (a warning from Node) as it is. */
function showLogLine(line: string): void {
  if (!line.startsWith('{')) {
    if (line.trim() && !/DeprecationWarning|--trace-deprecation/.test(line)) process.stdout.write(`  bot │ ${line}\n`);
    return;
  }
  try {
    process.stdout.write(`  bot │ ${pretty(line)}`);
  } catch {
    process.stdout.write(`  bot │ ${line}\n`);
  }
}

async function main(): Promise<void> {
  const botPort = portFromEnv('PORT', 3978);
  const playgroundPort = portFromEnv('PLAYGROUND_PORT', 56150);
  if (botPort === playgroundPort) fail(`PORT and PLAYGROUND_PORT are both ${botPort}: pick two different ports.`);
  for (const [port, what, variable] of [[botPort, 'the bot', 'PORT'], [playgroundPort, 'Agents Playground', 'PLAYGROUND_PORT']] as const) {
    if (!(await portIsFree(port))) {
      fail(`Port ${port} (for ${what}) is already in use. Stop whatever listens there (is another demo running?) or set ${variable}=<another port>.`);
    }
  }
  const dataDir = path.resolve(ROOT, process.env.ASSISTDESK_DATA_DIR?.trim() || '.data/demo');
  const timeZone = process.env.DEMO_TZ?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  process.stdout.write('Starting the Entra and Graph emulators, the bot and Agents Playground…\n');
  let stack: PlaygroundStack | undefined;
  let starting: Promise<PlaygroundStack> | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number, why?: string) => {
    if (stopping) return stopping;
    if (why) process.stdout.write(`\n${why}\n`);
    stopping = (async () => {
      const force = setTimeout(() => {
        process.stderr.write('Still stopping after 25 s; giving up.\n');
        process.exit(1);
      }, 25_000);
      force.unref();
      // Stopped while starting: let the start finish (or fail and clean up after itself), then stop it. A bot
      // killed by the terminal's Ctrl-C before it handles signals goes unnoticed by startBot (it watches the
      // exit code, not the signal) until its timeout, hence the bound.
      const settled = starting?.then((s) => (stack = s), () => undefined);
      if (settled) await Promise.race([settled, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await stack?.stop();
      process.stdout.write('Stopped.\n');
      process.exit(code);
    })();
    return stopping;
  };
  // Ctrl-C reaches us twice (from the terminal and relayed by npm/tsx): only a second press, a while
  // after the first, means "stop now".
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (firstSignalAt && signal === 'SIGINT' && Date.now() - firstSignalAt > 1_000) {
        process.stderr.write('Stopping anyway.\n');
        process.exit(130);
      }
      firstSignalAt ||= Date.now();
      void shutdown(0, `${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the Playground, the bot (it finishes what is in hand) and the emulators…`);
    });
  }

  try {
    stack = await (starting = startPlaygroundStack({
      botPort,
      playgroundPort,
      dataDir,
      logLevel: process.env.LOG_LEVEL?.trim() || 'info',
      timeZone,
      botTimeoutMs: 60_000,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (stopping) return;
    fail(`The demo could not start:\n${message}\n\nIf it says storage is unavailable, check ${dataDir} (or set ASSISTDESK_DATA_DIR) and that \`npm run build\` succeeded.`);
  }
  if (stopping) return;
  const { bot, playground, emulators } = stack;

  // From here on, the bot's log in readable form.
  createInterface({ input: bot.child.stdout! }).on('line', showLogLine);
  createInterface({ input: bot.child.stderr! }).on('line', showLogLine);
  bot.child.once('exit', (code, signal) => void shutdown(1, `The bot stopped on its own (${code ?? signal}). Its last words:\n${bot.output().slice(-2000)}`));
  playground.child.once('exit', (code, signal) => void shutdown(1, `Agents Playground stopped on its own (${code ?? signal}):\n${playground.log().slice(-2000)}`));

  const devices = [...new Set(emulators.seed.devices.map((d) => d.deviceName))].join(', ');
  const technician = emulators.seed.users[0];
  process.stdout.write(
    [
      '',
      '────────────────────────────────────────────────────────────────────────────',
      ` AssistDesk demo is running. Open in a browser:  ${playground.url}`,
      '────────────────────────────────────────────────────────────────────────────',
      ` You are ${technician.displayName} (${technician.userPrincipalName}), a technician, in a personal chat with the bot.`,
      ' Things to try:',
      '   help me with device LAPTOP-42    the session card: pick a type, times, Submit report',
      '   help me with device KIOSK-01     two devices share that name: pick one',
      '   help me with device NOPE-99      no such device',
      '   sessions                         your recent sessions and their state',
      '   help                             what the bot can do',
      ` Emulated Intune devices: ${devices}`,
      '',
      ` Bot:        ${bot.url}/api/messages  (data in ${path.relative(process.cwd(), dataDir) || dataDir})`,
      ` Entra:      ${emulators.entra.authorityHost}   Graph: ${emulators.graph.baseUrl}  (loopback emulators)`,
      ` Time zone:  ${timeZone} (set DEMO_TZ to change)`,
      ' Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error) => fail(`The demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`));
