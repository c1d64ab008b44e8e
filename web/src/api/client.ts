// The one way the dashboard talks to berthd: openapi-fetch typed by the paths of
// docs/openapi.json (src/api/schema.d.ts, checked at build time). Every call goes through
// `call`, which returns the data or throws the API's error envelope as an ApiError.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError, toApiError } from "./errors";
import { apiHeaders, session } from "./session";

const headersMiddleware: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(apiHeaders(request.method))) {
      request.headers.set(name, value);
    }
    return request;
  },
  onResponse({ request, response }) {
    // A 401 from anything but the sign-in calls means the session ended under the page.
    if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/v1/auth/")) {
      session.expired();
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  credentials: "same-origin",
  // Looked up per call, not captured once, so tests (and polyfills) can replace fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(headersMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/// Awaits an openapi-fetch call; the data on success, an ApiError thrown otherwise.
export async function call<T>(pending: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await pending;
  } catch (cause) {
    throw toApiError(0, cause);
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}

export { ApiError };
