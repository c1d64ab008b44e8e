// Test helper for the team area: renders a page inside the real AuthProvider, with fetch
// answering /api/v1/me as a user of a given role and any other route from `routes`.
import type { ReactElement, ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { vi } from "vitest";
import { AuthProvider, useAuth } from "../../auth/AuthContext";
import type { TeamRole } from "../../auth/roles";
import { session } from "../../api/session";
import { ToastProvider } from "../../components/Toast";

export const testTeam = { id: "team_1", name: "Acme", personal: false, created_at: "2026-01-01T00:00:00.000Z" };
export const testUser = { id: "usr_me", display_name: "Ada", email: "ada@example.com", is_instance_admin: false, personal_team_id: "team_p" };

type Handler = (request: Request) => unknown;

export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/// Stubs fetch: "/api/v1/me" for the role, then `routes` keyed by "METHOD /path" (no query).
export function stubApi(role: TeamRole, routes: Record<string, Handler> = {}, instanceAdmin = false) {
  const fetchMock = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = typeof input === "string" ? new Request(new URL(input, "http://localhost"), init) : input;
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    if (key === "GET /api/v1/me") {
      return json(200, { user: { ...testUser, is_instance_admin: instanceAdmin }, memberships: [{ role, team: testTeam }], api_key: null });
    }
    const handler = routes[key];
    if (!handler) return json(404, { error: { code: "not_found", message: `no stub for ${key}`, details: {} } });
    const answer = await handler(request);
    return answer instanceof Response ? answer : json(200, answer);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

/// Like RequireAuth in the app: pages render once /me has answered.
function SignedIn({ children }: { children: ReactNode }) {
  return useAuth().me ? <>{children}</> : null;
}

/// Renders `element` at `path` (a route pattern) entered through `url`, signed in.
export function renderSignedIn(element: ReactElement, { url, path = "*" }: { url: string; path?: string }) {
  session.setCsrf("csrf-test");
  session.setTeam(testTeam.id);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[url]}>
        <AuthProvider>
          <ToastProvider>
            <SignedIn>
              <Routes>
                <Route path={path} element={element} />
              </Routes>
            </SignedIn>
          </ToastProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
