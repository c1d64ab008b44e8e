// /apps/:id/edge — the app's edge rules (docs/edge.md): what its proxy route does before a
// request reaches the app. One document, edited whole and saved with one PUT; the API's 400
// shows at the field it names. Members edit; viewers read.
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { messageOf } from "../../../api/errors";
import { useCan } from "../../../auth/AuthContext";
import { ErrorText } from "../../../components/ErrorText";
import { RelativeTime } from "../../../components/Time";
import { useToast } from "../../../components/Toast";
import { useAppOutlet } from "../detail/AppLayout";
import { keys, useTeamId } from "../shared/queries";
import type { App } from "../shared/types";
import { AccessCard } from "./AccessCard";
import { BodyLimitCard } from "./BodyLimitCard";
import { placeError } from "./edgeErrors";
import { bodyOf, formOf, isDirty, type BodySources, type EdgeForm, type HeaderRow } from "./edgeForm";
import { HeadersCard } from "./HeadersCard";
import { MaintenanceCard } from "./MaintenanceCard";
import { RedirectsCard } from "./RedirectsCard";
import type { EdgeRules } from "./types";
import "../domains/domains.css";
import "./edge.css";

export const edgeKey = (team: string, appId: string) => [...keys.app(team, appId), "edge"] as const;

export default function EdgeTab() {
  const { app } = useAppOutlet();
  return <EdgePanel app={app} />;
}

export function EdgePanel({ app }: { app: App }) {
  const appId = app.id ?? "";
  const team = useTeamId();
  const rules = useQuery({ queryKey: edgeKey(team, appId), queryFn: () => call(api.GET("/api/v1/apps/{id}/edge", { params: { path: { id: appId } } })) });
  if (rules.error) return <ErrorText error={rules.error} />;
  if (!rules.data) return <div className="skeleton" style={{ height: 480 }} aria-busy="true" />;
  return <EdgeEditor app={app} saved={rules.data} />;
}

function EdgeEditor({ app, saved: initial }: { app: App; saved: EdgeRules }) {
  const appId = app.id ?? "";
  const team = useTeamId();
  const editable = useCan("member");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [saved, setSaved] = useState(initial);
  const [form, setForm] = useState<EdgeForm>(() => formOf(initial));
  // What was sent, to map the API's list indexes back to the rows they came from.
  const [sent, setSent] = useState<{ sources: BodySources; headers: HeaderRow[] } | null>(null);
  const root = useRef<HTMLFormElement>(null);
  const save = useMutation({
    mutationFn: () => {
      const { body, sources } = bodyOf(form);
      setSent({ sources, headers: form.headersSet });
      return call(api.PUT("/api/v1/apps/{id}/edge", { params: { path: { id: appId } }, body }));
    },
    onSuccess: (next) => {
      queryClient.setQueryData(edgeKey(team, appId), next);
      setSaved(next);
      setForm(formOf(next)); // typed passwords are gone: they are "set" now
      toast(app.current_deployment_id ? "Edge rules saved; the server applies them within seconds" : "Edge rules saved; they apply with the app's first deployment");
    },
  });
  const place = save.error && sent ? placeError(save.error, sent.sources, sent.headers) : null;
  useEffect(() => {
    // Take the reader to the control the API refused (it may be far above the Save button).
    if (save.error) root.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [save.error]);
  const dirty = isDirty(form, saved);
  const props = { form, update: (change: (f: EdgeForm) => EdgeForm) => setForm(change), editable, place };
  return (
    <form ref={root} className="edge-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <div className="spread edge-head">
        <div>
          <h2>Edge rules</h2>
          <p className="muted">
            What the proxy does before a request reaches {app.name}, at every hostname it answers at. In this order: headers, the allow-list (403),
            maintenance (503), sign-in (401), redirects, the body limit (413). Changes apply without dropping a request.
          </p>
        </div>
        <span className="muted">Changed <RelativeTime at={saved.updated_at} /></span>
      </div>
      {saved.maintenance?.enabled && (
        <div className="notice edge-maintenance-on" role="status"><strong>Maintenance is on:</strong> every visitor gets 503.</div>
      )}
      {!app.current_deployment_id && <div className="notice">{app.name} is not deployed yet: the rules apply with its first deployment.</div>}
      <MaintenanceCard {...props} />
      <AccessCard {...props} />
      <RedirectsCard {...props} />
      <HeadersCard {...props} />
      <BodyLimitCard {...props} />
      {editable && (
        <div className="edge-savebar">
          {save.error ? <ErrorText>Not saved: {place ? "see the field marked above." : messageOf(save.error)}</ErrorText> : null}
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={save.isPending || !dirty}>{save.isPending ? "Saving…" : "Save rules"}</button>
            <button type="button" className="btn" disabled={save.isPending || !dirty} onClick={() => { setForm(formOf(saved)); save.reset(); }}>Discard changes</button>
            {dirty && <span className="muted">Unsaved changes</span>}
          </div>
        </div>
      )}
    </form>
  );
}
