import { startShop } from './shop.ts';

/**
 * Run on its own: `MAMORI_ISSUER=… SHOP_CLIENT_ID=… SHOP_CLIENT_SECRET=… npm start` (the client made with
 * `mamori client add --name "My shop" --redirect-uri http://localhost:3001/callback
 * --backchannel-logout-uri http://localhost:3001/backchannel-logout --post-logout-redirect-uri http://localhost:3001/`).
 * In Mamori's development mode `npm start` at the repository root runs it for you.
 */
const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
};

const shop = await startShop({
  issuer: required('MAMORI_ISSUER'),
  clientId: required('SHOP_CLIENT_ID'),
  clientSecret: required('SHOP_CLIENT_SECRET'),
  port: Number(process.env.SHOP_PORT ?? 3001),
  databaseFile: process.env.SHOP_DATABASE ?? './shop.db',
  shopName: process.env.SHOP_NAME,
});
process.stdout.write(`Example shop at ${shop.url}\n`);
process.once('SIGINT', () => void shop.close().then(() => process.exit(0)));
