// Who is signed in, in which team, with which role. Loaded once from /auth/state and /me;
// a 401 anywhere (session.expired) sends the user to sign-in, remembering the page.
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocation, useNavigate } from "react-router-dom";
import { api, call } from "../api/client";
import { session } from "../api/session";
import type { paths } from "../api/schema";
import { roleAtLeast, type TeamRole } from "./roles";

type MeBody = paths["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"];
export type Me = MeBody;
export type Membership = NonNullable<MeBody["memberships"]>[number];
export type User = NonNullable<MeBody["user"]>;

interface AuthValue {
  me: Me | undefined;
  user: User | undefined;
  memberships: Membership[];
  teamId: string | null;
  team: Membership["team"] | undefined;
  role: TeamRole | undefined;
  isInstanceAdmin: boolean;
  can: (needed: TeamRole) => boolean;
  switchTeam: (teamId: string) => void;
  signedIn: (csrf: string) => Promise<void>;
  signOut: () => Promise<void>;
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/// The current team's role check, for hiding what the API would refuse (it still enforces).
export function useCan(needed: TeamRole): boolean {
  return useAuth().can(needed);
}

export function meQueryKey() {
  return ["me"] as const;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();

  const meQuery = useQuery({
    queryKey: meQueryKey(),
    queryFn: () => call(api.GET("/api/v1/me")),
    enabled: session.csrf() !== null,
    retry: false,
    staleTime: 60_000,
  });
  const me = meQuery.data;
  const memberships = useMemo(() => me?.memberships ?? [], [me]);

  // The stored team, if still a membership; else the personal team; else the first.
  const storedTeam = session.team();
  const current =
    memberships.find((m) => m.team?.id === storedTeam) ??
    memberships.find((m) => m.team?.id === me?.user?.personal_team_id) ??
    memberships[0];
  const teamId = current?.team?.id ?? null;
  useEffect(() => {
    if (teamId && teamId !== storedTeam) session.setTeam(teamId);
  }, [teamId, storedTeam]);

  useEffect(
    () =>
      session.onExpired(() => {
        session.setCsrf(null);
        queryClient.clear();
        const here = location.pathname + location.search;
        navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true });
      }),
    [navigate, location, queryClient],
  );

  const switchTeam = useCallback(
    (id: string) => {
      session.setTeam(id);
      queryClient.invalidateQueries();
      navigate("/servers");
    },
    [queryClient, navigate],
  );

  const signedIn = useCallback(
    async (csrf: string) => {
      session.setCsrf(csrf);
      // The signed-out auth state cached on the way to /signin would send RequireAuth straight
      // back there (it renders stale data before refetching): drop it so the gate asks afresh.
      queryClient.removeQueries({ queryKey: ["auth-state"] });
      await queryClient.invalidateQueries();
      await queryClient.fetchQuery({
        queryKey: meQueryKey(),
        queryFn: () => call(api.GET("/api/v1/me")),
      });
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await call(api.POST("/api/v1/auth/logout"));
    } finally {
      session.setCsrf(null);
      queryClient.clear();
      navigate("/signin", { replace: true });
    }
  }, [navigate, queryClient]);

  const refresh = useCallback(async () => {
    await queryClient.invalidateQueries({ queryKey: meQueryKey() });
  }, [queryClient]);

  const role = current?.role as TeamRole | undefined;
  const value: AuthValue = {
    me,
    user: me?.user,
    memberships,
    teamId,
    team: current?.team,
    role,
    isInstanceAdmin: me?.user?.is_instance_admin === true,
    can: (needed) => roleAtLeast(role, needed),
    switchTeam,
    signedIn,
    signOut,
    refresh,
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
