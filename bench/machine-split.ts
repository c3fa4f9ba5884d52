// Where the whole machine's CPU went while one server was measured (Linux /proc only): the server's main
// thread and each of its other threads (libuv's pool, where argon2id runs, and V8's GC helpers), every
// other process (the bench process itself is the load generator), and the idle time, each per operation.
// When the machine is never idle, operations per second follow the machine's CPU per operation, not the
// server's event loop alone. Threads and processes are told apart by id; a name is only a label.
import { readdirSync, readFileSync } from 'node:fs';
import { threadTimes } from './cpu-time.ts';

const TICK_MS = 10;

export interface MachineSnapshot {
  /** ns on a CPU (schedstat) by thread id of the measured server, and by process id of every other process. */
  serverThreads: Map<string, number>;
  processes: Map<string, number>;
  idleMs: number;
  totalMs: number;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process ended between the listing and the read.
    return '';
  }
}

/** ns on a CPU of each thread of `pid`, by thread id (cpu-time.ts); none for a process that has ended. */
function runByThread(pid: number): Map<string, number> {
  try {
    return new Map([...threadTimes(pid)].map(([tid, { run }]) => [tid, run]));
  } catch {
    return new Map();
  }
}

export function machineSnapshot(serverPid: number): MachineSnapshot {
  const serverThreads = runByThread(serverPid);
  const processes = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(serverPid)) continue;
    processes.set(
      pid,
      [...runByThread(Number(pid)).values()].reduce((sum, ns) => sum + ns, 0),
    );
  }
  const cpu = readOrEmpty('/proc/stat').split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const idleMs = ((cpu[3] ?? 0) + (cpu[4] ?? 0)) * TICK_MS;
  const totalMs = cpu.reduce((sum, ticks) => sum + ticks, 0) * TICK_MS;
  return { serverThreads, processes, idleMs, totalMs };
}

function processName(pid: string): string {
  if (pid === String(process.pid)) return 'bench process (load generator)';
  return `${readOrEmpty(`/proc/${pid}/comm`).trim() || 'ended'} (pid ${pid})`;
}

/** The machine's CPU per operation since `before`, largest first (rows under 0.02 ms left out). */
export function machineSplitSince(before: MachineSnapshot, serverPid: number, operations: number): string {
  const now = machineSnapshot(serverPid);
  const perOperation = (ns: number) => ns / 1e6 / operations;
  const rows: [string, number][] = [];
  for (const [tid, ns] of now.serverThreads) {
    const then = before.serverThreads.get(tid) ?? 0;
    rows.push([tid === String(serverPid) ? 'server: main thread' : `server: thread ${tid}`, perOperation(ns - then)]);
  }
  for (const [pid, ns] of now.processes) {
    // A process that started during the window counts from its start; one seen before, from then.
    rows.push([processName(pid), perOperation(ns - (before.processes.get(pid) ?? 0))]);
  }
  rows.push(['(idle)', (now.idleMs - before.idleMs) / operations]);
  const all = (now.totalMs - before.totalMs) / operations;
  return [
    `      ${all.toFixed(2).padStart(7)} ms  the machine, all of it`,
    ...rows
      .filter(([, ms]) => ms >= 0.02)
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => `      ${ms.toFixed(2).padStart(7)} ms  ${name}`),
  ].join('\n');
}
