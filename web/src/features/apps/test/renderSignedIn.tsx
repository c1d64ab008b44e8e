// Test helper: renders a component signed in with a role, answering API calls from a route map
// (method + path → JSON) through a stubbed fetch. Unlisted calls answer 404 with the envelope.
import type { ReactElement } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { session } from "../../../api/session";
import { AuthProvider } from "../../../auth/AuthContext";
import { ToastProvider } from "../../../components/Toast";

export type Routes = Record<string, unknown | ((request: Request) => unknown)>;

export function renderSignedIn(ui: ReactElement, { role, routes }: { role: string; routes: Routes }) {
  session.setCsrf("csrf");
  session.setTeam("team_1");
  const me = {
    user: { id: "usr_1", display_name: "Ada", personal_team_id: "team_1", is_instance_admin: false },
    memberships: [{ team: { id: "team_1", name: "ada", personal: true }, role }],
  };
  const fetchMock = vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    const answer = key === "GET /api/v1/me" ? me : routes[key];
    if (answer === undefined) {
      return new Response(JSON.stringify({ error: { code: "not_found", message: `no ${key}`, details: {} } }), { status: 404, headers: { "Content-Type": "application/json" } });
    }
    const body = typeof answer === "function" ? (answer as (r: Request) => unknown)(request) : answer;
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <AuthProvider>
          <ToastProvider>{ui}</ToastProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return fetchMock;
}
