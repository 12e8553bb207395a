/**
 * A `fetch`-compatible function that adds `Authorization: Bearer <token>` to every request
 * (RFC 6750 §2.1), with the token from any source: an access token client or a direct-mode signer.
 */

/** Where the wrapper gets its token; `fresh` is true on the retry after a 401. */
export type GetBearerToken = (context: { readonly fresh: boolean }) => Promise<string>;

/** Options of {@link createFetchWithToken}. */
export interface FetchWithTokenOptions {
  /** Returns the token to send. */
  readonly getToken: GetBearerToken;
  /** fetch implementation (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /**
   * On a 401 answer, ask for a fresh token (`fresh: true`) and send the request once more. Only for
   * requests whose body can be sent twice (none, or a string / URLSearchParams / bytes). Default true.
   */
  readonly retryOnUnauthorized?: boolean;
}

/** A fetch with the same signature as the global one. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Returns a fetch that sends `Authorization: Bearer <token>`. An Authorization header already set by
 * the caller is replaced (one credential per request, RFC 6750 §2). Does NOT send the token anywhere
 * but the URL it is given: the caller decides which origin gets it.
 */
export function createFetchWithToken(options: FetchWithTokenOptions): FetchLike {
  const fetchImpl = options.fetch ?? fetch;
  const retry = options.retryOnUnauthorized ?? true;
  return async (input, init) => {
    const send = async (fresh: boolean): Promise<Response> => {
      const token = await options.getToken({ fresh });
      const headers = new Headers(input instanceof Request ? input.headers : undefined);
      new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
      headers.set('authorization', `Bearer ${token}`);
      return fetchImpl(input instanceof Request ? input.clone() : input, { ...init, headers });
    };
    const response = await send(false);
    if (response.status === 401 && retry && isReplayable(input, init)) {
      await response.body?.cancel();
      return send(true);
    }
    return response;
  };
}

function isReplayable(input: string | URL | Request, init: RequestInit | undefined): boolean {
  const body = init?.body;
  if (body === undefined || body === null) return !(input instanceof Request) || input.body === null;
  return typeof body === 'string' || body instanceof URLSearchParams || body instanceof Uint8Array || body instanceof ArrayBuffer;
}
