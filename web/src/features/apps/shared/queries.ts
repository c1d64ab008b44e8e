// Queries of the apps area. Every key starts with the area and the team id, so a team switch
// never shows another team's data.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import type { App } from "./types";

export function useTeamId(): string {
  return useAuth().teamId ?? "none";
}

export const keys = {
  apps: (team: string) => ["apps", team] as const,
  appList: (team: string, page: number, q: string, projectId?: string) => ["apps", team, "list", { page, q, projectId }] as const,
  app: (team: string, id: string) => ["apps", team, "app", id] as const,
  deployments: (team: string, appId: string) => ["apps", team, "app", appId, "deployments"] as const,
  deployment: (team: string, id: string) => ["apps", team, "deployment", id] as const,
  hooks: (team: string, appId: string) => ["apps", team, "app", appId, "hooks"] as const,
  env: (team: string, base: string) => ["apps", team, "env", base] as const,
  projects: (team: string) => ["projects", team] as const,
  project: (team: string, id: string) => ["projects", team, "project", id] as const,
};

export function useApp(id: string) {
  const team = useTeamId();
  return useQuery({ queryKey: keys.app(team, id), queryFn: () => call(api.GET("/api/v1/apps/{id}", { params: { path: { id } } })) });
}

/// Every project of the team by id (lists name the project by id only). The API pages at 100.
export function useProjectNames() {
  const team = useTeamId();
  return useQuery({
    queryKey: [...keys.projects(team), "names"],
    queryFn: () => call(api.GET("/api/v1/projects", { params: { query: { per_page: 100 } } })),
    select: (page) => new Map((page.data ?? []).map((p) => [p.id ?? "", p.name ?? ""])),
    staleTime: 60_000,
  });
}

/// The team's servers by id, for naming an app's server and picking one in the create wizard.
export function useServers() {
  const team = useTeamId();
  return useQuery({
    queryKey: ["servers", team, "names"],
    queryFn: () => call(api.GET("/api/v1/servers", { params: { query: { per_page: 100 } } })),
    select: (page) => page.data ?? [],
    staleTime: 60_000,
  });
}

/// Who a deployment's created_by is, by the team's member list (falls back to the raw value).
export function useMemberNames() {
  const { teamId } = useAuth();
  return useQuery({
    queryKey: ["team", teamId ?? "none", "members", "names"],
    enabled: teamId !== null,
    queryFn: () => call(api.GET("/api/v1/teams/{id}/members", { params: { path: { id: teamId! }, query: { per_page: 100 } } })),
    select: (page) => new Map((page.data ?? []).map((m) => [m.user_id ?? "", m.display_name || m.email || ""])),
    staleTime: 5 * 60_000,
  });
}

/// An app's newest deployment (the list API carries only current_deployment_id).
export function useLastDeployment(appId: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: [...keys.deployments(team, appId), "last"],
    queryFn: () => call(api.GET("/api/v1/apps/{id}/deployments", { params: { path: { id: appId }, query: { per_page: 1 } } })),
    select: (page) => page.data?.[0] ?? null,
  });
}

/// A guarded app (apps.md "Deploy policy"): what it runs is an admin's to change.
export function isGuarded(app: Pick<App, "source" | "settings">): boolean {
  const source = app.source;
  const settings = app.settings;
  if (source?.type === "workflow") return true;
  if (source?.type === "git" && /^(file|http):\/\//.test(source.repository ?? "")) return true;
  if (settings?.privileged || settings?.network_mode === "host") return true;
  return (settings?.volumes ?? []).some((v) => v.source.startsWith("/"));
}

/// "image nginx:1.27", "git repo@branch", "workflow (3 steps)".
export function describeSource(source: App["source"] | undefined): string {
  if (!source) return "–";
  if (source.type === "image") return source.image ?? "image";
  if (source.type === "git") return `${source.repository ?? "git"}${source.branch ? ` @ ${source.branch}` : ""}`;
  return `workflow (${source.steps?.length ?? 0} steps)`;
}
