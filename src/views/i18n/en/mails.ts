/** What Mamori's mails say, to customers and to the other party of an incident. */
export const mails = {
  'mail.notice.subject.second-factor-added': 'Two-step sign-in was turned on for your {shop} account',
  'mail.notice.subject.second-factor-removed': 'Two-step sign-in was turned off for your {shop} account',
  'mail.notice.subject.recovery-code-used': 'A recovery code was used to sign in to your {shop} account',
  'mail.notice.subject.recovery-codes-renewed': 'New recovery codes were made for your {shop} account',
  'mail.notice.subject.password-disabled-after-failures':
    'Your {shop} password was switched off after 100 failed sign-ins',
  'mail.footer': 'This message was sent by {shop} about your account. Questions? Reply is not read: write to {email}.',
  'mail.verify.subject': 'Confirm your email address for {shop}',
  'mail.verify.body':
    'Hello {name},\n\nConfirm your address to finish creating your account at {shop}. The link works for 24 hours.',
  'mail.verify.action': 'Confirm my address',
  'mail.verify.ignore': 'If you did not create an account, ignore this message; nothing will happen.',
  'mail.registrationAttempt.subject': 'Someone tried to create an account with your address at {shop}',
  'mail.registrationAttempt.body':
    'Someone tried to create a new account at {shop} with this address, which already has an account. No new account was created.',
  'mail.registrationAttempt.action': 'Sign in',
  'mail.registrationAttempt.reset': 'Forgot your password? Reset it here: {link}',
  'mail.reset.subject': 'Set a new password for {shop}',
  'mail.reset.body':
    'Someone asked to reset the password of your account at {shop}. The link works for {minutes} minutes and only once.',
  'mail.reset.action': 'Set a new password',
  'mail.reset.ignore': 'If you did not ask for this, ignore this message; your password stays as it is.',
  'mail.confirmEmail.subject': 'Confirm your new email address for {shop}',
  'mail.confirmEmail.body':
    'The account {old} at {shop} asked to use this address from now on. The change happens only when you confirm. The link works for {hours} hours.',
  'mail.confirmEmail.action': 'Confirm the new address',
  'mail.notice.subject.password-changed': 'Your {shop} password was changed',
  'mail.notice.subject.password-reset': 'Your {shop} password was reset',
  'mail.notice.subject.email-changed': 'The email address of your {shop} account was changed',
  'mail.notice.subject.email-change-requested': 'Someone asked to change the email address of your {shop} account',
  'mail.notice.subject.phone-changed': 'The phone number of your {shop} account was changed',
  'mail.notice.subject.payment-method-added': 'A payment method was added to your {shop} account',
  'mail.notice.subject.payment-method-removed': 'A payment method was removed from your {shop} account',
  'mail.notice.subject.address-added': 'A shipping address was added to your {shop} account',
  'mail.notice.subject.address-removed': 'A shipping address was removed from your {shop} account',
  'mail.notice.subject.name-changed': 'The name on your {shop} account was changed',
  'mail.notice.subject.subscription-changed': 'A subscription on your {shop} account was changed',
  'mail.notice.subject.new-device-sign-in': 'New sign-in to your {shop} account',
  'mail.notice.subject.shop-order-placed': 'An order to a new address was placed with your {shop} account',
  'mail.notice.subject.shop-gift-card-redeemed': 'A gift card was used with your {shop} account',
  'mail.notice.subject.shop-points-redeemed': 'Points were spent with your {shop} account',
  'mail.notice.subject.shop-address-saved': 'A delivery address was saved to your {shop} account at checkout',
  'mail.notice.subject.shop-payment-method-saved': 'A card was saved to your {shop} account at checkout',
  'mail.notice.subject.shop-subscription-started': 'A subscription was started on your {shop} account',
  'mail.notice.area': 'Area',
  'mail.notice.report': "This wasn't me",
  'mail.notice.reportHint':
    'If you did not do this, press "This wasn\'t me". It works without signing in for 7 days: we lock the account at once, undo what was changed and show you every step. Opening the link changes nothing until you confirm.',
  'mail.contained.subject': 'We secured your {shop} account',
  'mail.contained.body':
    'A change you did not make was reported on your {shop} account. We locked the account, signed out every device, disabled the password and undid {changes}. Recovery opens at {until} unless someone objects. Follow it here, and reach a person from the same page:',
  'mail.contained.bodyReview':
    'Someone reported a change on your {shop} account as not theirs. The report came through an address or device that appeared only after the changes began, so to be safe we locked the account, signed out every device, disabled the password and undid {changes}. Nobody can recover the account until a person has checked who it belongs to. If the account is yours, open the incident page and tell us; you can reach a person from there:',
  'count.changes.one': '1 change',
  'count.changes.other': '{count} changes',
  'mail.contained.action': 'Open the incident page',
  'mail.objection.subject': 'A change to a {shop} account you used was reversed',
  'mail.objection.body':
    'The owner of the account {account} at {shop} reported that a change made with this address was not theirs, and it was reversed. If you are the account owner and this is a mistake, object before {until}; a person will then review both sides.',
  'mail.objection.action': 'Object to the reversal',
  'mail.disputed.subject': 'Someone objected to your report at {shop}',
  'mail.disputed.body':
    'Someone objected to the reversal you asked for. Your account stays locked and safe while a person at {shop} reviews both sides. We will write to you; you can also reach us at {email}.',
  'mail.recovery.subject': 'Recover your {shop} account now',
  'mail.recovery.body':
    'The waiting period has passed with no objection. Set a new password to open your account again. The link works for 24 hours and only once.',
  'mail.recovery.action': 'Set a new password',
  'mail.recovered.subject': 'Your {shop} account is open again',
  'mail.recovered.body':
    'A new password was set through your recovery link and your {shop} account is open again. If this was you, there is nothing more to do here; the checklist waits on your account page. If it was not you, open the incident page now and tell us: a person will act at once.',
  'mail.recovered.action': "It wasn't me: open the incident page",
  'mail.notice.what': 'What changed',
  'mail.notice.before': 'Before',
  'mail.notice.after': 'After',
  'mail.notice.when': 'When',
  'mail.notice.device': 'Device',
  'mail.notice.ip': 'Network address',
  'mail.notice.notYou': 'Was this not you? Contact us and a person will help you, even if you cannot sign in: {email}',
  'mail.code.subject': 'Your sign-in code for {shop}',
  'mail.code.body':
    'Someone is signing in to your account from a browser or place we have not seen before. If it is you, enter this code. It works for {minutes} minutes.',
  'mail.code.notYou':
    'Not you? Do not share this code with anyone. Someone knows your password. If you need help, write to {email}.',
  'mail.code.secureLead':
    'The button below signs out every device and shop (anyone who got in with your password too) and asks you for a new password. If something was already changed, each change’s own mail has a “This wasn’t me” button.',
  'mail.code.secure': 'Not me: sign everyone out and set a new password',
  'mail.blocked.subject': 'We stopped a sign-in to your {shop} account',
  'mail.blocked.body':
    'Someone signed in with your correct password from a place and browser that look like an attack, and we refused it. Your account is unchanged. Your password is known to someone else: please set a new one.',
  'mail.blocked.action': 'Set a new password',
  'mail.held.subject': 'A change to your {shop} account is on hold',
  'mail.held.body':
    'A change to your account was asked for from a new browser or a sign-in we had to check. To protect you, it waits until {until} before it takes effect. If it was not you, cancel it now: nothing else is needed.',
  'mail.held.action': 'Cancel this change',
  'mail.reply.subject': 'A reply from {shop} support',
  'mail.reply.signed': '{name}, {shop} support',
  'mail.digest.subject': '{count} changes were reported on your {shop} account at checkout',
  'mail.digest.intro':
    'These changes happened at checkout within a short time. Each one has its own "This wasn\'t me" link: press the one of any change you did not make. It works without signing in for 7 days; opening it changes nothing until you confirm.',
} as const;
