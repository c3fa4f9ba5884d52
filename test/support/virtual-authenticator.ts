import type { BrowserContext, Page } from 'playwright-core';

/**
 * A platform authenticator with user verification in Chromium, through the DevTools protocol (no hardware,
 * no prompt). Returns what removes it again, as when a phone is lost.
 */
export async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<() => Promise<void>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return async () => {
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  };
}
