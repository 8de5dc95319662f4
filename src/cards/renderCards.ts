import { Template } from 'adaptivecards-templating';
import type { DirectoryUser, ManagedDevice } from '../graph/types';
import { SESSION_TYPES } from '../graph/types';
import { formatDateTime, formatDuration } from '../i18n/format';
import { escapeMarkdown } from '../i18n/markdown';
import type { MessageKey, Messages } from '../i18n/messages';
import type { InputError, SessionInputs } from '../assist/sessionInput';
import { NO_HELPER_DEVICE, timesAdjusted } from '../assist/sessionInput';
import type { Session } from '../sessions/session';
import deviceChoiceTemplate from './templates/deviceChoiceCard.json';
import helpTemplate from './templates/helpCard.json';
import peopleChoiceTemplate from './templates/peopleChoiceCard.json';
import requestTemplate from './templates/requestCard.json';
import requestListTemplate from './templates/requestListCard.json';
import sessionTemplate from './templates/sessionCard.json';
import sessionListTemplate from './templates/sessionListCard.json';
import sessionRecordTemplate from './templates/sessionRecordCard.json';

/** An expanded Adaptive Card, ready to attach or return from an invoke. */
export type AdaptiveCard = Record<string, unknown>;
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

interface Fact { title: string; value: string }

/**
 * Data from Graph or from a person, where a card renders it as markdown (TextBlock, FactSet): escaped so
 * it shows as data. Empty or missing is undefined, for the caller's fallback. Sentences with data in them
 * are escaped by Messages; input values and choice titles are not markdown and take data as it is.
 */
const shown = (value: string | null | undefined): string | undefined => (value ? escapeMarkdown(value) : undefined);

/** Parsing a template's expressions costs milliseconds; each of our few templates is parsed once. */
const parsed = new Map<object, Template>();

function expand(template: object, data: object): AdaptiveCard {
  let compiled = parsed.get(template);
  if (!compiled) parsed.set(template, (compiled = new Template(template)));
  return compiled.expand({ $root: data }) as AdaptiveCard;
}

/**
 * The help card depends on nothing but the catalogue and its lead (none, or "not understood"), so each is
 * expanded once and kept as text; every turn gets a fresh copy (parsing it costs a fifth of expanding it).
 * Keyed by the Messages object, which messagesFor keeps one of per locale.
 */
const helpCards = new WeakMap<Messages, Map<string, string>>();

export function renderHelpCard(m: Messages, lead = ''): AdaptiveCard {
  let byLead = helpCards.get(m);
  if (!byLead) helpCards.set(m, (byLead = new Map()));
  let text = byLead.get(lead);
  if (text === undefined) {
    // Bounded all the same: a lead is a sentence of ours, but nothing here needs to trust that.
    if (byLead.size > 10) byLead.clear();
    byLead.set(lead, (text = JSON.stringify(expandHelpCard(m, lead))));
  }
  return JSON.parse(text) as AdaptiveCard;
}

function expandHelpCard(m: Messages, lead: string): AdaptiveCard {
  return expand(helpTemplate, {
    lead,
    title: m.t('help.title'),
    commands: [
      { command: m.t('help.assist.command'), text: m.t('help.assist.text') },
      { command: m.t('help.person.command'), text: m.t('help.person.text') },
      { command: m.t('help.request.command'), text: m.t('help.request.text') },
      { command: m.t('help.sessions.command'), text: m.t('help.sessions.text') },
      { command: m.t('help.requests.command'), text: m.t('help.requests.text') },
      { command: m.t('help.help.command'), text: m.t('help.help.text') },
    ],
    note: m.t('help.groupNote'),
  });
}

const osOf = (d: Pick<ManagedDevice, 'operatingSystem' | 'osVersion'>) => [d.operatingSystem, d.osVersion].filter(Boolean).join(' ');

/** What a pick does: a technician's pick asks Intune (`pickDevice`), a requester's makes a request (`askAbout`). */
export interface DevicePick { verb: 'pickDevice' | 'askAbout'; label: string; prompt: string; data: Record<string, string> }

