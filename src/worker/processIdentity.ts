import { hostname } from 'node:os';
import type { WaitingOwner } from '../sessions/session';

/** This process, as named on the requests it holds in memory (its start is read once: uptime drifts). */
export const THIS_PROCESS: WaitingOwner = Object.freeze({
  host: hostname(),
  pid: process.pid,
  startedAt: new Date(Math.round(Date.now() - process.uptime() * 1000)).toISOString(),
});

/**
 * Whether a process of this machine is known to have stopped: its pid is gone, or is this process's with
 * another start. Another machine's process cannot be seen from here (false): its requests lapse by time.
 */
export function processGone(owner: WaitingOwner, me: WaitingOwner = THIS_PROCESS): boolean {
  if (owner.host !== me.host) return false;
  if (owner.pid === me.pid) return owner.startedAt !== me.startedAt;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
