import type { IntuneGraph } from '../graph/types';
import type { Caller } from './caller';

export interface AccessRules {
  /** Tenants whose users may talk to the bot; empty means any. Lower-case GUIDs. */
  allowedTenantIds: string[];
  /** Only members of this Entra group may request assistance or act on sessions. */
  technicianGroupId?: string;
  /** Whom a refused user should ask (a name, an address); "your IT administrator" when unset. */
  technicianGroupContact?: string;
  /** Requests for help: off altogether, or only from members of this group. */
  requestsEnabled: boolean;
  requesterGroupId?: string;
}

export type Access = { allowed: true } | { allowed: false; reason: 'notTechnician' };
export type RequestAccess = { allowed: true } | { allowed: false; reason: 'off' | 'notAllowed' };

/** How long a membership answer is trusted: joins and removals take effect within this time. */
const MEMBERSHIP_TTL_MS = 5 * 60_000;

/** Who may do what: tenants first (no Graph call), then membership of the technicians' group. */
export class AccessPolicy {
  // A short cache of Graph's answers, so each click does not cost a directory call.
  private readonly memberships = new Map<string, { member: boolean; until: number }>();

  constructor(
    private readonly graph: IntuneGraph,
    private readonly rules: AccessRules,
    private readonly now: () => number = Date.now,
  ) {}

  get contact(): string | undefined {
    return this.rules.technicianGroupContact;
  }

  tenantAllowed(caller: Caller): boolean {
    return this.rules.allowedTenantIds.length === 0 || this.rules.allowedTenantIds.includes(caller.tenantId.toLowerCase());
  }

  /** May this caller (of an allowed tenant) request assistance, submit, cancel or retry? */
  async mayAct(caller: Caller): Promise<Access> {
    const groupId = this.rules.technicianGroupId;
    if (!groupId || (await this.isMember(caller, groupId))) return { allowed: true };
    return { allowed: false, reason: 'notTechnician' };
  }

  /** May this caller ask the helpdesk for help with their own device? */
  async mayRequest(caller: Caller): Promise<RequestAccess> {
    if (!this.rules.requestsEnabled) return { allowed: false, reason: 'off' };
    const groupId = this.rules.requesterGroupId;
    if (!groupId || (await this.isMember(caller, groupId))) return { allowed: true };
    return { allowed: false, reason: 'notAllowed' };
  }

  private async isMember(caller: Caller, groupId: string): Promise<boolean> {
    const key = `${caller.tenantId}/${caller.aadObjectId}/${groupId}`;
    const cached = this.memberships.get(key);
    if (cached && cached.until > this.now()) return cached.member;
    const member = await this.graph.isMemberOf(caller.aadObjectId, groupId);
    if (this.memberships.size > 10_000) this.memberships.clear();
    this.memberships.set(key, { member, until: this.now() + MEMBERSHIP_TTL_MS });
    return member;
  }
}
