// Queries of the services area. Every key starts with the area and the team id, so a team
// switch never shows another team's data.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useTeamId } from "../apps/shared/queries";
import { isBusy } from "./serviceForm";

export const serviceKeys = {
  all: (team: string) => ["services", team] as const,
  list: (team: string, projectId: string, page: number) => ["services", team, "list", { projectId, page }] as const,
  service: (team: string, id: string) => ["services", team, "service", id] as const,
  appLinks: (team: string, appId: string) => ["services", team, "app-links", appId] as const,
};

export const PER_PAGE = 50;

/// A page of the team's services, of one project when `projectId`.
export function useServiceList(projectId: string, page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: serviceKeys.list(team, projectId, page),
    queryFn: () => call(api.GET("/api/v1/services", { params: { query: { page, per_page: PER_PAGE, ...(projectId ? { project_id: projectId } : {}) } } })),
    placeholderData: (previous) => previous,
    // Statuses move while services deploy; poll faster then.
    refetchInterval: (query) => ((query.state.data?.data ?? []).some((s) => isBusy(s.status)) ? 2_000 : 15_000),
  });
}

export function useService(id: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: serviceKeys.service(team, id),
    queryFn: () => call(api.GET("/api/v1/services/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => (isBusy(query.state.data?.status) ? 2_000 : 15_000),
  });
}

/// An app's links to services.
export function useAppLinks(appId: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: serviceKeys.appLinks(team, appId),
    queryFn: () => call(api.GET("/api/v1/apps/{id}/links", { params: { path: { id: appId } } })),
  });
}
