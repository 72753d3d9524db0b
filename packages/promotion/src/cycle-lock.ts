import crypto from 'node:crypto';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { LockedError } from '@retain/core';

/** Who holds a lock row. */
export interface LockHolder {
  owner: string;
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

/** Options of {@link CycleLock.acquire}. */
export interface CycleLockOptions {
  /** A holder that has not renewed for this long is stale even if its pid looks alive (pid reuse). */
  ttlMs?: number;
  /** How often a live holder renews its expiry. */
  heartbeatMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A row's holder is stale when it is on this host and its pid is dead, or its expiry has passed. */
export function lockIsStale(holder: LockHolder, now: number, host = os.hostname()): boolean {
  if (holder.expiresAt < now) return true;
  return holder.host === host && !pidAlive(holder.pid);
}

/**
 * A named mutual-exclusion lock stored as a row (pid, host, heartbeat, expiry) in `promotion_locks`,
 * taken in an IMMEDIATE transaction so two processes cannot both see it free. A row left by a killed
 * process is taken over: its pid is dead, or (another host) its heartbeat expired.
 */
export class CycleLock {
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  private constructor(
    private readonly db: Database.Database,
    readonly name: string,
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Take the lock or throw `LockedError` naming the live holder. */
  static acquire(db: Database.Database, name: string, options: CycleLockOptions = {}): CycleLock {
    const ttlMs = options.ttlMs ?? 5 * 60_000;
    const now = options.now ?? Date.now;
    const owner = crypto.randomUUID();
    const host = os.hostname();
    const take = db.transaction(() => {
      const holder = readHolder(db, name);
      const t = now();
      if (holder && !lockIsStale(holder, t, host)) {
        throw new LockedError(
          name,
          `another cycle holds the lock (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.acquiredAt).toISOString()})`,
        );
      }
      db.prepare(
        `INSERT INTO promotion_locks (name, owner, pid, host, acquired_at, heartbeat_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      ).run(name, owner, process.pid, host, t, t, t + ttlMs);
    });
    take.immediate();
    const lock = new CycleLock(db, name, owner, ttlMs, now);
    const every = options.heartbeatMs ?? Math.max(1000, Math.floor(ttlMs / 4));
    lock.timer = setInterval(() => lock.heartbeat(), every);
    lock.timer.unref();
    return lock;
  }

  /** True while this owner's row is still the lock row (checked inside commit transactions). */
  held(): boolean {
    if (this.released) return false;
    const holder = readHolder(this.db, this.name);
    return holder !== null && holder.owner === this.owner;
  }

  /** Renew the expiry; a failure (busy database) is retried at the next beat. */
  heartbeat(): void {
    if (this.released) return;
    const t = this.now();
    try {
      this.db
        .prepare('UPDATE promotion_locks SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND owner = ?')
        .run(t, t + this.ttlMs, this.name, this.owner);
    } catch {
      // the next beat retries; the expiry gives a full ttl of slack
    }
  }

  /** Drop the lock if still ours; idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    if (this.db.open) this.db.prepare('DELETE FROM promotion_locks WHERE name = ? AND owner = ?').run(this.name, this.owner);
  }
}

/** The current holder of lock `name`, or null. */
export function readHolder(db: Database.Database, name: string): LockHolder | null {
  const row = db
    .prepare(
      'SELECT owner, pid, host, acquired_at AS acquiredAt, heartbeat_at AS heartbeatAt, expires_at AS expiresAt FROM promotion_locks WHERE name = ?',
    )
    .get(name) as LockHolder | undefined;
  return row ?? null;
}
