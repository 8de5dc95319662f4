// The turn on a request src/index.ts has already authenticated: botbuilder's CloudAdapter with its Bot
// Connector and user token clients kept, and the activity's timestamps made Dates as adapter.process makes them.
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { ClaimsIdentity, UserTokenClient } from 'botframework-connector';

export type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

type ConnectorFactory = NonNullable<Authenticated['connectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** Service URLs (one per Teams region) times audiences: a handful; the bound only guards against a flood. */
const MAX_KEPT_CLIENTS = 100;

/** The bot identity a token named: all botbuilder builds a client's credentials from. */
function identityOf(claimsIdentity: ClaimsIdentity): string {
  const claim = (type: string) => claimsIdentity.claims.find((c) => c.type === type)?.value ?? '';
  return `${claim('aud')}|${claim('appid')}|${claim('azp')}`;
}

/** One client per key, made once; a failed creation is not kept, so the next turn tries again. */
function keptClients<T>(): (key: string, create: () => Promise<T>) => Promise<T> {
  const clients = new Map<string, Promise<T>>();
  return (key, create) => {
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= MAX_KEPT_CLIENTS) clients.clear();
      client = create();
      client.catch(() => clients.delete(key));
      clients.set(key, client);
    }
    return client;
  };
}

/**
 * botbuilder's authentication, with the user token client kept per bot identity: CloudAdapter asks for a new
 * one, a ServiceClient and its whole pipeline, on every turn (about 3 % of a lookup turn's CPU,
 * docs/BENCHMARKS.md), though AssistDesk never calls the Bot Framework token service (single sign-on
 * exchanges the technician's token with Entra itself).
 */
export class BotAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly userTokenClients = keptClients<UserTokenClient>();

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients(identityOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }
}

/**
 * CloudAdapter that runs a turn on a request already authenticated (its processActivity is protected), with
 * the Bot Connector clients kept: botbuilder builds one, a ServiceClient and its whole pipeline, for every
 * turn otherwise (about 4 % of a lookup turn's CPU, docs/BENCHMARKS.md). A client is kept per service URL,
 * outbound audience and bot identity.
 */
export class AuthenticatedAdapter extends CloudAdapter {
  private readonly connectors = keptClients<ConnectorClient>();

  runTurn(authenticated: Authenticated, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity({ ...authenticated, connectorFactory: this.keptConnectors(authenticated) }, activity, logic);
  }

  private keptConnectors({ connectorFactory, claimsIdentity }: Authenticated): ConnectorFactory | undefined {
    if (!connectorFactory) return undefined;
    const identity = identityOf(claimsIdentity);
    const create = (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
      this.connectors(`${identity}|${serviceUrl}|${audience ?? ''}`, () => connectorFactory.create(serviceUrl, audience));
    return { create } as ConnectorFactory;
  }
}

/**
 * The activity's timestamps as Dates, as botbuilder's adapter.process hands them to a turn (its
 * validateAndFixActivity, which botbuilder does not export): the wire strings are kept in raw*.
 */
export function withDates(activity: Activity): Activity {
  const wire = activity as Activity & Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = wire[field];
    if (typeof value === 'string') {
      wire[raw] = value;
      wire[field] = new Date(value);
    }
  }
  return activity;
}
