/**
 * Where this store's Mamori is and who the store is to it, read once from the environment the
 * medusa-config.ts also reads. `publicUrl` is this Medusa server as Mamori reaches it (for its push stream).
 */
export interface MamoriSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  publicUrl: string;
}

export function mamoriSettings(env: NodeJS.ProcessEnv = process.env): MamoriSettings {
  const read = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required (integrations/medusa/README.md)`);
    return value;
  };
  return {
    issuer: read('MAMORI_ISSUER').replace(/\/+$/, ''),
    clientId: read('MAMORI_CLIENT_ID'),
    clientSecret: read('MAMORI_CLIENT_SECRET'),
    publicUrl: read('MEDUSA_BACKEND_URL').replace(/\/+$/, ''),
  };
}
