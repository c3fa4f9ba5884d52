import { isIP } from 'node:net';
import { z } from 'zod';
import { parseReceiverAllowList, receiverUrlRefusal, type ReceiverPolicy } from './platform/receiver-policy.ts';

/**
 * The whole configuration: one list, read from the environment once at start, validated, frozen.
 * Nothing else reads process.env (STYLE 9). README.md documents every variable.
 */
const intIn = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int()
    .min(min)
    .max(max);
const intFrom = (min: number, max: number, fallback: number) => intIn(min, max).default(fallback);

const envSchema = z.object({
  MAMORI_MODE: z.enum(['development', 'production']).default('development'),
  MAMORI_HOST: z.string().min(1).default('127.0.0.1'),
  MAMORI_PORT: intFrom(0, 65535, 3000),
  MAMORI_PUBLIC_URL: z.url({ error: 'must be an absolute URL such as https://account.example.com' }).optional(),
  MAMORI_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .default('sqlite:./data/mamori.sqlite'),
  MAMORI_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must look like smtp://user:password@host:587')
    .optional(),
  MAMORI_MAIL_FROM: z.string().min(3).default('Mamori <no-reply@localhost>'),
  MAMORI_SHOP_NAME: z.string().min(1).max(80).default('Maple Market'),
  MAMORI_SUPPORT_EMAIL: z.email({ error: 'must be an email address' }).default('support@example.com'),
  MAMORI_SUPPORT_PHONE: z.string().max(40).optional(),
  MAMORI_METRICS_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).max(200).optional(),
  MAMORI_DEFAULT_LOCALE: z.enum(['ja', 'en']).default('ja'),
  MAMORI_SESSION_IDLE_MINUTES: intFrom(5, 60 * 24 * 30, 60 * 24 * 7),
  MAMORI_SESSION_ABSOLUTE_HOURS: intFrom(1, 24 * 30, 24 * 30),
  MAMORI_REAUTH_MINUTES: intFrom(1, 60, 15),
  MAMORI_INCIDENT_WAIT_MINUTES: intFrom(0, 60 * 24 * 30, 300),
  MAMORI_ARGON2_MEMORY_KIB: intFrom(19456, 1024 * 1024, 19456),
  MAMORI_ARGON2_ITERATIONS: intFrom(2, 10, 2),
  MAMORI_HASH_CONCURRENCY: intIn(1, 256).optional(),
  UV_THREADPOOL_SIZE: intFrom(1, 1024, 4),
  MAMORI_SIGN_IN_LIMIT_PER_MINUTE: intFrom(1, 1_000_000, 20),
  MAMORI_API_REQUESTS_PER_MINUTE: intFrom(1, 1_000_000, 600),
  MAMORI_CLIENT_AUTH_FAILURES: intFrom(1, 10_000, 10),
  MAMORI_SHOP_NOTICE_WINDOW_SECONDS: intFrom(0, 3600, 60),
  MAMORI_RISK_CHALLENGE_AT: intFrom(1, 101, 30),
  MAMORI_RISK_DENY_AT: intFrom(1, 101, 80),
  MAMORI_HOLD_HOURS: intFrom(0, 24 * 14, 24),
  MAMORI_IRREVERSIBLE_HOLD_HOURS: intFrom(0, 24 * 30, 72),
  MAMORI_SLA_FIRST_RESPONSE_MINUTES: intFrom(1, 60 * 24 * 7, 60),
  MAMORI_SLA_CONTAINMENT_MINUTES: intFrom(1, 60 * 24 * 7, 15),
  MAMORI_SLA_RECOVERY_HOURS: intFrom(1, 24 * 30, 24),
  MAMORI_GEOIP_DATABASE: z.string().min(1).optional(),
  MAMORI_SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be 32 random bytes in base64url (43 characters)' })
    .optional(),
  MAMORI_SECRET_KEY_PREVIOUS: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}(,[A-Za-z0-9_-]{43}){0,3}$/, {
      error: 'must be one to four earlier keys (43 characters of base64url each), separated by commas',
    })
    .optional(),
  MAMORI_TRUST_PROXY: z.string().trim().default('false'),
  MAMORI_RECEIVER_ALLOW: z.string().max(4000).default(''),
  MAMORI_LEGACY_SIGN_IN_URL: z.url({ error: 'must be an absolute https:// URL' }).optional(),
  MAMORI_LEGACY_SIGN_IN_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. 32 random bytes in base64url)' })
    .max(200)
    .optional(),
  MAMORI_LEGACY_SIGN_IN_CLIENT: z.string().min(1).max(200).optional(),
  MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS: intFrom(50, 3000, 3000),
  MAMORI_TIME_ZONE: z
    .string()
    .default('Asia/Tokyo')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Tokyo or Europe/Berlin'),
  MAMORI_DEMO_ACCOUNT: z.enum(['true', 'false']).optional(),
  MAMORI_EXAMPLE_SHOP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MAMORI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
});

