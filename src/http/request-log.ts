import type { Logger } from 'pino';

/** Request logs carry the path only: query strings can hold single-use tokens (an emailed link's). */
export function requestLogSerializer(request: { method?: string; url?: string; ip?: string }) {
  return { method: request.method, path: request.url?.split('?')[0], ip: request.ip };
}

/**
 * The app logs requests through this, whatever logger it was given: a link's token in a query string
 * (every mailed page, and the language switch that keeps it) never reaches a log line.
 */
export function withoutQueryStrings(log: Logger): Logger {
  return log.child({}, { serializers: { req: requestLogSerializer } });
}
