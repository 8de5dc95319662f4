// The whole product in a browser: Microsoft 365 Agents Playground (offline) in Debian's Chromium, in front of
// the built bot (`node lib/index.js`, a child process) and the loopback Entra and Graph emulators, once for each
// language the bot speaks. The Playground sends `locale: en-US` on every activity, so a LocaleProxy between it
// and the bot gives the bot the technician's language (test/support/localeProxy.ts).
// Run: npm run build && node --test --import tsx test/browser/playground.test.ts
// Leaves docs/playground.png (en-US) and docs/playground-<locale>.png: the chat with the reported session's record card,
// and docs/playground-session-link.png: the live card once Intune's session link is on it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { messagesFor, type Messages } from '../../src/i18n/messages';
import { ROOT } from '../support/botProcess';
import { startPlaygroundStack, type PlaygroundStack } from '../support/emulatorStack';
import { waitFor } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
/** The Playground's (and so the technician's) time zone; BROWSER_TEST_TZ overrides it, e.g. to try a zone where it is just past midnight. */
const TIME_ZONE = process.env.BROWSER_TEST_TZ || 'Europe/Lisbon';
/** Each language the bot speaks, one chat each; English first, as the README's first picture. */
const LANGUAGES = ['en-US', 'pt-BR', 'es-ES', 'ru-RU'];
const LINK_SCREENSHOT = path.join(ROOT, 'docs', 'playground-session-link.png');
const screenshotOf = (locale: string) => path.join(ROOT, 'docs', locale === 'en-US' ? 'playground.png' : `playground-${locale}.png`);
const LOOPBACK = /^https?:\/\/(localhost|127\.0\.0\.1)[:/]/;

let stack: PlaygroundStack | undefined;
let browser: Browser | undefined;
let page: Page;

/** The newest Adaptive Card in the chat; card updates (invoke responses and PUTs) replace it in place. */
const lastCard = () => page.locator('.ac-adaptiveCard').last();

/** An input of the card, found through its label's `for` (labels are rich text, so role names are unreliable). */
async function inputLabelled(card: Locator, label: RegExp): Promise<Locator> {
  const id = await card.locator('label', { hasText: label }).first().getAttribute('for');
  assert.ok(id, `no label ${label} on the card`);
  return card.locator(`[id="${id}"]`);
}

/** Text as it starts a label: the catalogue's words, taken literally. */
const startingWith = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** A date and time as the technician should read it, computed apart from the bot: Intl, their locale and zone. */
const readAs = (iso: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: 'numeric' }).format(new Date(iso));

/** White space as one plain space (Intl and the page use narrow and no-break spaces). */
const plain = (text: string) => text.replace(/\s+/g, ' ');

async function send(text: string): Promise<void> {
  const composer = page.locator('[data-lexical-editor="true"]');
  await composer.click();
  await composer.pressSequentially(text);
  await composer.press('Enter');
}

/** On failure: a screenshot and the tails of the bot's and the Playground's logs, to see what happened. */
async function explain(error: unknown, name: string): Promise<never> {
  const shot = path.join(os.tmpdir(), `assistdesk-browser-${name}-${Date.now()}.png`);
  await page?.screenshot({ path: shot }).catch(() => undefined);
  const detail = [
    `screenshot: ${shot}`,
    `--- bot (last 4000 chars) ---\n${stack?.bot.output().slice(-4000) ?? ''}`,
    `--- Playground log (last 4000 chars) ---\n${stack?.playground.log().slice(-4000) ?? ''}`,
  ].join('\n');
  if (error instanceof Error) {
    error.message += `\n${detail}`;
    throw error;
  }
  throw new Error(`${String(error)}\n${detail}`);
}

