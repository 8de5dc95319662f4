import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TECHNICIANS_GROUP_ID } from '../emulators/seed';
import { attack } from '../support/attackLog';
import { filledInputs, startSession } from '../support/session';
import { click, post, say, type PostResult, type TeamsChat } from '../support/teams';
import { startWorld, type World } from '../support/world';

const OTHER_TENANT = '0badc0de-0000-4000-8000-000000000000';
let world: World;
before(async () => {
  world = await startWorld({
    botEnv: { ALLOWED_TENANT_IDS: `${OTHER_TENANT.replace('0badc0de', '11111111')}, 7D1F4C2E-5B8A-4E19-9C3D-A1B2C3D4E5F6`, TECHNICIAN_GROUP_ID: TECHNICIANS_GROUP_ID, TECHNICIAN_GROUP_CONTACT: 'the Service Desk leads' },
  });
  // A second technician in the group, to click someone else's card.
  world.seed.groups[TECHNICIANS_GROUP_ID].push(world.seed.users[1].id);
});
after(async () => world?.stop());
beforeEach(() => {
  world.graph.reset();
  world.connector.reset();
});

const answerText = (result: PostResult) =>
  result.activity.type === 'invoke'
    ? String(result.body?.type === 'application/vnd.microsoft.activity.message' ? result.body.value : JSON.stringify(result.body?.value ?? ''))
    : world.connector.activities.filter((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message').map((a) => a.body.text ?? JSON.stringify(a.body.attachments)).join('\n');
/** Every string a Teams client renders as markdown on a card: TextBlock text and FactSet titles and values. */
function renderedTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(renderedTexts);
  if (!node || typeof node !== 'object') return [];
  const element = node as Record<string, unknown>;
  const own = element.type === 'TextBlock' ? [String(element.text)] : element.type === 'FactSet' ? (element.facts as Fact[]).flatMap((f) => [f.title, f.value]) : [];
  return [...own, ...Object.values(element).flatMap(renderedTexts)];
}
interface Fact { title: string; value: string }
/** A link, emphasis, a heading or a line break that markdown would act on (not backslash-escaped). */
const rendersMarkdown = (text: string) => /(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)[*_](?=\S)|(^|\n)\s*#|\n/.test(text);
const intuneCalls = () => world.graph.requests.filter((r) => /devicemanagement/i.test(r.url.pathname)).length;
const userOf = (index: number) => ({ id: `29:1${world.seed.users[index].id}`, aadObjectId: world.seed.users[index].id, name: world.seed.users[index].displayName });


describe('closed by default', () => {
  let open: World;
  before(async () => (open = await startWorld({ botEnv: { TECHNICIAN_GROUP_ID: TECHNICIANS_GROUP_ID } })));
  after(async () => open?.stop());

  it('serves only the tenant whose Intune it reaches when ALLOWED_TENANT_IDS is not set', async () => {
    await attack('message from another tenant, ALLOWED_TENANT_IDS unset', 'refused, no Graph call', async () => {
      const result = await say(open.chat({ tenantId: OTHER_TENANT }), 'help me with device LAPTOP-42');
      const refused = open.connector.activities.some((a) => a.body?.replyToId === result.activity.id && /isn't available to your organisation/.test(a.body.text ?? ''));
      return `${refused ? 'refused' : 'served'}, ${open.graph.requests.length ? `${open.graph.requests.length} Graph calls` : 'no Graph call'}`;
    });
    const own = await say(open.chat(), 'help me with device LAPTOP-42');
    assert.ok(open.connector.activities.some((a) => a.body?.replyToId === own.activity.id && a.body.attachments?.length), 'its own tenant is served');
  });
});

describe('who may do what', () => {
  it('refuses another tenant politely, before any Graph call', async () => {
    const stranger = world.chat({ tenantId: OTHER_TENANT });
    await attack('message from a tenant not in ALLOWED_TENANT_IDS', 'refused, no Graph call', async () => {
      const result = await say(stranger, 'help me with device LAPTOP-42');
      return `${/isn't available to your organisation/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.requests.length ? 'Graph called' : 'no Graph call'}`;
    });
    await attack('card click from a tenant not in ALLOWED_TENANT_IDS', 'refused, no Graph call', async () => {
      const result = await click(stranger, 'submitReport', { sessionId: randomUUID(), ...filledInputs(stranger) });
      return `${/isn't available to your organisation/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.requests.length ? 'Graph called' : 'no Graph call'}`;
    });
  });

  it('lets only the technicians\' group request assistance, and says whom to ask', async () => {
    const outsider = world.chat({ user: userOf(2) });
    await attack('request by a user outside TECHNICIAN_GROUP_ID', 'refused, no Intune call', async () => {
      const result = await say(outsider, 'help me with device LAPTOP-42');
      const text = answerText(result);
      assert.match(text, /Ask the Service Desk leads to add you/);
      return `${/Only helpdesk technicians/.test(text) ? 'refused' : 'served'}, ${intuneCalls() ? 'Intune called' : 'no Intune call'}`;
    });
    const membership = world.graph.requests.filter((r) => r.url.pathname.endsWith('/checkMemberGroups'));
    assert.equal(membership.length, 1);
    assert.deepEqual((membership[0].json as { groupIds: string[] }).groupIds, [TECHNICIANS_GROUP_ID]);
  });

  it('refuses clicks on a session card by anyone but its technician, and replays', async () => {
    const chat = world.chat();
    const session = await startSession(world, chat);
    const typed = { sessionId: session.sessionId, ...filledInputs(chat) };

    await attack('submit by a user outside the technicians\' group', 'refused, no report', async () => {
      const result = await session.click('submitReport', typed, { chat: { ...chat, user: userOf(2) } });
      return `${/Only helpdesk technicians/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.reports.length ? 'reported' : 'no report'}`;
    });
    await attack("another technician clicks someone else's card", 'refused, no report', async () => {
      const result = await session.click('submitReport', typed, { chat: { ...chat, user: userOf(1) } });
      return `${/belongs to Alex Tech/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.reports.length ? 'reported' : 'no report'}`;
    });
    await attack('session id from another conversation', 'refused, no report', async () => {
      const elsewhere: TeamsChat = world.chat();
      const result = await session.click('submitReport', typed, { chat: elsewhere });
      return `${/can't find this session/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.reports.length ? 'reported' : 'no report'}`;
    });
    await attack('tampered session id', 'refused, no report', async () => {
      const result = await session.click('submitReport', { ...typed, sessionId: session.sessionId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) });
      return `${/can't find this session/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.reports.length ? 'reported' : 'no report'}`;
    });
    await attack('oversized and malformed card inputs', 'form kept with errors, no report', async () => {
      const result = await session.click('submitReport', { ...typed, endedMinutesAgo: '9'.repeat(100_000), lastedMinutes: 1e308, sessionType: { $gt: '' } });
      const text = answerText(result);
      return `${/how many minutes ago it ended/.test(text) && /how many minutes it lasted/.test(text) && /Choose a session type/.test(text) ? 'form kept with errors' : 'accepted'}, ${world.graph.reports.length ? 'reported' : 'no report'}`;
    });

    const first = await session.click('submitReport', { ...typed, helperEmail: 'mallory@evil.example', helperTenantId: OTHER_TENANT });
    await session.updatedTo('Remote assistance session reported');
    await attack('identity fields injected into the card data', 'ignored: report names the signed-in technician', async () => {
      const report = world.graph.reports[0] as { helperEmail: string; helperTenantId: string };
      return report.helperEmail === world.seed.users[0].mail && report.helperTenantId === world.seed.tenantId ? 'ignored: report names the signed-in technician' : `used: ${report.helperEmail}`;
    });
    await attack('replayed submit invoke (same activity id)', 'one report, true state shown', async () => {
      const replay = await session.click('submitReport', typed, { activityId: first.activity.id as string });
      await new Promise((r) => setTimeout(r, 1000));
      return `${world.graph.reports.length === 1 ? 'one report' : `${world.graph.reports.length} reports`}, ${/Remote assistance session reported/.test(answerText(replay)) ? 'true state shown' : 'form shown'}`;
    });
  });

  it('escapes OData and bounds what reaches Graph', async () => {
    await attack('OData injection in the device name', 'escaped, nothing requested', async () => {
      const result = await say(world.chat(), "help me with device LAPTOP-42' or deviceName eq 'DESK 7");
      const lookup = world.graph.requests.find((r) => r.url.pathname.endsWith('/managedDevices'));
      const escaped = lookup?.url.searchParams.get('$filter') === "deviceName eq 'LAPTOP-42'' or deviceName eq ''DESK 7'";
      assert.match(answerText(result), /no Intune device named/);
      return `${escaped ? 'escaped' : 'not escaped'}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
    });
    for (const char of ['&', '#', '+', '%', '"', '/', '\\', '?', '&$top=999&x=']) {
      await attack(`URL-special ${JSON.stringify(char)} in the device name`, 'reaches Graph intact, no other option, nothing requested', async () => {
        world.graph.reset();
        const name = `LAPTOP-42${char}' or deviceName eq 'DESK 7`;
        await say(world.chat(), `help me with device ${name}`);
        const lookup = world.graph.requests.find((r) => r.url.pathname.endsWith('/managedDevices'));
        const params = [...(lookup?.url.searchParams.keys() ?? [])].sort();
        const intact = lookup?.url.searchParams.get('$filter') === `deviceName eq '${name.replace(/'/g, "''")}'`;
        return `${intact ? 'reaches Graph intact' : 'altered on the way'}, ${params.join(',') === '$filter,$select' ? 'no other option' : `options ${params.join(',')}`}, ${world.graph.assistanceRequests.length ? 'requested' : 'nothing requested'}`;
      });
    }
    await attack('markdown and a line break in a device and user name from Graph', 'shown as data on the card', async () => {
      world.graph.reset();
      world.connector.reset();
      const result = await say(world.chat(), 'help me with device BYOD-[Verify](https://evil.example)');
      const card = world.connector.activities.find((a) => a.body?.replyToId === result.activity.id && a.body.type === 'message')?.body.attachments?.[0]?.content;
      const texts = renderedTexts(card);
      const live = texts.filter(rendersMarkdown);
      assert.ok(texts.some((t) => t.includes('BYOD-\\[Verify\\]\\(https://evil.example\\)')), texts.join('\n'));
      return live.length ? `rendered as markdown: ${live.join(' | ')}` : 'shown as data on the card';
    });
    await attack('markdown typed into a command the bot echoes', 'shown as data in the reply', async () => {
      world.graph.reset();
      world.connector.reset();
      const result = await say(world.chat(), 'help me with device **NOPE** [x](https://evil.example) _y_');
      const text = answerText(result);
      assert.match(text, /no Intune device named/);
      return rendersMarkdown(text) ? `rendered as markdown: ${text}` : 'shown as data in the reply';
    });
    await attack('request body over 256 KB', '413, nothing processed', async () => {
      world.graph.reset();
      world.connector.reset();
      const chat = world.chat();
      const result = await post(chat.botUrl, { type: 'message', serviceUrl: chat.serviceUrl, conversation: { id: chat.conversationId }, text: 'x'.repeat(300_000) });
      await new Promise((r) => setTimeout(r, 300));
      return `${result.status}, ${world.graph.requests.length || world.connector.activities.length ? 'processed' : 'nothing processed'}`;
    });
    await attack('forged device id in a pick', 'refused, nothing requested', async () => {
      world.graph.reset();
      const result = await click(world.chat(), 'pickDevice', { deviceId: '../../users' });
      return `${/no longer in Intune/.test(answerText(result)) ? 'refused' : 'served'}, ${world.graph.requests.length ? 'requested' : 'nothing requested'}`;
    });
  });
});
