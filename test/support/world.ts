// One test world: Entra, Graph and the Bot Connector emulators on loopback, and the bot as a child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectorEmulator } from '../emulators/connector';
import { EntraEmulator } from '../emulators/entra';
import { GraphEmulator } from '../emulators/graph';
import { makeDemoSeed, type GraphSeed } from '../emulators/seed';
import { makeLoopbackTls } from '../emulators/tls';
import { startBot, type BotProcess } from './botProcess';
import type { TeamsChat } from './teams';

export const CLIENT_ID = '3f0c9a8e-1b2d-4c5e-8f70-9a1b2c3d4e5f';
export const CLIENT_SECRET = 'emulator-client-secret-value-123';

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

let conversations = 0;

export interface WorldOptions {
  botEnv?: Record<string, string>;
  reportPayloadVersion?: 18 | 20;
  /** Storage shared with other processes (a test's own Azurite); otherwise the bot embeds its own. */
  storageConnectionString?: string;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'assistdesk-'));
  const tls = makeLoopbackTls(dir);
  const seed = makeDemoSeed();
  const entra = new EntraEmulator({ tls, tenantId: seed.tenantId, clients: { [CLIENT_ID]: CLIENT_SECRET } });
  const graph = new GraphEmulator({ tls, entra, seed, reportPayloadVersion: options.reportPayloadVersion });
  const connector = new ConnectorEmulator();
  await Promise.all([entra.start(), graph.start(), connector.start()]);
  const env = {
    NODE_EXTRA_CA_CERTS: tls.certPath,
    AZURE_TENANT_ID: seed.tenantId,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: entra.authorityHost,
    GRAPH_BASE_URL: graph.baseUrl,
    LOG_LEVEL: 'debug',
    // Without shared storage each world keeps its own embedded Azurite data, as a first run on a laptop would.
    ...(options.storageConnectionString
      ? { AZURE_STORAGE_CONNECTION_STRING: options.storageConnectionString }
      : { ASSISTDESK_DATA_DIR: path.join(dir, 'data') }),
    ...options.botEnv,
  };
  const bot = await startBot(env);
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
      await world.bot.stop();
      await Promise.all([entra.stop(), graph.stop(), connector.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