describe('AssistDesk in Microsoft 365 Agents Playground', { timeout: 300_000 }, () => {
  before(async () => {
    stack = await startPlaygroundStack({ timeZone: TIME_ZONE, logLevel: 'debug', locale: LANGUAGES[0] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    });
  }, { timeout: 60_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop();
  }, { timeout: 40_000 });

  for (const locale of LANGUAGES) {
    describe(`a technician whose Teams speaks ${locale}`, () => {
      const m: Messages = messagesFor(locale);

      before(async () => {
        // A chat of its own for each language (the Playground keeps its history while it runs), so the
        // installation greeting, too, reaches the bot in this language; the bot, its store and Graph stay.
        stack!.localeProxy!.locale = locale;
        if (page) {
          await page.context().close();
          await stack!.restartPlayground();
        }
        const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale, timezoneId: TIME_ZONE });
        // The page asks a CDN for fonts and scripts it does without: nothing leaves loopback.
        await context.route('**/*', (route) => (LOOPBACK.test(route.request().url()) ? route.continue() : route.abort()));
        page = await context.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(stack!.playground.url);
        await page.locator('[data-lexical-editor="true"]').waitFor({ state: 'visible', timeout: 30_000 });
        // The Playground's own log panel takes a third of the page; the chat reads better without it.
        await page.locator('button[title="Hide log panel"]').click({ timeout: 5_000 }).catch(() => undefined);
      }, { timeout: 60_000 });

      it(`${locale}: types the help card's command, logs the session in one click and sees the record, all in ${locale}`, { timeout: 90_000 }, async () => {
        try {
          const graph = stack!.emulators.graph;
          const requestsBefore = graph.assistanceRequests.length;
          const reportsBefore = graph.reports.length;
          const card = lastCard();
          // The greeting's help card shows the command in this language: the technician types what it says.
          const command = m.t('help.assist.command');
          await card.getByText(m.t('help.title'), { exact: true }).waitFor({ timeout: 30_000 });
          await card.getByText(command, { exact: true }).waitFor();
          await send(command);
          await card.getByText(m.t('session.title'), { exact: true }).waitFor({ timeout: 30_000 });
          await card.getByText(m.t('session.subtitle', { deviceName: 'LAPTOP-42' }), { exact: true }).waitFor();
          assert.equal(graph.assistanceRequests.length, requestsBefore + 1);
          // A second later Intune's session link is known and the card is updated in place, once: it then offers
          // both links (the renderer gives Action.OpenUrl the role of a link). Waited for before touching the
          // form, since an update resets what was typed.
          await card.getByRole('link', { name: m.t('session.openSession'), exact: true }).waitFor({ timeout: 15_000 });
          await card.getByRole('link', { name: m.t('session.openInIntune'), exact: true }).waitFor();
          if (locale === 'en-US') {
            await card.scrollIntoViewIfNeeded();
            await page.screenshot({ path: LINK_SCREENSHOT });
          }

          // One click: the type (full control the first time, then the one used last: full control again) and the
          // technician's device are preselected, and the times, "since the request, until now", sit folded behind
          // "Adjust times".
          const requestedAt = graph.requests.filter((r) => r.url.pathname.endsWith('/requestRemoteAssistance')).at(-1)!.at;
          const sessionType = await inputLabelled(card, startingWith(m.t('session.sessionType')));
          assert.equal(await sessionType.inputValue(), m.t('sessionType.fullControl'));
          const helperDevice = await inputLabelled(card, startingWith(m.t('session.helperDevice')));
          assert.equal(await helperDevice.inputValue(), 'ALEX-WS01 (Windows 10.0.22631.4317)');
          const minutes = card.getByLabel(startingWith(m.t('session.endedMinutesAgo')));
          assert.equal(await minutes.count(), 0, 'the minutes are hidden until asked for');
          const adjust = card.getByRole('button', { name: m.t('session.adjustTimes'), exact: true });
          await adjust.click();
          await minutes.first().waitFor();
          await adjust.click();

          await card.getByRole('button', { name: m.t('session.submit'), exact: true }).click();
          // The invoke answers "Sending the report…"; the worker reports, then PUTs the record in its place.
          await card.getByText(m.t('record.title.reported'), { exact: true }).waitFor({ timeout: 30_000 });

          await new Promise((r) => setTimeout(r, 500)); // nothing more should arrive
          assert.equal(graph.reports.length, reportsBefore + 1, 'exactly one report reached Graph');
          const report = graph.reports.at(-1) as Record<string, string>;
          assert.equal(report.sharerDeviceName, 'LAPTOP-42');
          assert.equal(report.remoteAssistanceSessionType, 'fullControl');
          assert.equal(report.helperDeviceName, 'ALEX-WS01');
          assert.equal(report.helperEmail, 'alex.tech@contoso.example');
          // From the request (to its second) until the click, in the Playground's zone.
          const offset = DateTime.now().setZone(TIME_ZONE).toFormat('ZZ');
          assert.ok(report.startDateTime.endsWith(offset) && report.endDateTime.endsWith(offset), `${report.startDateTime} – ${report.endDateTime} in ${TIME_ZONE}`);
          assert.ok(Date.parse(report.startDateTime) >= Math.floor(requestedAt / 1000) * 1000, 'the start is when Intune was asked, not before');
          assert.ok(Date.parse(report.endDateTime) > Date.parse(report.startDateTime), 'the end is the click, after it');

          // The record, in this language, with the start and end as the technician reads dates in it and their zone.
          const record = plain(await card.innerText());
          const minutesLogged = Math.round((Date.parse(report.endDateTime) - Date.parse(report.startDateTime)) / 60_000);
          for (const fact of [
            m.t('record.technician'), 'Alex Tech', 'LAPTOP-42',
            m.t('record.sessionType'), m.t('sessionType.fullControl'),
            m.t('record.start'), readAs(report.startDateTime, locale),
            m.t('record.end'), readAs(report.endDateTime, locale),
            m.t('record.duration'), m.t('duration', { hours: Math.floor(minutesLogged / 60), minutes: minutesLogged % 60 }),
            m.t('record.reportedAt'),
          ]) {
            assert.ok(record.includes(plain(fact)), `the record card lacks "${fact}":\n${record}`);
          }
          assert.equal(await card.locator('input, textarea, select, [role="combobox"]').count(), 0, 'the record card has no inputs');
          assert.equal(await card.getByRole('button').count(), 0, 'the record card has no buttons');

          // The picture in the README: the record card in view.
          await card.scrollIntoViewIfNeeded();
          mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
          await page.screenshot({ path: screenshotOf(locale) });
        } catch (error) {
          await explain(error, `report-${locale}`);
        }
      });

      it(`${locale}: says which name found nothing`, { timeout: 30_000 }, async () => {
        try {
          const graph = stack!.emulators.graph;
          const lookups = () => graph.requests.filter((r) => r.url.search.includes('NOPE-99')).length;
          const lookupsBefore = lookups();
          const reportsBefore = graph.reports.length;
          await send(m.t('help.assist.command').replace('LAPTOP-42', 'NOPE-99'));
          await page.getByText(m.t('find.notFound', { deviceName: 'NOPE-99' }), { exact: true }).last().waitFor({ timeout: 20_000 });
          await waitFor(() => lookups() > lookupsBefore, 5_000, 'the device lookup');
          assert.equal(graph.reports.length, reportsBefore, 'no further report');
        } catch (error) {
          await explain(error, `not-found-${locale}`);
        }
      });
    });
  }
});
