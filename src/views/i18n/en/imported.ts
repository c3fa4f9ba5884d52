/** Customers a shop brought to Mamori (issue 26): their first sign-in here, and the staff case. */
export const imported = {
  'upgrade.suggested.title': 'Make your password longer',
  'upgrade.suggested.body':
    'You are signed in. Your password came with your account from the shop, and it is shorter or easier to guess than we now ask for, or the shop kept it in a way that is easy to crack if its old data leaks. A new, longer one ({min} characters or more), or a passkey, makes it much harder for anyone else to get in.',
  'upgrade.required.title': 'Choose a new password',
  'upgrade.required.body':
    'You are signed in, but the password you used is on lists of passwords that are known to others and tried first when someone breaks into accounts. Please choose a new one before you go on.',
  'upgrade.password': 'New password',
  'upgrade.submit': 'Save and continue',
  'upgrade.passkey': 'Use a passkey instead',
  'upgrade.later': 'Later',
  'error.PASSWORD_CHANGE_REQUIRED':
    'Please choose a new password first: the one you signed in with is known to others.',
  'staff.case.imported': 'Imported',
  'staff.case.imported.from': 'Imported on {date} from {shop}',
  'staff.case.imported.hash':
    'Password: still the shop’s own hash ({format}), until her first sign-in with the right password moves it to Mamori’s hashing.',
  'staff.case.imported.noHash':
    'Password: none came with the account; she is offered a one-time link to set one when she signs in.',
  'staff.case.imported.passkeyOnly': 'Password: none; she opened the account by the mailed link to add a passkey.',
  'staff.case.imported.migrated': 'Password: moved to Mamori’s hashing (argon2id); the shop’s hash is forgotten.',
  'firstPassword.offer': 'Your account came from the shop’s old site and you have no password here yet?',
  'firstPassword.offerLink': 'Get a link to set one',
  'firstPassword.title': 'Set up your password',
  'firstPassword.lead':
    'If the shop brought your account to {shop} without a password, we send a link to your address. With it you choose a password, or a passkey instead.',
  'firstPassword.submit': 'Send me the link',
  'firstPassword.sent.title': 'Check your inbox',
  'firstPassword.sent.body':
    'If {email} is an account the shop brought here without a password, a link to set one is on its way. It works for one hour, once.',
  'firstPassword.set.title': 'Choose your password',
  'firstPassword.set.lead':
    'This is the first password for your account at {shop}. Or use a passkey instead: nothing to remember.',
  'firstPassword.set.submit': 'Save my password',
  'firstPassword.set.passkey': 'Use a passkey instead',
  'firstPassword.done': 'Your password is set. Sign in with it.',
  'mail.firstPassword.subject': 'Set your password for {shop}',
  'mail.firstPassword.body':
    'Your account moved to {shop} without a password. With this link you choose one, or a passkey instead. It works for {minutes} minutes, once.',
  'mail.firstPassword.action': 'Set my password',
  'mail.firstPassword.ignore': 'If you did not ask for this, ignore this message; nothing changes.',
} as const;
