import type { ServiceDeps } from '../deps.ts';

/** What importing and exporting touch: the store, the clock, ids, the service key; no mail, no hasher. */
export type ImportDeps = Pick<ServiceDeps, 'db' | 'clock' | 'random' | 'config' | 'secrets'>;
