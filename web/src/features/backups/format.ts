// How a backup's numbers read in a table: a duration, a shortened checksum, the trigger, and the
// plain words for the errors a person can act on.

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes < 60) return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min`;
}

/// The first 12 hex digits: enough to tell backups apart at a glance; the copy button has all 64.
export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : "";
}

/// How each trigger reads; a safety backup is the one a restore takes of the data it replaces.
export const triggerHint: Record<string, string> = { safety: "Taken of the data as it was just before a restore" };

export const triggerLabel: Record<string, string> = {
  manual: "manual",
  schedule: "scheduled",
  safety: "safety",
};

/// The message to show for a failed backup or restore: the API's, or a plainer one for the codes
/// whose message needs the context of the docs.
export function errorText(error: { code?: string; message?: string } | null | undefined): string {
  if (!error) return "";
  if (error.code === "backup_checksum_mismatch") {
    return "The stored backup does not match its checksum: it was changed or damaged; nothing was restored.";
  }
  return error.message || error.code || "failed";
}
