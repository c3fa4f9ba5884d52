/**
 * Session lifetimes, enforced on the server (STANDARDS G3), and recent authentication (STYLE 3):
 * "privileged" is measured from the last real authentication, never from session creation.
 */
export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  privilegedMs: number;
  /** last_seen_at is written at most this often, so a session check is a read, not a write. */
  touchIntervalMs: number;
}

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date;
  revokedAt: Date | null;
}

export type SessionState = 'active' | 'revoked' | 'idle-expired' | 'absolute-expired';

export function sessionState(session: SessionTimes, now: Date, limits: SessionLimits): SessionState {
  if (session.revokedAt) return 'revoked';
  // A re-authentication restarts the overall limit too (STANDARDS G3).
  const start = Math.max(session.createdAt.getTime(), session.authenticatedAt.getTime());
  if (now.getTime() - start >= limits.absoluteMs) return 'absolute-expired';
  if (now.getTime() - session.lastSeenAt.getTime() >= limits.idleMs) return 'idle-expired';
  return 'active';
}

export function isPrivileged(
  session: Pick<SessionTimes, 'authenticatedAt'>,
  now: Date,
  limits: SessionLimits,
): boolean {
  return now.getTime() - session.authenticatedAt.getTime() < limits.privilegedMs;
}

export function needsTouch(session: Pick<SessionTimes, 'lastSeenAt'>, now: Date, limits: SessionLimits): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= limits.touchIntervalMs;
}
