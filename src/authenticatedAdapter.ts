// The turn on a request src/index.ts has already authenticated: botbuilder's CloudAdapter with its Bot
// Connector clients kept, and the activity's timestamps made Dates as adapter.process makes them.
import { type Activity, CloudAdapter, type ConfigurationBotFrameworkAuthentication, type InvokeResponse, type TurnContext } from 'botbuilder';

export type Authenticated = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

type ConnectorFactory = NonNullable<Authenticated['connectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** Service URLs (one per Teams region) times audiences: a handful; the bound only guards against a flood. */
const MAX_KEPT_CONNECTORS = 100;

/**
 * CloudAdapter that runs a turn on a request already authenticated (its processActivity is protected), with
 * the Bot Connector clients kept: botbuilder builds one, a ServiceClient and its whole pipeline, for every
 * turn otherwise (about 4 % of a lookup turn's CPU, docs/BENCHMARKS.md). A client is kept per service URL,
 * outbound audience and the bot identity the token named, which is all botbuilder builds it from.
 */
export class AuthenticatedAdapter extends CloudAdapter {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();

  runTurn(authenticated: Authenticated, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity({ ...authenticated, connectorFactory: this.keptConnectors(authenticated) }, activity, logic);
  }

  private keptConnectors({ connectorFactory, claimsIdentity }: Authenticated): ConnectorFactory | undefined {
    if (!connectorFactory) return undefined;
    const claim = (type: string) => claimsIdentity.claims.find((c) => c.type === type)?.value ?? '';
    const identity = `${claim('aud')}|${claim('appid')}|${claim('azp')}`;
    const create = (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
      const key = `${identity}|${serviceUrl}|${audience ?? ''}`;
      let client = this.connectors.get(key);
      if (!client) {
        if (this.connectors.size >= MAX_KEPT_CONNECTORS) this.connectors.clear();
        client = connectorFactory.create(serviceUrl, audience);
        // A failed creation is not kept: the next turn tries again.
        client.catch(() => this.connectors.delete(key));
        this.connectors.set(key, client);
      }
      return client;
    };
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
