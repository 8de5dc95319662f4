import type { AccessPolicy } from './accessPolicy';
import type { CancelSession } from './cancelSession';
import type { ListSessions } from './listSessions';
import type { SessionLinkWatch } from './ports';
import type { RetryReport } from './retryReport';
import type { SignedInStart } from './signedInStart';
import type { StartAssistance } from './startAssistance';
import type { SubmitReport } from './submitReport';

/** Everything the bot can ask of the product. */
export interface AssistUseCases {
  start: StartAssistance;
  submit: SubmitReport;
  cancel: CancelSession;
  retry: RetryReport;
  list: ListSessions;
  access: AccessPolicy;
  /** After a request: shows Intune's session link (or its error) on the card once it appears. */
  sessionLink: SessionLinkWatch;
  /** Present when single sign-on is configured: requests wait for the technician's token. */
  signedIn?: { start: SignedInStart; connectionName: string; appIdUri: string; consentUrl: string };
}
