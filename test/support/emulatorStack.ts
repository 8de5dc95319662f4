// The loopback emulators the bot needs (Entra and Graph over HTTPS with a fresh certificate), the bot's
// environment for them, and — for the demo and the browser test — the whole stack with the bot as a child
// process and Microsoft 365 Agents Playground in front of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntraEmulator } from '../emulators/entra';
import { GraphEmulator, type WriteLimit } from '../emulators/graph';
import { makeDemoSeed, TECHNICIAN_ID, type GraphSeed, type GraphUser } from '../emulators/seed';
import { makeLoopbackTls, type LoopbackTls } from '../emulators/tls';
import { freePort, startBot, type BotProcess } from './botProcess';
import { LocaleProxy } from './localeProxy';
import { startPlayground, type Playground } from './playground';

/** The app registration the bot calls Graph with (same values as world.ts). */
export const CLIENT_ID = '3f0c9a8e-1b2d-4c5e-8f70-9a1b2c3d4e5f';
export const CLIENT_SECRET = 'emulator-client-secret-value-123';

export interface Emulators {
  /** A temporary folder holding the certificate (and whatever the caller puts there); removed by stop(). */
  dir: string;
  tls: LoopbackTls;
  seed: GraphSeed;
  entra: EntraEmulator;
  graph: GraphEmulator;
  /** The bot's environment to reach these emulators (NODE_EXTRA_CA_CERTS, AZURE_*, GRAPH_BASE_URL). */
  botEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  seed?: GraphSeed;
  reportPayloadVersion?: 18 | 20;
  /** Intune's write throttle in the Graph emulator (429 past it); none when omitted. */
  writeLimit?: WriteLimit;
}

/** Starts Entra and Graph on loopback (random ports) with a certificate made for this run. */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-'));
  // Also when the process exits without stop() (the demo's Ctrl-C during start-up, a test runner's timeout).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    const tls = makeLoopbackTls(dir);
    const seed = options.seed ?? makeDemoSeed();
    const entra = new EntraEmulator({ tls, tenantId: seed.tenantId, clients: { [CLIENT_ID]: CLIENT_SECRET } });
    const graph = new GraphEmulator({ tls, entra, seed, reportPayloadVersion: options.reportPayloadVersion, writeLimit: options.writeLimit });
    await Promise.all([entra.start(), graph.start()]);
    return {
      dir, tls, seed, entra, graph,
      botEnv: {
        NODE_EXTRA_CA_CERTS: tls.certPath,
        AZURE_TENANT_ID: seed.tenantId,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        GRAPH_BASE_URL: graph.baseUrl,
        // The bot loads ./.env (dotenv/config) from the repository: a developer's real credentials or storage
        // must not leak into an emulated run, so point dotenv at a file that does not exist.
        DOTENV_CONFIG_PATH: path.join(dir, 'no-dotenv'),
      },
      async stop() {
        await Promise.all([entra.stop(), graph.stop()]);
        process.removeListener('exit', removeDir);
        removeDir();
      },
    };
  } catch (error) {
    process.removeListener('exit', removeDir);
    removeDir();
    throw error;
  }
}

/** The bot's own id as Agents Playground shows it (no MicrosoftAppId is set, so it is only a label). */
export const PLAYGROUND_BOT_ID = '28:6c1b1a4e-2f3d-4b5a-9c8d-7e6f5a4b3c2d';

/**
 * Writes an Agents Playground config (version "0.1.1") whose current user is the seed's technician, so
 * the Graph emulator knows who is typing, and whose other five users are the seed's other users.
 */
