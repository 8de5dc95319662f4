// The process edge: configuration, the HTTP server, botbuilder's adapter, and shutdown.
import 'dotenv/config';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import * as restify from 'restify';
import { AssistBot } from './bot/assistBot';
import { composeUseCases } from './compose';
import { botEnvironment, ConfigError, loadConfig, type AppConfig } from './config';
import { messagesFor } from './i18n/messages';
import { createLogger } from './log';

/** Largest activity we accept; Teams activities are a few kilobytes. */
const MAX_BODY_BYTES = 256 * 1024;

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

function main(): void {
  const config = readConfig();
  const log = createLogger(config.logLevel);
  if (!config.bot.appId) {
    log.warn('MicrosoftAppId is not set: accepting unauthenticated requests, as the Bot Framework does for local testing. Set it in production.');
  }

  const auth = new ConfigurationBotFrameworkAuthentication(botEnvironment(process.env) as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    // Full detail to the log; the technician gets one plain sentence and never a stack trace.
    log.error({ err: error, activityType: context.activity.type }, 'turn failed');
    if (context.activity.type === 'message') {
      await context.sendActivity(messagesFor(context.activity.locale).t('error.generic')).catch(() => undefined);
    }
  };
  const bot = new AssistBot(composeUseCases(config, log), log);

  const server = restify.createServer({ name: 'assistdesk' });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false }));
  server.post('/api/messages', async (req, res) => {
    if (!looksLikeActivity(req.body)) {
      res.send(400, { error: 'The body must be a Bot Framework activity (JSON with type, serviceUrl and conversation.id).' });
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.listen(config.port, () => log.info({ port: config.port }, `AssistDesk listening on ${server.url}/api/messages`));

  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close(() => process.exit(0));
    // Keep-alive connections must not hold the process past the platform's grace period.
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main();
