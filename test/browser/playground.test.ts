// The whole product in a browser: Microsoft 365 Agents Playground (offline) in Debian's Chromium, in front of
// the built bot (`node lib/index.js`, a child process) and the loopback Entra and Graph emulators.
// Run: npm run build && node --test --import tsx test/browser/playground.test.ts
// Leaves docs/playground.png: the Playground with the reported session's record card.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../support/botProcess';
import { startPlaygroundStack, type PlaygroundStack } from '../support/emulatorStack';
import { waitFor } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
/** The Playground's (and so the technician's) time zone; BROWSER_TEST_TZ overrides it, e.g. to try a zone where it is just past midnight. */
const TIME_ZONE = process.env.BROWSER_TEST_TZ || 'Europe/Lisbon';
const SCREENSHOT = path.join(ROOT, 'docs', 'playground.png');
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

describe('AssistDesk in Microsoft 365 Agents Playground', { timeout: 150_000 }, () => {
  before(async () => {
    stack = await startPlaygroundStack({ timeZone: TIME_ZONE, logLevel: 'debug' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: TIME_ZONE });
    // The page asks a CDN for fonts and scripts it does without: nothing leaves loopback.
    await context.route('**/*', (route) => (LOOPBACK.test(route.request().url()) ? route.continue() : route.abort()));
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(stack.playground.url);
    await page.locator('[data-lexical-editor="true"]').waitFor({ state: 'visible', timeout: 30_000 });
    // The Playground's own log panel takes a third of the page; the chat reads better without it.
    await page.locator('button[title="Hide log panel"]').click({ timeout: 5_000 }).catch(() => undefined);
  }, { timeout: 60_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop();
  }, { timeout: 40_000 });

  it('requests assistance on LAPTOP-42, reports the session from the card and shows the record', { timeout: 90_000 }, async () => {
    try {
      const graph = stack!.emulators.graph;
      const card = lastCard();
      await send('help me with device LAPTOP-42');
      await card.getByText('Remote assistance requested', { exact: true }).waitFor({ timeout: 30_000 });
      await card.getByText('Intune asked LAPTOP-42 for a session', { exact: false }).waitFor();
      assert.equal(graph.assistanceRequests.length, 1);

      // The start is prefilled with now, in the Playground's time zone (the activity's localTimezone).
      const startDate = await inputLabelled(card, /^Start date/);
      const startTime = await inputLabelled(card, /^Start time/);
      const endDate = await inputLabelled(card, /^End date/);
      const endTime = await inputLabelled(card, /^End time/);
      const prefilledDate = DateTime.fromFormat(await startDate.inputValue(), 'LLLL d, yyyy', { locale: 'en-US', zone: TIME_ZONE });
      const prefilledTime = DateTime.fromFormat(await startTime.inputValue(), 'h:mm a', { locale: 'en-US', zone: TIME_ZONE });
      assert.ok(prefilledDate.isValid && prefilledTime.isValid, `prefilled start: "${await startDate.inputValue()}" "${await startTime.inputValue()}"`);
      const prefilled = prefilledDate.set({ hour: prefilledTime.hour, minute: prefilledTime.minute });
      const now = DateTime.now().setZone(TIME_ZONE);
      assert.ok(Math.abs(now.diff(prefilled, 'minutes').minutes) <= 2, `prefilled start ${prefilled.toISO()} is not now (${now.toISO()})`);
      assert.ok((await card.innerText()).includes(`Times are in ${TIME_ZONE}.`));

      const sessionType = await inputLabelled(card, /^Session type/);
      await sessionType.click();
      await page.getByRole('option', { name: 'Full control', exact: true }).click();
      assert.equal(await sessionType.inputValue(), 'Full control');

      // The session started when Intune was asked (the prefilled start; it cannot be earlier) and ends a
      // minute from now (within the allowed clock skew); dates typed only where they differ from the
      // prefilled ones (just before midnight the end falls on the next day).
      const end = DateTime.now().setZone(TIME_ZONE).plus({ minutes: 1 }).startOf('minute');
      const shown = async (input: Locator) => DateTime.fromFormat(await input.inputValue(), 'LLLL d, yyyy', { locale: 'en-US', zone: TIME_ZONE }).toISODate();
      for (const [dateInput, timeInput, at] of [[endDate, endTime, end]] as const) {
        if ((await shown(dateInput)) !== at.toISODate()) {
          await dateInput.fill(at.toFormat('MM/dd/yyyy'));
          await dateInput.press('Tab');
          assert.equal(await shown(dateInput), at.toISODate());
        }
        await timeInput.fill(at.toFormat('HH:mm'));
        await timeInput.press('Tab');
      }
      const helperDevice = await inputLabelled(card, /^Your device/);
      assert.equal(await helperDevice.inputValue(), 'ALEX-WS01 (Windows 10.0.22631.4317)');

      await card.getByRole('button', { name: 'Submit report', exact: true }).click();
      // The invoke answers "Sending the report…"; the worker reports, then PUTs the record in its place.
      await card.getByText('Remote assistance session reported', { exact: true }).waitFor({ timeout: 30_000 });

      await new Promise((r) => setTimeout(r, 500)); // nothing more should arrive
      assert.equal(graph.reports.length, 1, 'exactly one report reached Graph');
      const report = graph.reports[0] as Record<string, string>;
      const iso = (t: DateTime) => t.toFormat("yyyy-MM-dd'T'HH:mm':00'ZZ");
      assert.equal(report.sharerDeviceName, 'LAPTOP-42');
      assert.equal(report.remoteAssistanceSessionType, 'fullControl');
      assert.equal(report.helperDeviceName, 'ALEX-WS01');
      assert.equal(report.helperEmail, 'alex.tech@contoso.example');
      assert.equal(report.startDateTime, iso(prefilled));
      assert.equal(report.endDateTime, iso(end));

      const record = await card.innerText();
      const minutes = `${Math.round(end.diff(prefilled, 'minutes').minutes)} min`;
      for (const fact of ['Alex Tech', 'LAPTOP-42', 'Full control', minutes, 'Reported at']) assert.ok(record.includes(fact), `record card lacks "${fact}":\n${record}`);
      assert.equal(await card.locator('input, textarea, select, [role="combobox"]').count(), 0, 'the record card has no inputs');
      assert.equal(await card.getByRole('button').count(), 0, 'the record card has no buttons');

      // The picture in the README: the record card in view.
      await card.scrollIntoViewIfNeeded();
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    } catch (error) {
      await explain(error, 'report');
    }
  });

  it('says which name found nothing', { timeout: 30_000 }, async () => {
    try {
      await send('help me with device NOPE-99');
      await page.getByText(/I found no Intune device named .NOPE-99./).last().waitFor({ timeout: 20_000 });
      await waitFor(() => stack!.emulators.graph.requests.some((r) => r.url.search.includes('NOPE-99')), 5_000, 'the device lookup');
      assert.equal(stack!.emulators.graph.reports.length, 1, 'no further report');
    } catch (error) {
      await explain(error, 'not-found');
    }
  });
});