/** Devices to pick one from, under `title` (a sentence from the catalogue, so already escaped). */
export function renderDeviceChoiceCard(m: Messages, title: string, devices: ManagedDevice[], timeZone: string, shownMax: number, pick?: DevicePick): AdaptiveCard {
  const listed = devices.slice(0, shownMax);
  return expand(deviceChoiceTemplate, {
    title,
    prompt: pick?.prompt ?? m.t('choice.prompt'),
    verb: pick?.verb ?? 'pickDevice',
    labels: { user: m.t('device.user'), os: m.t('device.os'), lastSync: m.t('device.lastSync'), pick: pick?.label ?? m.t('choice.pick') },
    devices: listed.map((d) => ({
      data: { ...pick?.data, deviceId: d.id },
      name: shown(d.deviceName) ?? m.t('device.unknown'),
      user: shown(d.userDisplayName || d.userPrincipalName) ?? m.t('device.noUser'),
      os: shown(osOf(d)) ?? m.t('device.unknown'),
      lastSync: formatDateTime(d.lastSyncDateTime, timeZone, m) ?? m.t('device.never'),
    })),
    more: devices.length > listed.length ? m.t('choice.more', { count: listed.length }) : '',
  });
}

/** People who go by what the technician wrote: one is picked, then one of their devices. */
export function renderPeopleChoiceCard(m: Messages, text: string, people: DirectoryUser[], shownMax: number): AdaptiveCard {
  const listed = people.slice(0, shownMax);
  return expand(peopleChoiceTemplate, {
    title: m.t('people.title', { count: people.length, text }),
    prompt: m.t('people.prompt'),
    labels: { pick: m.t('people.pick') },
    people: listed.map((p) => ({
      id: p.id,
      name: shown(p.displayName) ?? m.t('device.unknown'),
      address: shown(p.mail || p.userPrincipalName) ?? '',
    })),
    more: people.length > listed.length ? m.t('people.more', { count: listed.length }) : '',
  });
}

function deviceFacts(device: ManagedDevice, timeZone: string, m: Messages): Fact[] {
  const compliance = device.complianceState ?? 'unknown';
  const complianceKey = `compliance.${compliance}` as MessageKey;
  return [
    { title: m.t('device.name'), value: shown(device.deviceName) ?? m.t('device.unknown') },
    { title: m.t('device.os'), value: shown(osOf(device)) ?? m.t('device.unknown') },
    { title: m.t('device.user'), value: shown(device.userDisplayName || device.userPrincipalName) ?? m.t('device.noUser') },
    { title: m.t('device.compliance'), value: safeT(m, complianceKey, shown(compliance) ?? '') },
    { title: m.t('device.lastSync'), value: formatDateTime(device.lastSyncDateTime, timeZone, m) ?? m.t('device.never') },
  ];
}

/** A value Graph may extend (enums): its label when we have one, the raw value otherwise. */
function safeT(m: Messages, key: MessageKey, fallback: string): string {
  const text = m.t(key);
  return text === key ? fallback : text;
}

/** Which message shows under which input (several checks share a place on the card). */
const ERROR_PLACES: Record<InputError, 'sessionType' | 'times' | 'helperDevice'> = {
  sessionTypeInvalid: 'sessionType',
  endedInvalid: 'times',
  lastedInvalid: 'times',
  endBeforeStart: 'times',
  longerThanADay: 'times',
  startTooOld: 'times',
  startBeforeRequest: 'times',
  helperDeviceInvalid: 'helperDevice',
};

export interface SessionCardState {
  inputs: SessionInputs;
  errors: InputError[];
  /** A sentence about what went wrong last time (a Graph failure), shown above the form. */
  notice?: string;
}

/** A minutes input's value as the card takes it: a number, or null for none (undefined would stay an unbound `${…}`). */
const minutesValue = (text: string) => (text === '' ? null : Number(text));

