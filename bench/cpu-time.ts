// CPU seconds a process has used, split into its main thread (the event loop) and every other thread
// (libuv's pool, where argon2id runs). Read from /proc, so Linux only; elsewhere the figure is left out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export interface CpuTime {
  mainThread: number;
  otherThreads: number;
}

function ticks(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function canReadCpuTime(): boolean {
  return existsSync(`/proc/${process.pid}/task/${process.pid}/stat`);
}

export function cpuTime(pid: number): CpuTime {
  const whole = ticks(`/proc/${pid}/stat`) / TICKS_PER_SECOND;
  const mainThread = ticks(`/proc/${pid}/task/${pid}/stat`) / TICKS_PER_SECOND;
  return { mainThread, otherThreads: whole - mainThread };
}

export function cpuSince(before: CpuTime, pid: number): CpuTime {
  const now = cpuTime(pid);
  return { mainThread: now.mainThread - before.mainThread, otherThreads: now.otherThreads - before.otherThreads };
}

/** Each thread's time on a CPU and waiting for one (ns, /proc/<pid>/task/<tid>/schedstat), by thread id. */
export function threadTimes(pid: number): Map<string, { run: number; wait: number }> {
  const times = new Map<string, { run: number; wait: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      times.set(tid, { run: run ?? 0, wait: wait ?? 0 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/**
 * How many password hashes were in flight on average over `wallNs`: the time libuv's pool threads (the
 * threads other than the main one that ran more than `minRunNsPerOp` per operation) were running or
 * waiting to run, over the wall time. Below the hash concurrency, the pool waited for the event loop to
 * hand it the next hash, and on two cores that is CPU nobody used for signing in.
 */
export function hashesInFlight(
  pid: number,
  before: Map<string, { run: number; wait: number }>,
  wallNs: number,
  operations: number,
  minRunNsPerOp = 1_000_000,
): number {
  let busy = 0;
  for (const [tid, now] of threadTimes(pid)) {
    const then = before.get(tid);
    if (!then || tid === String(pid) || (now.run - then.run) / operations < minRunNsPerOp) continue;
    busy += now.run - then.run + (now.wait - then.wait);
  }
  return busy / wallNs;
}
