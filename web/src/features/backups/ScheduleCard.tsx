// The "Schedule" card of a service's Backups tab: its backup policy (cron, zone, next run,
// retention, destination) and, for members, a form to set or change it and a button to remove
// it. Validation happens in berthd: a wrong cron part or an unknown zone comes back as the
// API's message, shown under the form.
import { useState, type FormEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { useSubmit } from "../../components/useSubmit";
import { useTeamId } from "../apps/shared/queries";
import { useDestinations } from "../destinations/queries";
import { backupUsable } from "../destinations/destinationForm";
import type { BackupPolicy } from "./types";

export const policyKey = (team: string, serviceId: string) => ["backups", team, "policy", serviceId] as const;

/// The policy, or null when the service has none (404).
export function useBackupPolicy(serviceId: string) {
  const team = useTeamId();
  return useQuery({
    queryKey: policyKey(team, serviceId),
    queryFn: async (): Promise<BackupPolicy | null> => {
      try {
        return await call(api.GET("/api/v1/services/{id}/backup-policy", { params: { path: { id: serviceId } } }));
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 404) return null;
        throw failure;
      }
    },
    refetchInterval: 60_000,
  });
}

function when(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleString() : "–";
}

export function ScheduleCard({ serviceId }: { serviceId: string }) {
  const canAct = useCan("member");
  const policy = useBackupPolicy(serviceId);
  const destinations = useDestinations(1);
  const [editing, setEditing] = useState(false);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const remove = useSubmit(async () => {
    await call(api.DELETE("/api/v1/services/{id}/backup-policy", { params: { path: { id: serviceId } } }));
    await queryClient.invalidateQueries({ queryKey: policyKey(team, serviceId) });
  });
  const p = policy.data;
  const destinationName = (id: string | undefined = "") => destinations.data?.data?.find((d) => d.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="backup-schedule">
      <h2 id="backup-schedule">Schedule</h2>
      {policy.error && <ErrorText error={policy.error} />}
      {policy.data === null && !editing && <p className="muted">No scheduled backups: back up on demand only.</p>}
      {p && !editing && (
        <dl className="facts" aria-label="Backup schedule">
          <dt>Schedule</dt>
          <dd>
            <code>{p.schedule}</code> ({p.timezone}){p.enabled ? "" : " — paused"}
          </dd>
          <dt>Next run</dt>
          <dd>{p.enabled ? when(p.next_run_at) : "–"}</dd>
          <dt>Last run</dt>
          <dd>{p.last_run ? `${p.last_run.status} · ${when(p.last_run.at)}` : "never"}</dd>
          <dt>Destination</dt>
          <dd>{destinationName(p.destination_id)}</dd>
          <dt>Retention</dt>
          <dd>
            last {p.retention?.keep_last ?? 7}
            {p.retention?.keep_daily ? `, ${p.retention.keep_daily} daily` : ""}
            {p.retention?.keep_weekly ? `, ${p.retention.keep_weekly} weekly` : ""}
            {p.retention?.keep_monthly ? `, ${p.retention.keep_monthly} monthly` : ""}
          </dd>
        </dl>
      )}
      {canAct && !editing && policy.data !== undefined && (
        <div className="row">
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            {p ? "Edit schedule" : "Set a schedule"}
          </button>
          {p && (
            <button type="button" className="btn btn-danger" disabled={remove.busy} onClick={() => void remove.submit()}>
              Remove schedule
            </button>
          )}
        </div>
      )}
      <ErrorText error={remove.error} />
      {canAct && editing && <ScheduleForm serviceId={serviceId} policy={p ?? null} onDone={() => setEditing(false)} />}
    </section>
  );
}

function ScheduleForm({ serviceId, policy, onDone }: { serviceId: string; policy: BackupPolicy | null; onDone: () => void }) {
  const destinations = useDestinations(1);
  const usable = (destinations.data?.data ?? []).filter(backupUsable);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const [schedule, setSchedule] = useState(policy?.schedule ?? "30 2 * * *");
  const [timezone, setTimezone] = useState(policy?.timezone ?? "UTC");
  const [destination, setDestination] = useState(policy?.destination_id ?? "");
  const [enabled, setEnabled] = useState(policy?.enabled ?? true);
  const [keep, setKeep] = useState({
    keep_last: policy?.retention?.keep_last ?? 7,
    keep_daily: policy?.retention?.keep_daily ?? 0,
    keep_weekly: policy?.retention?.keep_weekly ?? 0,
    keep_monthly: policy?.retention?.keep_monthly ?? 0,
  });
  const destinationId = destination || usable[0]?.id || "";
  const { busy, error, submit } = useSubmit(async () => {
    await call(
      api.PUT("/api/v1/services/{id}/backup-policy", {
        params: { path: { id: serviceId } },
        body: { schedule, timezone, destination_id: destinationId, enabled, retention: keep },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: policyKey(team, serviceId) });
    onDone();
  });
  const number = (name: keyof typeof keep, label: string) => (
    <div className="field">
      <label htmlFor={`policy-${name}`}>{label}</label>
      <input id={`policy-${name}`} className="input" type="number" min={0} value={keep[name]} onChange={(e) => setKeep({ ...keep, [name]: Number(e.target.value) })} />
    </div>
  );
  return (
    <form noValidate aria-label="Backup schedule" onSubmit={(e: FormEvent) => void submit(e)}>
      <div className="field">
        <label htmlFor="policy-schedule">Cron schedule</label>
        <input id="policy-schedule" className="input" value={schedule} onChange={(e) => setSchedule(e.target.value)} />
        <p className="muted">minute hour day-of-month month day-of-week, or @daily, @hourly, @weekly</p>
      </div>
      <div className="field">
        <label htmlFor="policy-timezone">Time zone</label>
        <input id="policy-timezone" className="input" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="policy-destination">Destination</label>
        <select id="policy-destination" className="input" value={destinationId} onChange={(e) => setDestination(e.target.value)}>
          {usable.length === 0 && <option value="">No S3-compatible destination</option>}
          {usable.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      {number("keep_last", "Keep the last")}
      {number("keep_daily", "Daily backups kept")}
      {number("keep_weekly", "Weekly backups kept")}
      {number("keep_monthly", "Monthly backups kept")}
      <label className="row">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={busy || !destinationId}>
          {busy ? "Saving…" : "Save schedule"}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
