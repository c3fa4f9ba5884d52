// CPU seconds a process has used, split into its main thread (the event loop) and every other thread
// (libuv's pool, where argon2id runs). Read from /proc, so Linux only; elsewhere the figure is left out.
import { existsSync, readFileSync } from 'node:fs';

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
