import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/** What the client needs of an app: Fastify's `inject` (or the same over the network, in tests). */
export interface Injectable {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * A cookie-keeping client over app.inject (no socket), with the CSRF token taken from the last page
 * it loaded, as a browser submitting a form would. Used by `mamori demo` and by the tests.
 */
export class InjectClient {
  readonly cookies = new Map<string, string>();
  csrf = '';
  /** The client's address as the server sees it. */
  remoteAddress = '127.0.0.1';
  constructor(
    private readonly app: Injectable,
    readonly headers: Record<string, string> = {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    },
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired =
        cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token?.[1]) this.csrf = token[1];
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        method: 'GET',
        url,
        remoteAddress: this.remoteAddress,
        headers: { ...this.headers, cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  /** Posts a urlencoded form with the current CSRF token unless the form brings its own `_csrf`; a list repeats the field. */
  async post(
    url: string,
    form: Record<string, string | string[]> = {},
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ _csrf: this.csrf, ...form })) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
    }
    const body = params.toString();
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        payload: body,
        headers: {
          ...this.headers,
          'content-type': 'application/x-www-form-urlencoded',
          cookie: this.cookieHeader(),
          ...headers,
        },
      }),
    );
  }

  async raw(options: {
    method: 'POST' | 'GET';
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse> {
    return this.keep(
      await this.app.inject({
        ...options,
        remoteAddress: this.remoteAddress,
        headers: { ...this.headers, cookie: this.cookieHeader(), ...(options.headers ?? {}) },
      }),
    );
  }
}

/** Takes path + query of an absolute link from a mail, so it can be injected. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return url.pathname + url.search;
}

export function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token') ?? '';
}
