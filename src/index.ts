// The process edge: configuration, the HTTP server, botbuilder's adapter, and shutdown.
import 'dotenv/config';
// Before anything loads http: the telemetry SDK (when configured) must patch it first.
import { shutdownTelemetry } from './telemetry/start';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { AuthenticatedAdapter, BotAuthentication, withDates, type Authenticated } from './authenticatedAdapter';
import * as restify from 'restify';
import { AssistBot, TeamsSessionCards } from './bot/assistBot';
import { botManagedIdentity } from './botIdentity';
import { TeamsRequestNotices } from './bot/requestNotices';
import { composeApp } from './compose';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { messagesFor } from './i18n/messages';
import { createLogger, withLogFields } from './log';
import { inSpan, nameRequestSpan } from './telemetry/spans';

/** Largest activity we accept; Teams activities are a few kilobytes. */
const MAX_BODY_BYTES = 256 * 1024;
/** Within the platform's usual 30 s between SIGTERM and SIGKILL. */
const SHUTDOWN_GRACE_MS = 20_000;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`AssistDesk cannot start. ${error.message}\n`);
    process.exit(1);
  }
}

/** Just enough of an activity for botbuilder to route it; anything else is the caller's mistake (400). */
function looksLikeActivity(body: unknown): boolean {
  const activity = body as { type?: unknown; conversation?: { id?: unknown }; serviceUrl?: unknown } | undefined;
  return typeof activity === 'object' && activity !== null && !Array.isArray(activity)
    && typeof activity.type === 'string' && typeof activity.serviceUrl === 'string' && typeof activity.conversation?.id === 'string';
}

/**
 * restify 12 builds each request's URL with WHATWG URL from the Host header and the target, and does not catch
 * the throw of one that does not parse (Host: "a b"): uncaught, one request would end the process. Refuse those
 * before restify routes them, with the same two forms of URL it builds.
 */
function refuseUnparsableUrl(req: restify.Request, res: restify.Response, next: restify.Next): void {
  const base = `http://${req.headers.host ?? 'localhost'}`;
  const target = req.url ?? '';
  if (target.startsWith('/') ? URL.canParse(base + target) : URL.canParse(target, base)) {
    next();
    return;
  }
  res.send(400, { error: 'The Host header and the request target must form a valid URL.' });
  next(false);
}

/** Why botbuilder refused a request, for the log: the message only, with anything token-like masked. */
function authRefusalReason(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.replace(/eyJ[\w-]*(\.[\w-]*){0,2}/g, '[token]').slice(0, 300);
}