export type Locale = 'ja' | 'en';

export interface Config {
  mode: 'development' | 'production';
  host: string;
  port: number;
  publicUrl: string;
  /** Cookies get Secure and the __Host- prefix unless this is plain-http localhost development. */
  secureCookies: boolean;
  databaseUrl: string;
  smtpUrl: string | null;
  mailFrom: string;
  shopName: string;
  supportEmail: string;
  supportPhone: string | null;
  /** The bearer token Prometheus scrapes `/metrics` with; null turns `/metrics` off. */
  metricsToken: string | null;
  defaultLocale: Locale;
  session: { idleMs: number; absoluteMs: number; privilegedMs: number; touchIntervalMs: number };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** How many argon2 hashes run at once on libuv's pool; more wait their turn in memory. */
  hashConcurrency: number;
  /** The dispute window after containment (DESIGN 2 C step 4). */
  incidentWaitMs: number;
  /** Sign-in and other secret-checking forms, per client address and minute. */
  signInLimitPerMinute: number;
  /** The machine-to-machine side (issue 24 §4): shops calling `/api/v1` and the token endpoint, and their reports. */
  machineLimits: {
    /** `/api/v1` calls per shop (client id) and minute, across every instance. */
    apiRequestsPerMinute: number;
    /** Failed client authentications allowed per client id and per address in `clientAuthWindowMs`. */
    clientAuthFailures: number;
    clientAuthWindowMs: number;
    /** Notices caused by shop reports go to one address at most once in this window, the rest listed in the next. */
    shopNoticeWindowMs: number;
  };
  /** Risk scores (0–100) from which a sign-in is challenged or denied; 101 turns that decision off. */
  risk: { challengeAt: number; denyAt: number };
  /** How long a sensitive change from a young or challenged session waits (0: never held). */
  changeDelayMs: number;
  /** How long irreversible actions stay on hold after an email or password change. */
  irreversibleHoldMs: number;
  /** An MMDB file with a country_code per network; the bundled PDDL IPtoASN database when unset. */
  geoipDatabase: string | null;
  /** Seals stored secrets (TOTP seeds); null in development, where the embedded default keeps its own. */
  secretKey: string | null;
  /** Keys being rotated out: they still open what they sealed until `mamori keys rotate` has sealed it anew. */
  previousSecretKeys: readonly string[];
  /** Support desk service levels: the queue's clocks (DESIGN 2 E). */
  sla: { firstResponseMs: number; containmentMs: number; recoveryMs: number };
  /**
   * Where Mamori may send what a shop asked for (push streams, back-channel logout): public addresses,
   * the networks and names of MAMORI_RECEIVER_ALLOW, and loopback in development.
   */
  receivers: ReceiverPolicy;
  /**
   * Live trickle migration (issue 26): a sign-in naming an address Mamori does not know asks the shop's
   * old system once. null: off (the default; unset MAMORI_LEGACY_SIGN_IN_URL when the move is done).
   */
  legacySignIn: LegacySignInConfig | null;
  /** false, how many proxies stand in front (hops), or their addresses and networks. */
  trustProxy: false | number | string[];
  /** Times on pages and in mail are shown in the shop's time zone. */
  timeZone: string;
  demoAccount: boolean;
  /** Development: the example shop (examples/shop) runs beside Mamori on this port; null when it does not. */
  exampleShopPort: number | null;
  logLevel: string;
}

