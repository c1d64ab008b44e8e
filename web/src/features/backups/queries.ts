// Queries of the backups area: a service's backups, an app's volumes', the team's, one restore, a backup's drills
// and one drill. Lists poll while a backup runs (its status, size and checksum arrive by
// themselves), a restore or a drill while it runs. Every key starts with the area and the team id, so a team switch never shows another
// team's data.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useTeamId } from "../apps/shared/queries";
import type { BackupList, DrillList } from "./types";

export const PER_PAGE = 50;
/// How often a list with a running backup, and a running restore, is read again.
export const POLL_MS = 1_500;

export const backupKeys = {
  /// Every list of backups (a service's, the team's): what a new backup or a restore's safety
  /// backup changes. A restore's own key is outside it, so refreshing lists never re-reads it.
  lists: (team: string) => ["backups", team, "list"] as const,
  service: (team: string, serviceId: string, page: number) => ["backups", team, "list", "service", serviceId, { page }] as const,
  team: (team: string, page: number) => ["backups", team, "list", "team", { page }] as const,
  /// The backups of an app's named volumes.
  app: (team: string, appId: string, page: number) => ["backups", team, "list", "app", appId, { page }] as const,
  restore: (team: string, id: string) => ["backups", team, "restore", id] as const,
  /// A backup's drill history, and one drill (what "Drill now" follows).
  drills: (team: string, backupId: string) => ["backups", team, "drills", backupId] as const,
  drill: (team: string, id: string) => ["backups", team, "drill", id] as const,
};

function pollWhileRunning(list: BackupList | undefined): number | false {
  return (list?.data ?? []).some((b) => b.status === "running") ? POLL_MS : false;
}

export function useServiceBackups(serviceId: string, page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.service(team, serviceId, page),
    queryFn: () => call(api.GET("/api/v1/services/{id}/backups", { params: { path: { id: serviceId }, query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
    refetchInterval: (query) => pollWhileRunning(query.state.data),
  });
}

export function useAppBackups(appId: string, page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.app(team, appId, page),
    queryFn: () => call(api.GET("/api/v1/apps/{id}/backups", { params: { path: { id: appId }, query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
    refetchInterval: (query) => pollWhileRunning(query.state.data),
  });
}

export function useTeamBackups(page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.team(team, page),
    queryFn: () => call(api.GET("/api/v1/backups", { params: { query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
    refetchInterval: (query) => pollWhileRunning(query.state.data) || 30_000,
  });
}

export function useRestore(id: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.restore(team, id),
    queryFn: () => call(api.GET("/api/v1/restores/{id}", { params: { path: { id } } })),
    enabled: id !== "",
    refetchInterval: (query) => (query.state.data?.status === "running" ? POLL_MS : false),
  });
}

export function useBackupDrills(backupId: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.drills(team, backupId),
    queryFn: () => call(api.GET("/api/v1/backups/{id}/drills", { params: { path: { id: backupId } } })),
    refetchInterval: (query) => ((query.state.data as DrillList | undefined)?.data ?? []).some((d) => d.status === "running") ? POLL_MS : false,
  });
}

export function useDrill(id: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: backupKeys.drill(team, id),
    queryFn: () => call(api.GET("/api/v1/drills/{id}", { params: { path: { id } } })),
    enabled: id !== "",
    refetchInterval: (query) => (query.state.data?.status === "running" ? POLL_MS : false),
  });
}
