// Test helper: renders a servers view signed in as a team member of the given role, with
// fetch answered by a table of routes (method + path → JSON body).
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { AuthProvider } from "../../auth/AuthContext";
import { ToastProvider } from "../../components/Toast";
import { session } from "../../api/session";
import type { TeamRole } from "../../auth/roles";

export type Routes = Record<string, unknown | ((request: Request) => unknown)>;

export function stubApi(role: TeamRole, routes: Routes) {
  const me = {
    user: { id: "usr_1", email: "a@b.c", display_name: "Ada", personal_team_id: "team_1", is_instance_admin: false },
    memberships: [{ team: { id: "team_1", name: "Ops", personal: false }, role }],
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    if (key === "GET /api/v1/me") return json(200, me);
    const answer = routes[key];
    if (answer === undefined) return json(404, { error: { code: "not_found", message: `no route ${key}`, details: {} } });
    const body = typeof answer === "function" ? await (answer as (r: Request) => unknown)(request) : answer;
    return json(request.method === "POST" ? 201 : 200, body);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function renderSignedIn(ui: ReactElement, path = "/") {
  session.setCsrf("csrf-1");
  session.setTeam("team_1");
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <ToastProvider>{ui}</ToastProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
