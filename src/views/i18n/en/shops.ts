/** Signing in to a shop through Mamori: consent, sign-out from a shop, and what goes wrong on the way. */
export const shops = {
  'shop.support.lead': 'Questions for {client} itself (orders, deliveries):',
  'shop.support.page': 'its help page',
  'shop.consent.title': 'Sign in to {client}?',
  'shop.consent.lead': '{client} asks to use your {shop} account. It will see:',
  'shop.consent.scope.openid': 'that it is you (an identifier that stays the same)',
  'shop.consent.scope.email': 'your email address',
  'shop.consent.scope.profile': 'your name and language',
  'shop.consent.scope.offline_access': 'that you stay signed in there until you sign out',
  'shop.consent.scope.account_read':
    'whether your account is safe to use right now (locked, being recovered, or on hold after a recovery)',
  'shop.consent.allow': 'Allow and continue',
  'shop.consent.deny': 'Do not allow',
  'shop.consent.signedInAs': 'Signed in as {email}.',
  'shop.continue.title': 'Continuing to the shop…',
  'shop.continue.link': 'Continue to the shop',
  'shop.logout.title': 'Sign out?',
  'shop.logout.lead':
    'You are signing out of {shop}. You will be signed out of the shops you signed in to with it, too.',
  'shop.logout.confirm': 'Sign out',
  'shop.logout.stay': 'Stay signed in',
  'shop.logout.done.title': 'You are signed out',
  'shop.logout.done.body': 'You can close this page, or go back to the shop.',
  'shop.error.title': 'The shop sign-in did not work',
  'shop.error.expired': 'This sign-in request has expired or was already used. Go back to the shop and sign in again.',
  'shop.error.generic': 'The shop sent a request we cannot accept ({error}). Go back to the shop and try again.',
  'shop.error.locked':
    'This account is locked while a report that it was taken over is being handled, so it cannot sign in to shops. The mail we sent to the owner explains what happens next.',
  'shop.error.otherAccount': 'This sign-in was started for another account. Go back to the shop and sign in again.',
} as const;
