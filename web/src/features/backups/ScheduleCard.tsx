// The "Schedule" card of a service's Backups tab, or of one named volume in an app's Volumes
// card: its backup policy (cron, zone, next run, retention, destination) and, for members, a
// form to set or change it and a button to remove it. Validation happens in berthd: a wrong cron
// part or an unknown zone comes back as the API's message, shown under the form. A volume's
// policy belongs to its mount (berthd keeps it by the mount's target), so it stays after a
// restore moves the mount onto a fresh volume.
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

/// Whose policy: a service's, or the named volume `volume` (its source) that app `appId` mounts
/// at `target`.
export type PolicySubject = { serviceId: string } | { appId: string; volume: string; target: string };

type PolicyBody = {
  schedule: string;
  timezone: string;
  destination_id: string;
  enabled: boolean;
  retention: { keep_last: number; keep_daily: number; keep_weekly: number; keep_monthly: number };
};

export const policyKey = (team: string, serviceId: string) => ["backups", team, "policy", serviceId] as const;

function keyOf(team: string, subject: PolicySubject) {
  return "serviceId" in subject ? policyKey(team, subject.serviceId) : (["backups", team, "policy", subject.appId, subject.target] as const);
}

// A suffix that tells apart the form fields of several cards on one page.
function idOf(subject: PolicySubject): string {
  return "serviceId" in subject ? "" : `-${subject.target.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

function readPolicy(subject: PolicySubject) {
  return "serviceId" in subject
    ? call(api.GET("/api/v1/services/{id}/backup-policy", { params: { path: { id: subject.serviceId } } }))
    : call(api.GET("/api/v1/apps/{id}/volumes/{volume}/backup-policy", { params: { path: { id: subject.appId, volume: subject.volume } } }));
}

function writePolicy(subject: PolicySubject, body: PolicyBody) {
  return "serviceId" in subject
    ? call(api.PUT("/api/v1/services/{id}/backup-policy", { params: { path: { id: subject.serviceId } }, body }))
    : call(api.PUT("/api/v1/apps/{id}/volumes/{volume}/backup-policy", { params: { path: { id: subject.appId, volume: subject.volume } }, body }));
}

function removePolicy(subject: PolicySubject) {
  return "serviceId" in subject
    ? call(api.DELETE("/api/v1/services/{id}/backup-policy", { params: { path: { id: subject.serviceId } } }))
    : call(api.DELETE("/api/v1/apps/{id}/volumes/{volume}/backup-policy", { params: { path: { id: subject.appId, volume: subject.volume } } }));
}

/// The policy, or null when the service (or volume) has none (404).
export function useBackupPolicy(subject: PolicySubject) {
  const team = useTeamId();
  return useQuery({
    queryKey: keyOf(team, subject),
    queryFn: async (): Promise<BackupPolicy | null> => {
      try {
        return await readPolicy(subject);
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

/// `serviceId` for a service's card; `subject` for a volume's (then `title` names it).
export function ScheduleCard({ serviceId, subject: given, title = "Schedule" }: { serviceId?: string; subject?: PolicySubject; title?: string }) {
  const subject: PolicySubject = given ?? { serviceId: serviceId ?? "" };
  const canAct = useCan("member");
  const policy = useBackupPolicy(subject);
  const destinations = useDestinations(1);
  const [editing, setEditing] = useState(false);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const remove = useSubmit(async () => {
    await removePolicy(subject);
    await queryClient.invalidateQueries({ queryKey: keyOf(team, subject) });
  });
  const heading = `backup-schedule${idOf(subject)}`;
  const p = policy.data;
  const destinationName = (id: string | undefined = "") => destinations.data?.data?.find((d) => d.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby={heading}>
      <h2 id={heading}>{title}</h2>
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
      {canAct && editing && <ScheduleForm subject={subject} policy={p ?? null} onDone={() => setEditing(false)} />}
    </section>
  );
}

function ScheduleForm({ subject, policy, onDone }: { subject: PolicySubject; policy: BackupPolicy | null; onDone: () => void }) {
  const suffix = idOf(subject);
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
    await writePolicy(subject, { schedule, timezone, destination_id: destinationId, enabled, retention: keep });
    await queryClient.invalidateQueries({ queryKey: keyOf(team, subject) });
    onDone();
  });
  const number = (name: keyof typeof keep, label: string) => (
    <div className="field">
      <label htmlFor={`policy-${name}${suffix}`}>{label}</label>
      <input id={`policy-${name}${suffix}`} className="input" type="number" min={0} value={keep[name]} onChange={(e) => setKeep({ ...keep, [name]: Number(e.target.value) })} />
    </div>
  );
  return (
    <form noValidate aria-label="Backup schedule" onSubmit={(e: FormEvent) => void submit(e)}>
      <div className="field">
        <label htmlFor={`policy-schedule${suffix}`}>Cron schedule</label>
        <input id={`policy-schedule${suffix}`} className="input" value={schedule} onChange={(e) => setSchedule(e.target.value)} />
        <p className="muted">minute hour day-of-month month day-of-week, or @daily, @hourly, @weekly</p>
      </div>
      <div className="field">
        <label htmlFor={`policy-timezone${suffix}`}>Time zone</label>
        <input id={`policy-timezone${suffix}`} className="input" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`policy-destination${suffix}`}>Destination</label>
        <select id={`policy-destination${suffix}`} className="input" value={destinationId} onChange={(e) => setDestination(e.target.value)}>
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