export function writePlaygroundConfig(dir: string, seed: GraphSeed, technicianId: string = TECHNICIAN_ID): string {
  const technician = seed.users.find((u) => u.id === technicianId);
  if (!technician) throw new Error(`the seed has no user ${technicianId}`);
  const others = seed.users.filter((u) => u !== technician).slice(0, 5);
  if (others.length !== 5) throw new Error('Agents Playground needs exactly five other users; the seed has fewer');
  const person = (u: GraphUser, id: string) => ({
    id,
    name: u.displayName,
    userPrincipleName: u.userPrincipalName, // sic: the Playground's key
    aadObjectId: u.id,
    givenName: u.givenName ?? u.displayName,
    surname: u.surname ?? '',
    email: u.mail ?? u.userPrincipalName,
  });
  const config = {
    version: '0.1.1',
    tenantId: seed.tenantId,
    bot: { id: PLAYGROUND_BOT_ID, name: 'AssistDesk' },
    currentUser: person(technician, `29:1${technician.id}`),
    users: others.map((u) => person(u, `29:1${u.id}`)),
    personalChat: { id: 'a:1assistdesk-personal' },
    groupChat: { id: '19:assistdesk-helpdesk@thread.v2', name: 'Helpdesk chat' },
    team: {
      id: '19:assistdesk-general@thread.tacv2',
      name: 'IT Helpdesk',
      aadGroupId: 'a1b2c3d4-0000-4000-8000-00000000e5c1',
      channels: [{ id: '19:assistdesk-escalations@thread.tacv2', name: 'Escalations' }],
    },
  };
  // JSON is YAML: no quoting rules to get wrong for names such as "Pat O'Brien" or "Иван Петров".
  const file = path.join(dir, '.m365agentsplayground.yml');
  writeFileSync(file, `# Agents Playground identities for AssistDesk (written at run time)\n${JSON.stringify(config, null, 2)}\n`);
  return file;
}

export interface PlaygroundStack {
  emulators: Emulators;
  bot: BotProcess;
  /** The current Playground; restartPlayground() replaces it. */
  playground: Playground;
  /** Between the Playground and the bot when `locale` was given: set its `locale` to change the technician's language. */
  localeProxy?: LocaleProxy;
  /** The Playground's time zone (its process TZ), which it sends as the activities' localTimezone. */
  timeZone: string;
  /** A fresh Playground (an empty chat, installed anew) on the same port, in front of the same bot and store. */
  restartPlayground(): Promise<void>;
  stop(): Promise<void>;
}

export interface PlaygroundStackOptions {
  /** The bot's port; a free one when omitted. */
  botPort?: number;
  /** The Playground's port; a free one when omitted. The CLI falls back silently, so a different port is an error. */
  playgroundPort?: number;
  /** The embedded store's folder; a fresh one under the emulators' temporary folder when omitted. */
  dataDir?: string;
  logLevel?: string;
  /** TZ of the Playground process; default Europe/Lisbon. */
  timeZone?: string;
  /** How long the bot may take to answer /healthz; default 30 s. */
  botTimeoutMs?: number;
  /**
   * The locale the bot sees on every activity. The Playground always sends en-US, so when this is given a
   * LocaleProxy between the two rewrites it (stack.localeProxy changes it later).
   */
  locale?: string;
}

/** Emulators, the bot (`node lib/index.js`, built beforehand) and Agents Playground in front of it. */
export async function startPlaygroundStack(options: PlaygroundStackOptions = {}): Promise<PlaygroundStack> {
  const timeZone = options.timeZone ?? 'Europe/Lisbon';
  const emulators = await startEmulators();
  const localeProxy = options.locale ? new LocaleProxy(options.locale) : undefined;
  let bot: BotProcess | undefined;
  let playground: Playground | undefined;
  const stop = async () => {
    // The Playground first (no more turns), then the bot (SIGTERM: it finishes turns and reports), then Graph.
    await playground?.stop().catch(() => undefined);
    await localeProxy?.stop().catch(() => undefined);
    await bot?.stop().catch(() => undefined);
    await emulators.stop();
  };
  try {
    const botPort = options.botPort ?? (await freePort());
    bot = await startBot(
      {
        ...emulators.botEnv,
        PORT: String(botPort),
        LOG_LEVEL: options.logLevel ?? 'info',
        ASSISTDESK_DATA_DIR: options.dataDir ?? path.join(emulators.dir, 'data'),
      },
      { timeoutMs: options.botTimeoutMs ?? 30_000 },
    );
    await localeProxy?.start(bot.port);
    const botEndpoint = localeProxy?.botEndpoint ?? `http://127.0.0.1:${bot.port}/api/messages`;
    const configFile = writePlaygroundConfig(emulators.dir, emulators.seed);
    const wanted = options.playgroundPort ?? (await freePort());
    const openPlayground = async () => {
      playground = await startPlayground({
        botEndpoint,
        port: wanted,
        configFile,
        env: { TZ: timeZone },
      });
      if (playground.port !== wanted) throw new Error(`Agents Playground took port ${playground.port} instead of ${wanted} (port ${wanted} is busy)`);
      return playground;
    };
    const stack: PlaygroundStack = {
      emulators, bot, playground: await openPlayground(), localeProxy, timeZone, stop,
      async restartPlayground() {
        await playground?.stop();
        stack.playground = await openPlayground();
      },
    };
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}
