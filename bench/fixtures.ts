// What the bench servers seed and the load scripts send: one definition for both sides.
export const benchEmail = (i: number) => `user${i}@bench.example`;
export const benchPassword = (i: number) => `bench passphrase number ${i} river`;
/** The device cookie of user i's own browser (43 base64url characters, like every token). */
export const benchOwnerDevice = (i: number) => `owner-${String(i).padStart(6, '0')}`.padEnd(43, 'x');
