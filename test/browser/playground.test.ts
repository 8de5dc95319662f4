// The whole product in a browser: Microsoft 365 Agents Playground (offline) in Debian's Chromium, in front of
// the built bot (`node lib/index.js`, a child process) and the loopback Entra and Graph emulators.
// Run: npm run build && node --test --import tsx test/browser/playground.test.ts
// Leaves docs/playground.png: the Playground with the reported session's record card, and
// docs/playground-session-link.png: the live card once Intune's session link is on it.
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
const LINK_SCREENSHOT = path.join(ROOT, 'docs', 'playground-session-link.png');
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
      // A second later Intune's session link is known and the card is updated in place, once: it then offers
      // both links (the renderer gives Action.OpenUrl the role of a link). Waited for before touching the
      // form, since an update resets what was typed.
      await card.getByRole('link', { name: 'Open session', exact: true }).waitFor({ timeout: 15_000 });
      await card.getByRole('link', { name: 'Open in Intune', exact: true }).waitFor();
      await card.scrollIntoViewIfNeeded();
      mkdirSync(path.dirname(LINK_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: LINK_SCREENSHOT });

      // One click: the type (full control the first time) and the technician's device are preselected, and
      // the times, "since the request, until now", sit folded behind "Adjust times".
      const requestedAt = graph.requests.find((r) => r.url.pathname.endsWith('/requestRemoteAssistance'))!.at;
      const sessionType = await inputLabelled(card, /^Session type/);
      assert.equal(await sessionType.inputValue(), 'Full control');
      const helperDevice = await inputLabelled(card, /^Your device/);
      assert.equal(await helperDevice.inputValue(), 'ALEX-WS01 (Windows 10.0.22631.4317)');
      assert.equal(await card.getByLabel(/^Ended how many minutes ago/).count(), 0, 'the minutes are hidden until asked for');
      await card.getByRole('button', { name: 'Adjust times', exact: true }).click();
      await card.getByLabel(/^Ended how many minutes ago/).first().waitFor();
      await card.getByRole('button', { name: 'Adjust times', exact: true }).click();

      await card.getByRole('button', { name: 'Log session', exact: true }).click();
      // The invoke answers "Sending the report…"; the worker reports, then PUTs the record in its place.
      await card.getByText('Remote assistance session reported', { exact: true }).waitFor({ timeout: 30_000 });

      await new Promise((r) => setTimeout(r, 500)); // nothing more should arrive
      assert.equal(graph.reports.length, 1, 'exactly one report reached Graph');
      const report = graph.reports[0] as Record<string, string>;
      assert.equal(report.sharerDeviceName, 'LAPTOP-42');
      assert.equal(report.remoteAssistanceSessionType, 'fullControl');
      assert.equal(report.helperDeviceName, 'ALEX-WS01');
      assert.equal(report.helperEmail, 'alex.tech@contoso.example');
      // From the request (to its second) until the click, in the Playground's zone.
      const offset = DateTime.now().setZone(TIME_ZONE).toFormat('ZZ');
      assert.ok(report.startDateTime.endsWith(offset) && report.endDateTime.endsWith(offset), `${report.startDateTime} – ${report.endDateTime} in ${TIME_ZONE}`);
      assert.ok(Date.parse(report.startDateTime) >= Math.floor(requestedAt / 1000) * 1000, 'the start is when Intune was asked, not before');
      assert.ok(Date.parse(report.endDateTime) > Date.parse(report.startDateTime), 'the end is the click, after it');

      const record = await card.innerText();
      for (const fact of ['Alex Tech', 'LAPTOP-42', 'Full control', 'min', 'Reported at']) assert.ok(record.includes(fact), `record card lacks "${fact}":\n${record}`);
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
