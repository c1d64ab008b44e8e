// What a list of backups lets a member do, shared by a service's Backups tab and the team-wide
// Backups page: Restore (the dialog's backup, then the restore's progress kept in the URL as
// ?restore= so a reload keeps following it), Drill now (followed as ?drill=, its history opened
// under the row) and each backup's drill history (`expanded`).
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { backupKeys } from "./queries";
import type { Backup } from "./types";

export function useBackupActions() {
  const [params, setParams] = useSearchParams();
  const [restoring, setRestoring] = useState<Backup | null>(null);
  // Whose backup the followed restore is (lost on a reload: the page then says less).
  const [restoredFrom, setRestoredFrom] = useState("");
  const [expanded, setExpanded] = useState("");
  const [drillError, setDrillError] = useState<unknown>(null);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const setParam = (name: string, value: string) =>
    setParams((current) => {
      const copy = new URLSearchParams(current);
      if (value) copy.set(name, value);
      else copy.delete(name);
      return copy;
    });
  const drillNow = async (backup: Backup) => {
    setDrillError(null);
    try {
      const drill = await call(api.POST("/api/v1/backups/{id}/drill", { params: { path: { id: backup.id ?? "" } } }));
      toast(`Drilling backup ${backup.id}`);
      setParam("drill", drill.id ?? "");
      setExpanded(backup.id ?? "");
      await queryClient.invalidateQueries({ queryKey: backupKeys.drills(team, backup.id ?? "") });
    } catch (failure) {
      setDrillError(failure);
    }
  };
  return {
    restoreId: params.get("restore") ?? "",
    drillId: params.get("drill") ?? "",
    closeRestore: () => setParam("restore", ""),
    closeDrill: () => setParam("drill", ""),
    restoreStarted: (id: string) => {
      setRestoredFrom(restoring?.service_name ?? "");
      setParam("restore", id);
    },
    restoredFrom,
    restoring,
    setRestoring,
    expanded,
    toggleDrills: (b: Backup) => setExpanded(expanded === b.id ? "" : (b.id ?? "")),
    drillNow: (b: Backup) => void drillNow(b),
    drillError,
  };
}
