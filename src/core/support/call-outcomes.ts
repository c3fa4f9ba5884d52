/** What a logged call came to; a call that reached the customer closes the call-back. */
export const CALL_OUTCOMES = ['reached', 'no-answer', 'voicemail', 'wrong-number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
