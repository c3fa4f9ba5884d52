import { defineConfig, loadEnv, Modules } from '@medusajs/framework/utils';

loadEnv(process.env.NODE_ENV || 'development', process.cwd());

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (see integrations/medusa/README.md)`);
  return value;
};

/**
 * A Medusa store whose customers sign in with Mamori only: the `mamori` auth provider for the
 * `customer` actor, Medusa's email/password kept for the admin. No Redis: the in-memory event bus, cache
 * and workflow engine Medusa falls back to, which is what a single-process store and the tests use.
 */
module.exports = defineConfig({
  projectConfig: {
    databaseUrl: required('DATABASE_URL'),
    databaseDriverOptions: { ssl: false },
    http: {
      storeCors: process.env.STORE_CORS ?? 'http://localhost:8000',
      adminCors: process.env.ADMIN_CORS ?? 'http://localhost:9000',
      authCors: process.env.AUTH_CORS ?? 'http://localhost:8000,http://localhost:9000',
      jwtSecret: required('JWT_SECRET'),
      cookieSecret: required('COOKIE_SECRET'),
      authMethodsPerActor: { customer: ['mamori'], user: ['emailpass'] },
    },
  },
  admin: { disable: process.env.MEDUSA_ADMIN !== 'true' },
  modules: [
    {
      resolve: '@medusajs/medusa/auth',
      // The sign-in's state and PKCE verifier wait in the cache between the redirect and the callback.
      dependencies: [Modules.CACHE],
      options: {
        providers: [
          { resolve: '@medusajs/medusa/auth-emailpass', id: 'emailpass' },
          {
            resolve: './src/modules/mamori-auth',
            id: 'mamori',
            options: {
              issuer: required('MAMORI_ISSUER'),
              clientId: required('MAMORI_CLIENT_ID'),
              clientSecret: required('MAMORI_CLIENT_SECRET'),
              callbackUrl: required('MAMORI_CALLBACK_URL'),
            },
          },
        ],
      },
    },
  ],
});
