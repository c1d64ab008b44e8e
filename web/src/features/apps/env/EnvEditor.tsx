// The env vars of an app or a project (one component, parameterised by its owner). Secrets are
// masked; admins may reveal one (audited by berthd). Members add, edit, delete and paste a .env.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Eye, Pencil, Trash2 } from "lucide-react";
import { messageOf } from "../../../api/errors";
import { useCan } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { EnvInput, EnvVar } from "../shared/types";
import { BulkPasteDialog } from "./BulkPasteDialog";
import { envApi, type EnvOwner } from "./envApi";
import { editDraft, newDraft, rowView, type EnvDraft } from "./envModel";
import { EnvVarDialog } from "./EnvVarDialog";
import { DataTable } from "../../../components/DataTable";

const PER_PAGE = 50;

export function EnvEditor({ owner, ownerName, readOnlyReason }: { owner: EnvOwner; ownerName: string; readOnlyReason?: string }) {
  const team = useTeamId();
  const isAdmin = useCan("admin");
  const canEdit = useCan("member") && !readOnlyReason;
  const queryClient = useQueryClient();
  const toast = useToast();
  const env = envApi(owner);
  const [page, setPage] = useState(1);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [draft, setDraft] = useState<EnvDraft | null>(null);
  const [pasting, setPasting] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [revealError, setRevealError] = useState<unknown>(null);
  const listKey = [...keys.env(team, `${owner.kind}/${owner.id}`), page];

  const list = useQuery({ queryKey: listKey, queryFn: () => env.list(page, PER_PAGE), placeholderData: (p) => p });

  // Env changes make apps out of date (a project's, all of its apps): refresh them too.
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: keys.env(team, `${owner.kind}/${owner.id}`) });
    void queryClient.invalidateQueries({ queryKey: keys.apps(team) });
  };
  const forget = (key: string) => setRevealed(({ [key]: _gone, ...rest }) => rest);

  const save = async (input: EnvInput) => {
    await env.set([input]);
    forget(input.key);
    changed();
    toast(`${input.key} saved; it takes effect at the next deployment`);
  };
  const bulk = async (vars: EnvInput[], mode: "merge" | "replace") => {
    await (mode === "replace" ? env.replace(vars) : env.set(vars));
    setRevealed({});
    changed();
    toast(`${vars.length} variable${vars.length === 1 ? "" : "s"} ${mode === "replace" ? "now make up the set" : "saved"}`);
  };
  const reveal = useMutation({
    mutationFn: (key: string) => env.reveal(key),
    onSuccess: (answer, key) => setRevealed((r) => ({ ...r, [key]: answer.value ?? "" })),
    onError: (error) => setRevealError(error),
  });

  const rows: EnvVar[] = list.data?.data ?? [];
  return (
    <section aria-label="Environment variables">
      <div className="spread" style={{ marginBottom: "var(--space-3)" }}>
        <p className="muted" style={{ margin: 0 }}>
          {owner.kind === "apps" ? "The app's own variables and those it inherits from its project." : "Every app of the project inherits these unless it sets the same key."} Changes take effect at the next deployment.
        </p>
        {canEdit && (
          <div className="row">
            <button type="button" className="btn" onClick={() => setPasting(true)}>
              Paste .env
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setDraft(newDraft())}>
              Add variable
            </button>
          </div>
        )}
      </div>
      {readOnlyReason && <p className="notice">{readOnlyReason}</p>}
      <ErrorText error={revealError} />
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && <div className="skeleton" style={{ height: 160 }} aria-busy="true" />}
      {list.data && rows.length === 0 && (
        <EmptyState title="No variables yet">{canEdit ? "Add one, or paste a .env file." : "None are set."}</EmptyState>
      )}
      {rows.length > 0 && (
        <DataTable columns={["Key", "Value"]} actions>
          {rows.map((v) => {
            const row = rowView(v, revealed, { isAdmin, canEdit });
            return (
              <tr key={row.key}>
                <td className="mono">
                  {row.key}{" "}
                  {row.secret && <span className="badge">secret</span>} {row.inherited && <span className="badge">from project</span>}
                </td>
                <td className="mono env-value">
                  <span aria-label={row.masked ? "hidden secret" : undefined}>{row.shown === "" ? <span className="muted">(empty)</span> : row.shown}</span>
                </td>
                <td className="actions">
                  {row.canReveal && (
                    <button type="button" className="btn btn-sm btn-ghost" disabled={reveal.isPending} onClick={() => { setRevealError(null); reveal.mutate(row.key); }}>
                      <Eye size={14} aria-hidden /> Reveal<span className="sr-only"> {row.key}</span>
                    </button>
                  )}
                  {canEdit && (
                    <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDraft(editDraft(v, revealed))}>
                      <Pencil size={14} aria-hidden /> {row.inherited ? "Override" : "Edit"}
                      <span className="sr-only"> {row.key}</span>
                    </button>
                  )}
                  {row.canDelete && (
                    <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDeleting(row.key)}>
                      <Trash2 size={14} aria-hidden /> Delete<span className="sr-only"> {row.key}</span>
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
      {list.data && <Pagination page={page} perPage={PER_PAGE} total={list.data.total ?? 0} onPage={setPage} />}
      <EnvVarDialog draft={draft} onClose={() => setDraft(null)} onSave={save} />
      <BulkPasteDialog open={pasting} onOpenChange={setPasting} ownerName={ownerName} onSubmit={bulk} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting ?? ""} from ${ownerName}?`}
        confirmLabel="Delete variable"
        onConfirm={async () => {
          const key = deleting ?? "";
          try {
            await env.remove(key);
          } catch (error) {
            throw new Error(messageOf(error));
          }
          forget(key);
          changed();
          toast(`${key} deleted`);
        }}
      >
        The running containers keep it until the next deployment.
      </ConfirmDialog>
    </section>
  );
}
