// What the browser keeps between requests: the CSRF token given at sign-in (berthd stores
// only its hash, so the dashboard must keep it; localStorage lets new tabs use it) and the team
// the user works in. The session itself is an HTTP-only cookie the page never sees.

const csrfKey = "berth.csrf";
const teamKey = "berth.team";

type Listener = () => void;
const expiredListeners = new Set<Listener>();

export const session = {
  csrf(): string | null {
    return localStorage.getItem(csrfKey);
  },
  setCsrf(token: string | null) {
    if (token) localStorage.setItem(csrfKey, token);
    else localStorage.removeItem(csrfKey);
  },
  team(): string | null {
    return localStorage.getItem(teamKey);
  },
  setTeam(id: string | null) {
    if (id) localStorage.setItem(teamKey, id);
    else localStorage.removeItem(teamKey);
  },
  /// Called when berthd answers 401 to a signed-in page: the session ran out.
  onExpired(listener: Listener): () => void {
    expiredListeners.add(listener);
    return () => expiredListeners.delete(listener);
  },
  expired() {
    for (const listener of expiredListeners) listener();
  },
};

/// The headers every API request carries: the team, and the CSRF token on mutations.
export function apiHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const team = session.team();
  if (team) headers["X-Team-ID"] = team;
  if (method !== "GET" && method !== "HEAD") {
    const csrf = session.csrf();
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  return headers;
}
