// /admin/doctor: berthd's checks of its own installation (GET /api/v1/admin/doctor, the same
// as `berthd doctor`; docs/install.md). Each check shows its status as a coloured badge, what
// was found, and the one-sentence fix when it is not ok. Run on demand: the checks probe DNS,
// TLS and TCP and take a few seconds.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ErrorText } from "../../components/ErrorText";
import { TableSkeleton } from "../team/ListStates";

type Status = "ok" | "warning" | "error";

function fetchDoctor() {
  return call(api.GET("/api/v1/admin/doctor"));
}
type DoctorAnswer = Awaited<ReturnType<typeof fetchDoctor>>;

const badgeClass: Record<Status, string> = { ok: "badge badge-ok", warning: "badge badge-warn", error: "badge badge-danger" };
const dotClass: Record<Status, string> = { ok: "dot dot-ok", warning: "dot dot-warn", error: "dot dot-danger" };
const summary: Record<Status, string> = {
  ok: "Every check passed.",
  warning: "Some checks need attention.",
  error: "Something is wrong: see the fixes below.",
};

export function DoctorTab() {
  const doctor = useQuery({ queryKey: ["admin", "doctor"], queryFn: fetchDoctor, staleTime: 0 });
  const answer: DoctorAnswer | undefined = doctor.data;
  return (
    <section aria-label="Doctor">
      <div style={{ display: "flex", alignItems: "center", gap: 12, margin: "12px 0" }}>
        {answer && (
          <p role="status" aria-label="Doctor summary" style={{ margin: 0 }}>
            <span className={dotClass[answer.status]} aria-hidden /> {summary[answer.status]}
          </p>
        )}
        <button type="button" className="btn" onClick={() => void doctor.refetch()} disabled={doctor.isFetching}>
          {doctor.isFetching ? "Checking…" : "Check again"}
        </button>
      </div>
      {doctor.isPending ? (
        <TableSkeleton rows={9} label="checks" />
      ) : doctor.isError ? (
        <ErrorText error={doctor.error} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Found, and the fix</th>
              </tr>
            </thead>
            <tbody>
              {answer?.checks.map((check) => (
                <tr key={check.name} data-status={check.status}>
                  <td>
                    <strong>{check.name.replace(/_/g, " ")}</strong>
                  </td>
                  <td>
                    <span className={badgeClass[check.status]}>{check.status}</span>
                  </td>
                  <td>
                    <div>{check.detail}</div>
                    {check.fix && (
                      <div className="muted">
                        <strong>Fix:</strong> {check.fix}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
