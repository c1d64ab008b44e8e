import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { serverKeys } from "./keys";
import { useServerPage } from "./ServerPage";

type Tls = "off" | "internal" | "acme";
const tlsChoices: { value: Tls; label: string }[] = [
  { value: "acme", label: "Let's Encrypt (ACME)" },
  { value: "internal", label: "Caddy's internal CA" },
  { value: "off", label: "Off (plain HTTP)" },
];

export default function ProxyTab() {
  const { serverId, server, teamId } = useServerPage();
  const admin = useAuth().can("admin");
  const client = useQueryClient();
  const toast = useToast();
  const proxy = useQuery({
    queryKey: serverKeys.proxy(teamId, serverId),
    queryFn: () => call(api.GET("/api/v1/servers/{id}/proxy", { params: { path: { id: serverId } } })),
  });
  const [form, setForm] = useState({ base_domain: "", http_port: "80", https_port: "443", tls: "acme" as Tls });
  useEffect(() => {
    if (proxy.data)
      setForm({
        base_domain: proxy.data.base_domain ?? "",
        http_port: String(proxy.data.http_port ?? 80),
        https_port: String(proxy.data.https_port ?? 443),
        tls: (proxy.data.tls ?? "acme") as Tls,
      });
  }, [proxy.data]);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT("/api/v1/servers/{id}/proxy", {
          params: { path: { id: serverId } },
          body: { base_domain: form.base_domain.trim(), http_port: Number(form.http_port), https_port: Number(form.https_port), tls: form.tls },
        }),
      ),
    onSuccess: (data) => {
      client.setQueryData(serverKeys.proxy(teamId, serverId), data);
      toast(`Proxy settings of ${server.name} saved`);
    },
  });
  if (proxy.isPending) return <div className="skeleton" style={{ height: 300 }} aria-busy="true" />;
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  return (
    <form
      className="card"
      aria-labelledby="proxy-title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 id="proxy-title">Proxy</h2>
      <p className="muted">Caddy on this server routes each app's hostname to its containers.</p>
      <ErrorText error={proxy.error} />
      <fieldset disabled={!admin} style={{ border: 0, padding: 0, margin: 0 }}>
        <Field
          label="Base domain"
          value={form.base_domain}
          onChange={set("base_domain")}
          placeholder="apps.example.com"
          hint="New apps without a hostname of their own answer at <app>.<base domain>."
        />
        <div className="grid-2">
          <Field label="HTTP port" type="number" min={1} max={65535} required value={form.http_port} onChange={set("http_port")} />
          <Field label="HTTPS port" type="number" min={1} max={65535} required value={form.https_port} onChange={set("https_port")} />
        </div>
        <div className="field">
          <label htmlFor="proxy-tls">TLS certificates</label>
          <select id="proxy-tls" className="input" value={form.tls} onChange={set("tls")}>
            {tlsChoices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </fieldset>
      <ErrorText error={save.error} />
      {admin ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      ) : (
        <p className="muted small">Only an admin changes the proxy settings.</p>
      )}
    </form>
  );
}
