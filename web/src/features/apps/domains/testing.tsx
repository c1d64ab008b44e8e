// Test helper of the Domains and Edge tabs: renders signed in with a role, answering API calls
// from a route map (method + path → JSON, or reply(status, body) for failures). Unlisted calls
// answer 404 with the envelope; every request is recorded with its parsed body.
import type { ReactElement } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { session } from "../../../api/session";
import { AuthProvider, useAuth } from "../../../auth/AuthContext";
import { ToastProvider } from "../../../components/Toast";

class Reply {
  constructor(readonly status: number, readonly body: unknown) {}
}

export function reply(status: number, body: unknown = null) {
  return new Reply(status, body);
}

export function apiError(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
  return reply(status, { error: { code, message, details } });
}

type Answer = unknown | ((body: unknown, request: Request) => unknown);
export type Routes = Record<string, Answer>;
export interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/// `at`: the location the router starts at (for a page that reads its route's params).
export function renderAs(ui: ReactElement, { role, routes, at }: { role: string; routes: Routes; at?: string }) {
  session.setCsrf("csrf");
  session.setTeam("team_1");
  const me = {
    user: { id: "usr_1", display_name: "Ada", personal_team_id: "team_1", is_instance_admin: false },
    memberships: [{ team: { id: "team_1", name: "ada", personal: true }, role }],
  };
  const sent: Sent[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const key = `${request.method} ${url.pathname}`;
      const text = await request.clone().text();
      const body: unknown = text ? JSON.parse(text) : null;
      if (request.method !== "GET") sent.push({ method: request.method, path: url.pathname, body });
      let answer: unknown = key === "GET /api/v1/me" ? me : routes[key];
      if (typeof answer === "function") answer = (answer as (b: unknown, r: Request) => unknown)(body, request);
      if (answer === undefined) answer = apiError(404, "not_found", `no ${key}`);
      const { status, payload } = answer instanceof Reply ? { status: answer.status, payload: answer.body } : { status: 200, payload: answer };
      if (status === 204) return new Response(null, { status });
      return new Response(JSON.stringify(payload), { status, headers: { "Content-Type": "application/json" } });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={at ? [at] : undefined}>
        <AuthProvider>
          <ToastProvider>
            <WhenSignedIn>{ui}</WhenSignedIn>
          </ToastProvider>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return sent;
}

/// Like the app's RequireAuth: the page renders once the user (and so the team) is known, so a
/// test never types into a form that the team's arrival is about to replace.
function WhenSignedIn({ children }: { children: ReactElement }) {
  return useAuth().user ? children : null;
}
