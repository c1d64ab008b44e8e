// The gate in front of every signed-in page: first run goes to setup, no session to sign-in
// (coming back here afterwards), otherwise the page.
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { Navigate, useLocation } from "react-router-dom";
import { api, call } from "../api/client";
import { session } from "../api/session";
import { useAuth } from "./AuthContext";
import { ErrorText } from "../components/ErrorText";
import { messageOf } from "../api/errors";

export function useAuthState() {
  return useQuery({
    queryKey: ["auth-state"],
    queryFn: () => call(api.GET("/api/v1/auth/state")),
    staleTime: 30_000,
  });
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const state = useAuthState();
  const { me } = useAuth();
  if (state.isPending) return <div className="auth-page" aria-busy="true" />;
  if (state.isError) {
    return (
      <div className="auth-page">
        <ErrorText>{messageOf(state.error)}</ErrorText>
      </div>
    );
  }
  if (state.data.needs_setup) return <Navigate to="/setup" replace />;
  if (!state.data.authenticated || session.csrf() === null) {
    const next = location.pathname + location.search;
    return <Navigate to={`/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (!me) return <div className="auth-page" aria-busy="true" />;
  return <>{children}</>;
}