export function renderSessionCard(m: Messages, session: Session, state: SessionCardState): AdaptiveCard {
  const errors = { sessionType: '', times: '', helperDevice: '' };
  const requestedAt = formatDateTime(session.createdAt, session.timeZone, m) ?? session.createdAt;
  for (const error of state.errors) {
    const place = ERROR_PLACES[error];
    errors[place] = [errors[place], m.t(`input.${error}`, { requestedAt })].filter(Boolean).join(' ');
  }
  const notice = state.notice ?? (state.errors.length ? m.t('session.fixErrors') : session.unconfirmed ? m.t('session.unconfirmed') : '');
  return expand(sessionTemplate, {
    sessionId: session.id,
    title: m.t('session.title'),
    subtitle: m.t('session.subtitle', { deviceName: session.device.deviceName ?? '' }),
    facts: deviceFacts(session.device, session.timeZone, m),
    notice,
    links: sessionLinks(m, session),
    inputs: { ...state.inputs, endedMinutes: minutesValue(state.inputs.endedMinutesAgo), lasted: minutesValue(state.inputs.lastedMinutes) },
    // Open when the times were changed or are wrong; otherwise one click logs "since the request, until now".
    adjustOpen: timesAdjusted(state.inputs) || errors.times !== '',
    errors,
    messages: {
      sessionTypeInvalid: m.t('input.sessionTypeInvalid'),
      endedInvalid: m.t('input.endedInvalid'),
      lastedInvalid: m.t('input.lastedInvalid'),
      helperDeviceInvalid: m.t('input.helperDeviceInvalid'),
    },
    labels: {
      sessionType: m.t('session.sessionType'),
      timesNow: m.t('session.timesNow', { requestedAt }),
      endedMinutesAgo: m.t('session.endedMinutesAgo'),
      endedPlaceholder: m.t('session.endedPlaceholder'),
      lastedMinutes: m.t('session.lastedMinutes'),
      lastedPlaceholder: m.t('session.lastedPlaceholder'),
      adjustTimes: m.t('session.adjustTimes'),
      helperDevice: m.t('session.helperDevice'),
      submit: m.t('session.submit'),
      cancel: m.t('session.cancel'),
      openSession: m.t('session.openSession'),
      openInIntune: m.t('session.openInIntune'),
    },
    sessionTypes: SESSION_TYPES.map((value) => ({ value, title: m.t(`sessionType.${value}`) })),
    helperDevices: [
      ...session.helperDevices.map((d) => ({ value: d.id, title: `${d.deviceName ?? d.id} (${osOf(d) || m.t('device.unknown')})` })),
      { value: NO_HELPER_DEVICE, title: m.t('session.noHelperDevice') },
    ],
  });
}

/**
 * "Open session" once Intune gave an https link (checked when it was stored), "Open in Intune" from the
 * request on, and Intune's error in a sentence of ours: its words are data, escaped by the catalogue.
 */
function sessionLinks(m: Messages, session: Session): { session: string; intune: string; notice: string } {
  const found = session.assistance;
  const notices = [
    found?.errorDetails ? m.t('session.assistanceError', { details: found.errorDetails }) : '',
    found?.linkRefused ? m.t('session.linkRefused') : '',
  ];
  return { session: found?.sessionUrl ?? '', intune: session.intuneUrl ?? '', notice: notices.filter(Boolean).join(' ') };
}

const RECORD_COLOR: Record<Session['state'], string> = {
  asked: 'Accent',
  withdrawn: 'Default',
  reported: 'Good',
  cancelled: 'Default',
  submitted: 'Accent',
  failed: 'Attention',
  requested: 'Default',
  waiting: 'Default',
};

/** The read-only record that replaces the form: who, device, type, start–end, duration, when. */
export function renderSessionRecordCard(m: Messages, session: Session, failureText = ''): AdaptiveCard {
  return expand(sessionRecordTemplate, {
    sessionId: session.id,
    title: m.t(`record.title.${session.state}`),
    color: RECORD_COLOR[session.state],
    facts: recordFacts(m, session),
    notice: session.state === 'failed' ? failureText : '',
    canRetry: session.state === 'failed',
    labels: { retry: m.t('record.retry') },
  });
}

function recordFacts(m: Messages, session: Session): Fact[] {
  const zone = session.timeZone;
  const when = (iso: string) => formatDateTime(iso, zone, m) ?? iso;
  const facts: Fact[] = [
    { title: m.t('record.technician'), value: shown(session.technician.name) ?? '' },
    { title: m.t('device.name'), value: shown(session.device.deviceName) ?? m.t('device.unknown') },
  ];
  const report = session.report;
  if (report && session.state !== 'cancelled') {
    facts.push(
      { title: m.t('record.sessionType'), value: m.t(`sessionType.${report.sessionType}`) },
      { title: m.t('record.start'), value: when(report.startDateTime) },
      { title: m.t('record.end'), value: when(report.endDateTime) },
      { title: m.t('record.duration'), value: formatDuration(report.startDateTime, report.endDateTime, m) },
    );
  }
  if (session.reportedAt) facts.push({ title: m.t('record.reportedAt'), value: when(session.reportedAt) });
  if (session.cancelledAt) facts.push({ title: m.t('record.cancelledAt'), value: when(session.cancelledAt) });
  return facts;
}

