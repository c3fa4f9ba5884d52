// Where a profiled server's time went, by what does the work: a V8 CPU profile's samples, each counted once,
// by the frame on top of the stack (self time), grouped by the first category whose rule matches.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const IDLE = 'idle (waiting for the network)';

/** First match wins; a frame is `functionName url`. */
export const CATEGORIES: readonly (readonly [string, RegExp])[] = [
  [IDLE, /^\(idle\) /],
  ['GC', /^\(garbage collector\) /],
  ['the response written to the socket (syscall)', /^(writev|writeBuffer|writeUtf8String|writeLatin1String) $/],
  ['SQLite read (better-sqlite3, Kysely)', /kysely|better-sqlite3|\/src\/store\//],
  ['metrics (prom-client)', /prom-client|\/src\/platform\/metrics|operations-routes/],
  ['Fastify plugins (cookie, CSRF, rate limit)', /@fastify\//],
  ['session rules, token hash, clock', /\/src\/(services|core|platform|runtime)\//],
  ['Mamori hooks, headers, route', /\/src\/http\//],
  ['the limit route: its read, checks and JSON', /\/bench\/servers\.ts/],
  ['Fastify core and router', /node_modules\/(fastify|find-my-way|fast-json-stringify|fast-querystring|avvio)\//],
  ['Node internals (HTTP, streams, crypto, timers)', / node:/],
  ['V8 and native code no JavaScript called', / $/],
];

/** Frames V8 names itself: kept as they are rather than charged to a caller. */
const OWN_CATEGORY =
  /^(\(idle\)|\(garbage collector\)|\(program\)|writev|writeBuffer|writeUtf8String|writeLatin1String) $/;

export function selfTimeByCategory(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frame = (node: ProfileNode) => `${node.callFrame.functionName} ${node.callFrame.url}`;
  /** A native call (JSON.stringify, a better-sqlite3 statement, a hash) is charged to the code that made it. */
  const charged = (id: number): string => {
    let node = byId.get(id);
    while (node && !node.callFrame.url && !OWN_CATEGORY.test(frame(node))) {
      const parent = parentOf.get(node.id);
      const up = parent === undefined ? undefined : byId.get(parent);
      if (!up || up.callFrame.functionName === '(root)') break;
      node = up;
    }
    return node ? frame(node) : '';
  };
  const totals = new Map<string, number>([...CATEGORIES.map(([name]) => [name, 0] as const), ['other', 0]]);
  profile.samples.forEach((id, i) => {
    const top = charged(id);
    const category = CATEGORIES.find(([, rule]) => rule.test(top))?.[0] ?? 'other';
    totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

/** The frames with the most self time (µs), native calls charged to their JavaScript caller as above. */
export function topFrames(file: string, count: number): [string, number][] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const url = node.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
    const frame = `${node.callFrame.functionName || '(anonymous)'} ${url}`;
    totals.set(frame, (totals.get(frame) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
}