/** botbuilder's AuthenticationError with a 5xx status (metadata or keys answered an error) or a failed fetch of them. */
function signingKeysUnavailable(error: unknown): boolean {
  const { name, statusCode } = (error ?? {}) as { name?: string; statusCode?: number };
  return name === 'FetchError' || (typeof statusCode === 'number' && statusCode >= 500);
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.logLevel);
  if (!config.bot.appId) {
    log.warn('MicrosoftAppId is not set: accepting unauthenticated requests, as the Bot Framework does for local testing. Set it in production.');
  }
  if (config.access.anyUserActs && !config.access.technicianGroupId) {
    log.warn({ tenants: config.access.allowedTenantIds }, 'ALLOW_ANY_USER_AS_TECHNICIAN=true: every user of the allowed tenants may look up devices and ask Intune for remote assistance. Set TECHNICIAN_GROUP_ID to limit it to technicians.');
  }

  const botCredentials = config.bot.managedIdentity && config.bot.appId ? botManagedIdentity(config.bot.appId) : undefined;
  const auth = new BotAuthentication(config.bot.environment as ConfigurationBotFrameworkAuthenticationOptions, botCredentials);
  const adapter = new AuthenticatedAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    // Full detail to the log; the technician gets one plain sentence and never a stack trace.
    log.error({ err: error, activityType: context.activity.type }, 'turn failed');
    if (context.activity.type === 'message') {
      await context.sendActivity(messagesFor(context.activity.locale).t('error.generic')).catch(() => undefined);
    }
  };
  const sessionCards = new TeamsSessionCards(adapter, config.bot.appId ?? '');
  const app = await composeApp(config, log, sessionCards, new TeamsRequestNotices(adapter, config.bot.appId ?? '', config.requests.helpdeskChannelId));
  const bot = new AssistBot(app.useCases, sessionCards, log, app.metrics);

  // Turns in flight, so a shutdown can let them finish.
  const inFlight = new Set<Promise<unknown>>();
  const server = restify.createServer({ name: 'assistdesk' });
  server.pre(refuseUnparsableUrl);
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false }));
  server.post('/api/messages', async (req, res) => {
    nameRequestSpan('/api/messages', 'POST');
    if (!looksLikeActivity(req.body)) {
      res.send(400, { error: 'The body must be a Bot Framework activity (JSON with type, serviceUrl and conversation.id).' });
      return;
    }
    // Authenticate first: stock CloudAdapter.process answers 500, not 401, to some forged tokens (a known kid
    // signed by another key, alg none, HS256, not yet valid) because botbuilder rethrows jsonwebtoken's errors.
    // Any rejection is a 401 and nothing of the activity runs. Without MicrosoftAppId this accepts everything
    // (local testing), exactly as adapter.process does. The turn then runs on this result, so the token is
    // checked once (adapter.process would check it again, and re-validate the body with zod schemas it
    // builds per request).
    let authenticated: Authenticated;
    try {
      authenticated = await auth.authenticateRequest(req.body as Activity, req.headers.authorization ?? '');
    } catch (error) {
      // The reason only, never the header. Keys that cannot be fetched are the operator's problem: log an error.
      const keysUnavailable = signingKeysUnavailable(error);
      log[keysUnavailable ? 'error' : 'warn'](
        { reason: authRefusalReason(error), channelId: req.body.channelId },
        keysUnavailable ? 'refused an activity: the channel\'s signing keys could not be loaded' : 'refused an activity: its token did not authenticate',
      );
      res.send(401, { error: 'Unauthorized' });
      return;
    }
    // Every record written while this turn runs (onTurnError included) carries its activity and conversation;
    // the turn's span is a child of the request's, and the bot names it after the command or verb.
    const activity = withDates(req.body as Activity);
    const turn = withLogFields({ activityId: activity.id, conversationId: activity.conversation?.id }, () =>
      adapter.runTurn(authenticated, activity, (context) => inSpan('turn', () => bot.run(context), { 'assistdesk.activity.type': String(activity.type) })),
    );
    inFlight.add(turn);
    try {
      // As adapter.process answers: an invoke's response, else 200 with no body.
      const invokeResponse = await turn;
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body) res.send(invokeResponse.body);
      res.end();
    } catch (error) {
      // onTurnError has logged the turn's failure and told the technician; this is what it rethrew.
      log.error({ err: error }, 'turn could not be completed');
      res.status(500);
      res.end();
    } finally {
      inFlight.delete(turn);
    }
  });
  // Liveness: the process answers. Readiness: it can also reach storage and the queue.
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  server.get('/readyz', async (_req, res) => {
    try {
      await app.ready();
      res.send(200, { status: 'ready' });
    } catch (error) {
      log.warn({ err: error }, 'not ready');
      res.send(503, { status: 'unavailable', reason: 'storage unreachable' });
    }
  });

  // Unauthenticated (no MicrosoftAppId) means local testing: then only this machine may talk to the bot.
  const host = config.bot.appId ? '::' : '127.0.0.1';
  server.listen(config.port, host, () => log.info({ port: config.port, host }, `AssistDesk listening on ${server.url}/api/messages`));
  app.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, turns: inFlight.size }, 'shutting down: finishing turns and queued reports in hand');
    // Stop taking requests, let current turns and the worker's batch finish, then stop storage.
    server.close();
    const grace = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    grace.unref();
    try {
      // Turns accepted while earlier ones finished are waited for too.
      while (inFlight.size) await Promise.allSettled([...inFlight]);
      // Requests still waiting for Intune's write budget are not made: their technicians are told to ask again.
      app.useCases.start.abandonWaiting();
      await bot.settled();
      // The last spans and metrics are exported while the store can still say how deep the outbox is.
      await app.stop(() => shutdownTelemetry().catch((error) => log.warn({ err: error }, 'telemetry could not be flushed')));
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown did not complete cleanly');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`AssistDesk failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
