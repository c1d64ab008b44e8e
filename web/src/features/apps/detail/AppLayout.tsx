// /apps/:id — the app's header (name, status, URL, main actions) and its tabs, each its own URL.
import { Outlet, useOutletContext, useParams } from "react-router-dom";
import { ErrorText } from "../../../components/ErrorText";
import { PageHeader } from "../../../components/PageHeader";
import { StatusDot } from "../../../components/StatusDot";
import { Tabs } from "../../../components/Tabs";
import { useApp } from "../shared/queries";
import type { App } from "../shared/types";
import { AppActions } from "./AppActions";
import "../apps.css";

export function useAppOutlet() {
  return useOutletContext<{ app: App }>();
}

export default function AppLayout() {
  const { id = "" } = useParams();
  const app = useApp(id);
  if (app.error) return <ErrorText error={app.error} />;
  if (!app.data) return <div className="skeleton" style={{ height: 120 }} aria-busy="true" />;
  const a = app.data;
  const base = `/apps/${id}`;
  return (
    <>
      <PageHeader
        title={a.name}
        subtitle={
          <span className="row">
            <StatusDot status={a.status ?? "new"} />
            {a.out_of_date && <span className="badge badge-warn">out of date — deploy to apply changes</span>}
            {a.url && (
              <a href={a.url} target="_blank" rel="noreferrer">
                {a.url}
              </a>
            )}
          </span>
        }
        actions={<AppActions app={a} />}
      />
      <Tabs
        label="App"
        tabs={[
          { to: base, label: "Overview" },
          { to: `${base}/deployments`, label: "Deployments" },
          { to: `${base}/logs`, label: "Logs" },
          { to: `${base}/env`, label: "Env" },
          { to: `${base}/domains`, label: "Domains" },
          { to: `${base}/edge`, label: "Edge" },
          { to: `${base}/services`, label: "Services" },
          { to: `${base}/settings`, label: "Settings" },
        ]}
      />
      <Outlet context={{ app: a }} />
    </>
  );
}