export interface LegacySignInConfig {
  url: string;
  /** Keys the HMAC-SHA256 signature of each request, so the old system answers Mamori only. */
  secret: string;
  /** The shop (OIDC client) whose old system it is: its customer ids and its customers. */
  clientId: string;
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Mamori cannot start, the configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Which proxies may say who the client is: none, a number of hops, or a list of addresses and
 * networks. "true" (every hop) is refused: any client could then choose its own address.
 */
function parseTrustProxy(value: string, problems: string[]): false | number | string[] {
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 10) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = (entry: string) => {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  };
  if (entries.length > 0 && entries.every(valid)) return entries;
  problems.push(
    `MAMORI_TRUST_PROXY: "${value}" is not false, a number of proxies (1 to 10) or a list of their addresses or networks (e.g. 10.0.0.0/8,192.0.2.7); "true" is refused because it lets any client choose its own address`,
  );
  return false;
}

/**
 * MAMORI_LEGACY_SIGN_IN_*: https only (plain http to loopback in development, like the example shop), a
 * host the receiver policy allows, a shared secret and the shop it belongs to. Unset URL: off.
 */
function legacySignInConfig(
  e: z.infer<typeof envSchema>,
  receivers: ReceiverPolicy,
  problems: string[],
): LegacySignInConfig | null {
  const url = e.MAMORI_LEGACY_SIGN_IN_URL;
  if (!url) return null;
  const target = new URL(url);
  const loopbackHttp =
    target.protocol === 'http:' &&
    e.MAMORI_MODE === 'development' &&
    isLoopbackHost(target.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (target.protocol !== 'https:' && !loopbackHttp)
    problems.push('MAMORI_LEGACY_SIGN_IN_URL: must be an https:// URL (plain http only to loopback in development)');
  const refusal = receiverUrlRefusal(receivers, url);
  if (refusal) problems.push(`MAMORI_LEGACY_SIGN_IN_URL: ${refusal}`);
  if (!e.MAMORI_LEGACY_SIGN_IN_SECRET)
    problems.push('MAMORI_LEGACY_SIGN_IN_SECRET: is required with MAMORI_LEGACY_SIGN_IN_URL (it signs each request)');
  if (!e.MAMORI_LEGACY_SIGN_IN_CLIENT)
    problems.push(
      'MAMORI_LEGACY_SIGN_IN_CLIENT: is required with MAMORI_LEGACY_SIGN_IN_URL (the client id of the shop whose old system it is)',
    );
  return {
    url,
    secret: e.MAMORI_LEGACY_SIGN_IN_SECRET ?? '',
    clientId: e.MAMORI_LEGACY_SIGN_IN_CLIENT ?? '',
    timeoutMs: e.MAMORI_LEGACY_SIGN_IN_TIMEOUT_MS,
  };
}

export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const publicUrl = (e.MAMORI_PUBLIC_URL ?? `http://localhost:${e.MAMORI_PORT}`).replace(/\/+$/, '');
  const https = publicUrl.startsWith('https://');
  const problems: string[] = [];
  if (e.MAMORI_MODE === 'production') {
    if (!https) problems.push('MAMORI_PUBLIC_URL: must be an https:// URL in production');
    if (!e.MAMORI_SMTP_URL)
      problems.push('MAMORI_SMTP_URL: is required in production (the dev mailbox is development only)');
    if (!e.MAMORI_SECRET_KEY)
      problems.push('MAMORI_SECRET_KEY: is required in production (it seals stored authenticator seeds)');
  }
  const previousSecretKeys = e.MAMORI_SECRET_KEY_PREVIOUS?.split(',') ?? [];
  if (e.MAMORI_SECRET_KEY && previousSecretKeys.includes(e.MAMORI_SECRET_KEY))
    problems.push('MAMORI_SECRET_KEY_PREVIOUS: must not repeat MAMORI_SECRET_KEY');
  if (e.MAMORI_RISK_DENY_AT < e.MAMORI_RISK_CHALLENGE_AT) {
    problems.push(
      `MAMORI_RISK_DENY_AT: is ${e.MAMORI_RISK_DENY_AT}, below MAMORI_RISK_CHALLENGE_AT (${e.MAMORI_RISK_CHALLENGE_AT}); raise MAMORI_RISK_DENY_AT to at least ${e.MAMORI_RISK_CHALLENGE_AT} as well (101 turns denial off)`,
    );
  }
  if (e.MAMORI_MODE === 'development' && !isLoopbackHost(e.MAMORI_HOST)) {
    problems.push(
      `MAMORI_HOST: development mode shows every mailed link at /dev/mailbox, so it listens on loopback only (127.0.0.1, ::1, localhost), not ${e.MAMORI_HOST}; use MAMORI_MODE=production to serve others`,
    );
  }
  const trustProxy = parseTrustProxy(e.MAMORI_TRUST_PROXY, problems);
  const receiverAllow = parseReceiverAllowList(e.MAMORI_RECEIVER_ALLOW);
  problems.push(...receiverAllow.problems);
  const receivers: ReceiverPolicy = Object.freeze({
    loopback: e.MAMORI_MODE === 'development',
    networks: Object.freeze(receiverAllow.networks),
    names: Object.freeze(receiverAllow.names),
  });
  const legacySignIn = legacySignInConfig(e, receivers, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    mode: e.MAMORI_MODE,
    host: e.MAMORI_HOST,
    port: e.MAMORI_PORT,
    publicUrl,
    secureCookies: https,
    databaseUrl: e.MAMORI_DATABASE_URL,
    smtpUrl: e.MAMORI_SMTP_URL ?? null,
    mailFrom: e.MAMORI_MAIL_FROM,
    shopName: e.MAMORI_SHOP_NAME,
    supportEmail: e.MAMORI_SUPPORT_EMAIL,
    supportPhone: e.MAMORI_SUPPORT_PHONE ?? null,
    metricsToken: e.MAMORI_METRICS_TOKEN ?? null,
    defaultLocale: e.MAMORI_DEFAULT_LOCALE,
    session: Object.freeze({
      idleMs: e.MAMORI_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: e.MAMORI_SESSION_ABSOLUTE_HOURS * 3_600_000,
      privilegedMs: e.MAMORI_REAUTH_MINUTES * 60_000,
      touchIntervalMs: 60_000,
    }),
    argon2: Object.freeze({
      memoryCost: e.MAMORI_ARGON2_MEMORY_KIB,
      timeCost: e.MAMORI_ARGON2_ITERATIONS,
      parallelism: 1,
    }),
    // One pool thread stays free of hashing, so static files and DNS for the mail relay never queue behind a sign-in flood.
    hashConcurrency: e.MAMORI_HASH_CONCURRENCY ?? Math.max(1, e.UV_THREADPOOL_SIZE - 1),
    incidentWaitMs: e.MAMORI_INCIDENT_WAIT_MINUTES * 60_000,
    signInLimitPerMinute: e.MAMORI_SIGN_IN_LIMIT_PER_MINUTE,
    machineLimits: Object.freeze({
      apiRequestsPerMinute: e.MAMORI_API_REQUESTS_PER_MINUTE,
      clientAuthFailures: e.MAMORI_CLIENT_AUTH_FAILURES,
      clientAuthWindowMs: 15 * 60_000,
      shopNoticeWindowMs: e.MAMORI_SHOP_NOTICE_WINDOW_SECONDS * 1000,
    }),
    risk: Object.freeze({ challengeAt: e.MAMORI_RISK_CHALLENGE_AT, denyAt: e.MAMORI_RISK_DENY_AT }),
    changeDelayMs: e.MAMORI_HOLD_HOURS * 3_600_000,
    irreversibleHoldMs: e.MAMORI_IRREVERSIBLE_HOLD_HOURS * 3_600_000,
    geoipDatabase: e.MAMORI_GEOIP_DATABASE ?? null,
    secretKey: e.MAMORI_SECRET_KEY ?? null,
    previousSecretKeys: Object.freeze(previousSecretKeys),
    sla: Object.freeze({
      firstResponseMs: e.MAMORI_SLA_FIRST_RESPONSE_MINUTES * 60_000,
      containmentMs: e.MAMORI_SLA_CONTAINMENT_MINUTES * 60_000,
      recoveryMs: e.MAMORI_SLA_RECOVERY_HOURS * 3_600_000,
    }),
    receivers,
    legacySignIn,
    trustProxy,
    timeZone: e.MAMORI_TIME_ZONE,
    demoAccount: e.MAMORI_DEMO_ACCOUNT ? e.MAMORI_DEMO_ACCOUNT === 'true' : e.MAMORI_MODE === 'development',
    exampleShopPort:
      e.MAMORI_MODE === 'development' && e.MAMORI_EXAMPLE_SHOP_PORT !== 0 ? (e.MAMORI_EXAMPLE_SHOP_PORT ?? 3001) : null,
    logLevel: e.MAMORI_LOG_LEVEL,
  });
}
