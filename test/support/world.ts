// One test world: Entra, Graph and the Bot Connector emulators on loopback, and the bot as a child process.
import path from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { ConnectorEmulator } from '../emulators/connector';
import type { EntraEmulator } from '../emulators/entra';
import type { GraphEmulator, WriteLimit } from '../emulators/graph';
import type { GraphSeed } from '../emulators/seed';
import { startBot, type BotProcess } from './botProcess';
import { startEmulators } from './emulatorStack';
import type { TeamsChat } from './teams';

export { CLIENT_ID, CLIENT_SECRET } from './emulatorStack';

export interface World {
  entra: EntraEmulator;
  graph: GraphEmulator;
  connector: ConnectorEmulator;
  /** The running bot; a test may replace it after stopping it. */
  bot: BotProcess;
  seed: GraphSeed;
  /** The bot's environment, to start a second process alike. */
  env: Record<string, string>;
  chat(overrides?: Partial<TeamsChat>): TeamsChat;
  stop(): Promise<void>;
}

export interface WorldOptions {
  botEnv?: Record<string, string>;
  reportPayloadVersion?: 18 | 20;
  /** Intune's write throttle in the Graph emulator (429 past it); none when omitted. */
  writeLimit?: WriteLimit;
  /** Azure Storage shared with other processes (a test's own Azurite); otherwise the embedded SQLite store. */
  storageConnectionString?: string;
}

let conversations = 0;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const emulators = await startEmulators({ reportPayloadVersion: options.reportPayloadVersion, writeLimit: options.writeLimit });
  const connector = new ConnectorEmulator();
  await connector.start();
  const env = {
    ...emulators.botEnv,
    LOG_LEVEL: 'debug',
    // The watch for a session's link updates the card and reads Graph after the turn, into the next test's
    // recordings: off unless a test is about it (sessionLink.test.ts turns it on).
    SESSION_LINK_WAIT_SEC: '0',
    // Without Azure Storage each world keeps its own embedded SQLite file, as a first run on a laptop would.
    ...(options.storageConnectionString
      ? { AZURE_STORAGE_CONNECTION_STRING: options.storageConnectionString }
      : { ASSISTDESK_DATA_DIR: path.join(emulators.dir, 'data') }),
    ...options.botEnv,
  };
  const bot = await startBot(env);
  const { entra, graph, seed } = emulators;
  const technician = seed.users[0];
  const world: World = {
    entra, graph, connector, bot, seed, env,
    chat: (overrides = {}) => ({
      botUrl: world.bot.url,
      serviceUrl: connector.serviceUrl,
      tenantId: seed.tenantId,
      conversationId: `a:1personal-chat-${++conversations}`,
      conversationType: 'personal',
      user: { id: `29:1${technician.id}`, aadObjectId: technician.id, name: technician.displayName! },
      timeZone: 'Europe/Lisbon',
      locale: 'en-US',
      ...overrides,
    }),
    async stop() {
      try {
        await world.bot.stop();
      } finally {
        await connector.stop();
        await emulators.stop();
      }
    },
  };
  return world;
}

/**
 * One world for a test file: started before its tests, stopped after, with the emulators' recordings and
 * faults cleared before each test. `use` receives it once started.
 */
export function useWorld(use: (world: World) => void, options: WorldOptions = {}): void {
  let world: World | undefined;
  before(async () => {
    world = await startWorld(options);
    use(world);
  });
  after(async () => world?.stop());
  beforeEach(() => {
    world!.graph.reset();
    world!.connector.reset();
  });
}