/** "sessions": the technician's recent sessions with their state; failed ones can be retried. */
export function renderSessionListCard(m: Messages, sessions: Session[]): AdaptiveCard {
  return expand(sessionListTemplate, {
    title: m.t('sessions.title'),
    empty: m.t('sessions.empty'),
    labels: { retry: m.t('record.retry') },
    sessions: sessions.map((s) => ({
      id: s.id,
      device: shown(s.device.deviceName) ?? m.t('device.unknown'),
      canRetry: s.state === 'failed',
      facts: [
        { title: m.t('sessions.state'), value: m.t(`state.${s.state}`) },
        { title: m.t('sessions.requestedAt'), value: formatDateTime(s.createdAt, s.timeZone, m) ?? s.createdAt },
        ...(s.report ? [{ title: m.t('record.sessionType'), value: m.t(`sessionType.${s.report.sessionType}`) }] : []),
      ],
    })),
  });
}

/**
 * A request from the person who needs help, as everyone in the chat sees it: open (Take it, Withdraw),
 * taken (who is helping) or withdrawn. Once taken, `refresh` shows its technician their own view instead.
 */
export function renderRequestCard(m: Messages, session: Session, timeZone = session.requester?.timeZone ?? session.timeZone, lead = ''): AdaptiveCard {
  const name = session.requester?.name ?? '';
  const open = session.state === 'asked';
  const title = open
    ? m.t('request.title.asked', { name })
    : session.state === 'withdrawn'
      ? m.t('request.title.withdrawn', { name })
      : m.t('request.title.taken', { name, technician: session.technician.name });
  const card = expand(requestTemplate, {
    lead,
    title,
    color: RECORD_COLOR[session.state],
    sessionId: session.id,
    open,
    facts: requestFacts(m, session, timeZone),
    labels: { take: m.t('request.take'), withdraw: m.t('request.withdraw') },
  });
  return session.takenAt ? withOwnViewFor(session, card) : card;
}

/** Universal Actions: Teams asks the bot, for the listed users only, for their own version of the card. */
export function withOwnViewFor(session: Session, card: AdaptiveCard): AdaptiveCard {
  const teamsId = session.technician.teamsId;
  if (!teamsId) return card;
  return { ...card, refresh: { action: { type: 'Action.Execute', verb: 'refreshSession', data: { sessionId: session.id } }, userIds: [teamsId] } };
}

function requestFacts(m: Messages, session: Session, timeZone: string): Fact[] {
  const when = (iso: string | undefined) => (iso && formatDateTime(iso, timeZone, m)) ?? '';
  const facts: Fact[] = [
    { title: m.t('request.requester'), value: shown(session.requester?.name) ?? m.t('device.unknown') },
    { title: m.t('device.name'), value: shown(session.device.deviceName) ?? m.t('device.unknown') },
    { title: m.t('device.os'), value: shown(osOf(session.device)) ?? m.t('device.unknown') },
    { title: m.t('request.problem'), value: shown(session.problem) ?? m.t('request.noProblem') },
    { title: m.t('request.askedAt'), value: when(session.askedAt ?? session.createdAt) },
  ];
  if (session.takenAt) facts.push({ title: m.t('request.takenBy'), value: shown(session.technician.name) ?? '' });
  if (session.withdrawnAt) facts.push({ title: m.t('request.withdrawnAt'), value: when(session.withdrawnAt) });
  return facts;
}

/** "requests": what is waiting for a technician, oldest first, each with Take it. */
export function renderRequestListCard(m: Messages, sessions: Session[], timeZone: string): AdaptiveCard {
  return expand(requestListTemplate, {
    title: m.t('requests.title'),
    empty: m.t('requests.empty'),
    labels: { take: m.t('request.take') },
    requests: sessions.map((s) => ({
      id: s.id,
      heading: m.t('request.title.asked', { name: s.requester?.name ?? '' }),
      facts: requestFacts(m, s, timeZone),
    })),
  });
}
