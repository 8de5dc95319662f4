import type { AccessPolicy } from './accessPolicy';
import type { AskForHelp } from './askForHelp';
import type { OpenRequests } from './openRequests';
import type { TakeRequest } from './takeRequest';
import type { WithdrawRequest } from './withdrawRequest';
import type { CancelSession } from './cancelSession';
import type { ListSessions } from './listSessions';
import type { SessionLinkWatch } from './ports';
import type { RetryReport } from './retryReport';
import type { SignedInStart } from './signedInStart';
import type { StartAssistance } from './startAssistance';
import type { SubmitReport } from './submitReport';
import type { RequestNotices } from './ports';
import type { ViewSession } from './viewSession';

/** Everything the bot can ask of the product. */
export interface AssistUseCases {
  start: StartAssistance;
  submit: SubmitReport;
  cancel: CancelSession;
  retry: RetryReport;
  list: ListSessions;
  access: AccessPolicy;
  /** Requests from the people who need help; `helpdeskChannel`: where those made in a personal chat go. */
  ask: AskForHelp;
  take: TakeRequest;
  withdraw: WithdrawRequest;
  requests: OpenRequests;
  notices: RequestNotices;
  view: ViewSession;
  helpdeskChannel?: string;
  /** After a request: shows Intune's session link (or its error) on the card once it appears. */
  sessionLink: SessionLinkWatch;
  /** Present when single sign-on is configured: requests wait for the technician's token. */
  signedIn?: { start: SignedInStart; connectionName: string; appIdUri: string; consentUrl: string };
}
