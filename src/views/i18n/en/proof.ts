/** "Prove it's you" (issue 27): a factor the owner held before the intrusion opens recovery at once. */
export const proof = {
  'proof.kind.passkey': 'a passkey',
  'proof.kind.totp': 'an authenticator app',
  'proof.kind.recovery-code': 'a recovery code',
  'proof.words': '{factor} held since {since}',
  'proof.title': "Prove it's you, recover now",
  'proof.lead':
    'If you had a passkey, an authenticator app or recovery codes before the intrusion, use one now: recovery opens at once, without the wait. Anything added after the intrusion does not count, whoever added it.',
  'proof.passkey': 'Prove it with my passkey',
  'proof.codeLabel': 'Code from your authenticator app, or a recovery code',
  'proof.submit': 'Prove it with this code',
  'proof.emailOnly':
    'Your account had no passkey or authenticator app before the intrusion, so the wait is what protects you: recovery opens at {time} and we will write to your address then. Next time, a passkey makes this take a minute.',
  'proof.done': 'You proved it with {proof}. Recovery is open.',
  'proof.passkeyOnly.title': 'Or go without a password',
  'proof.passkeyOnly.lead':
    'Your account opens now and this browser is signed in; then add a new passkey. You can always set a password later.',
  'proof.passkeyOnly.submit': 'Open my account and add a passkey',
  'proof.recoverNow': 'Set a new password now',
  'change.ownership-proved': 'The owner proved it with a factor held before the intrusion',
  'change.ownership-proof-refused': 'A proof of ownership was refused',
  'change.objection-after-proof': 'Objection after the owner proved it; a person will review',
  'checklist.passkey.lead': 'Add a passkey, so next time takes a minute.',
  'checklist.passkey.add': 'Add a passkey',
  'staff.case.provenBy': 'Proven by the owner: {proof}, at {at}',
  'mail.proved.subject': 'You proved it: recovery of your {shop} account is open',
  'mail.proved.body':
    'You proved the {shop} account is yours with {proof} ({at}), so recovery opened at once, without the wait. If you closed the page, continue here; the link works for 24 hours and only once.',
  'mail.proved.notYou': 'If this was not you, open the incident page now and tell us: a person will act at once.',
  'mail.provedParty.subject': 'The owner of a {shop} account proved it is theirs',
  'mail.provedParty.body':
    'The change made with this address to an account at {shop} was reversed, and the owner proved the account is theirs with {proof}. If you believe this is a mistake you may still object; a person will review it. The account does not reopen to you meanwhile.',
} as const;
