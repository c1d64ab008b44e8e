// Test helpers for the auth and account pages: a fake berthd answering by "METHOD /path", and
// a render inside the same providers the app uses (query cache, auth, toasts, a memory router).
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, Outlet, RouterProvider, type RouteObject } from "react-router-dom";
import { vi } from "vitest";
import { AuthProvider } from "../../auth/AuthContext";
import { ToastProvider } from "../../components/Toast";

export type Answer = [status: number, body?: unknown];
/// Each route answers with one reply, or with a list used in turn (the last one repeats).
export type FakeRoutes = Record<string, Answer | Answer[] | ((body: unknown) => Answer)>;

export interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
}

export function fakeBerth(routes: FakeRoutes) {
  const seen: SeenRequest[] = [];
  const used = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const url = new URL(request.url);
    const text = await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    seen.push({ method: request.method, path: url.pathname + url.search, body, headers: request.headers });
    const key = `${request.method} ${url.pathname}`;
    const route = routes[key];
    let answer: Answer;
    if (route === undefined) answer = [404, { error: { code: "not_found", message: `no fake for ${key}`, details: {} } }];
    else if (typeof route === "function") answer = route(body);
    else if (Array.isArray(route[0])) {
      const list = route as Answer[];
      const index = used.get(key) ?? 0;
      used.set(key, index + 1);
      answer = list[Math.min(index, list.length - 1)]!;
    } else answer = route as Answer;
    const [status, payload] = answer;
    return new Response(payload === undefined ? null : JSON.stringify(payload), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { seen, fetchMock };
}

export function apiError(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

export const signedOutState: Answer = [200, { needs_setup: false, authenticated: false, user: null }];
export const signedInState: Answer = [200, { needs_setup: false, authenticated: true, user: {} }];
export const me = {
  user: {
    id: "usr_1",
    email: "ada@example.com",
    display_name: "Ada",
    personal_team_id: "team_p",
    totp_enabled: false,
    is_instance_admin: false,
    created_at: "2026-01-02T10:00:00.000Z",
  },
  memberships: [{ role: "owner", team: { id: "team_p", name: "Ada", personal: true } }],
};

/// Renders `routes` (plus a marker page for each path in `landing`) at `at`.
export function renderRoutes(routes: RouteObject[], at: string | { pathname: string; search?: string; hash?: string; state?: unknown }, landing: string[] = []) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      {
        element: (
          <AuthProvider>
            <ToastProvider>
              <Outlet />
            </ToastProvider>
          </AuthProvider>
        ),
        children: [...routes, ...landing.map((path) => ({ path, element: <p>landed on {path}</p> }))],
      },
    ],
    { initialEntries: [at] },
  );
  render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router, queryClient };
}
