// /destinations — where the team's backups go (backups.md "Destinations"): S3-compatible
// buckets and SFTP folders. Everyone in the team reads them (never their secrets); admins
// add, test and remove them, because a destination decides where data leaves the server.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { DestinationDialog } from "./DestinationDialog";
import { whereOf } from "./destinationForm";
import { destinationKeys, PER_PAGE, useDestinations } from "./queries";
import { TestSteps } from "./TestSteps";
import type { Destination, TestAnswer } from "./types";
import "./destinations.css";

export default function DestinationsPage() {
  const team = useTeamId();
  const isAdmin = useCan("admin");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Destination | null>(null);
  const [results, setResults] = useState<Record<string, TestAnswer>>({});
  const list = useDestinations(page);
  const refresh = () => queryClient.invalidateQueries({ queryKey: destinationKeys.all(team) });
  const test = useMutation({
    mutationFn: (d: Destination) => call(api.POST("/api/v1/backup-destinations/{id}/test", { params: { path: { id: d.id ?? "" } } })),
    onSuccess: (answer, d) => {
      setResults((r) => ({ ...r, [d.id ?? ""]: answer }));
      void refresh();
    },
  });
  const rows = list.data?.data ?? [];
  const add = isAdmin && (
    <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
      Add destination
    </button>
  );
  return (
    <>
      <PageHeader title="Backup destinations" subtitle="Where backups are written: an S3-compatible bucket or an SFTP folder." actions={add} />
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && <div className="skeleton" style={{ height: 200 }} aria-busy="true" />}
      {list.data && rows.length === 0 && (
        <EmptyState title="No destinations yet" action={add || undefined}>
          Add the bucket or server backups should go to, then test it: Berth writes, reads back and deletes a probe object.
          {!isAdmin && " Team admins add destinations."}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="hide-sm">Where</th>
                <th scope="col">Last test</th>
                {isAdmin && <th scope="col" className="actions"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const result = results[d.id ?? ""];
                const last = d.last_test;
                return (
                  <tr key={d.id}>
                    <td>
                      <span className={!last ? "dot" : last.ok ? "dot dot-ok" : "dot dot-danger"} aria-hidden /> <strong>{d.name}</strong>
                      {result && <TestSteps ok={result.ok ?? false} steps={result.steps ?? []} label={`Test of ${d.name}`} />}
                      {test.error && test.variables?.id === d.id && <ErrorText error={test.error} />}
                    </td>
                    <td>{d.kind === "s3" ? "S3" : "SFTP"}</td>
                    <td className="hide-sm mono">{whereOf(d)}</td>
                    <td>{last ? <>{last.ok ? "ok" : "failed"} {last.tested_at && <RelativeTime at={last.tested_at} />}</> : <span className="muted">never</span>}</td>
                    {isAdmin && (
                      <td className="actions">
                        <button type="button" className="btn" disabled={test.isPending && test.variables?.id === d.id} onClick={() => test.mutate(d)} aria-label={`Test ${d.name}`}>
                          {test.isPending && test.variables?.id === d.id ? "Testing…" : "Test"}
                        </button>{" "}
                        <button type="button" className="btn btn-ghost" onClick={() => setRemoving(d)} aria-label={`Remove ${d.name}`}>
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pagination page={page} perPage={PER_PAGE} total={list.data.total ?? 0} onPage={setPage} />}
      {adding && <DestinationDialog onClose={() => setAdding(false)} />}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove ${removing?.name ?? ""}?`}
        confirmLabel="Remove destination"
        typeToConfirm={removing?.name ?? ""}
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/backup-destinations/{id}", { params: { path: { id: removing?.id ?? "" } } }));
          void refresh();
          toast(`${removing?.name ?? "Destination"} removed`);
        }}
      >
        Backups stop going to <strong className="mono">{removing ? whereOf(removing) : ""}</strong>. What is stored there stays; Berth forgets the keys.
      </ConfirmDialog>
    </>
  );
}
