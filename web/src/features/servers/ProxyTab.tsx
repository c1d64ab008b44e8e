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
  { value: "acme", label: "ACME (Let's Encrypt, or the CA below)" },
  { value: "internal", label: "Caddy's internal CA" },
  { value: "off", label: "Off (plain HTTP)" },
];

// "203.0.113.7, 2001:db8::7" (commas or spaces between them) as the API's list.
function addressList(text: string): string[] {
  return text.split(/[\s,]+/).filter((address) => address !== "");
}

export default function ProxyTab() {
  const { serverId, server, teamId } = useServerPage();
  const admin = useAuth().can("admin");
  const client = useQueryClient();
  const toast = useToast();
  const proxy = useQuery({
    queryKey: serverKeys.proxy(teamId, serverId),
    queryFn: () => call(api.GET("/api/v1/servers/{id}/proxy", { params: { path: { id: serverId } } })),
  });
  const [form, setForm] = useState({
    base_domain: "",
    http_port: "80",
    https_port: "443",
    tls: "acme" as Tls,
    public_addresses: "",
    acme_ca: "",
    acme_ca_root: "",
    acme_email: "",
  });
  useEffect(() => {
    if (proxy.data)
      setForm({
        base_domain: proxy.data.base_domain ?? "",
        http_port: String(proxy.data.http_port ?? 80),
        https_port: String(proxy.data.https_port ?? 443),
        tls: (proxy.data.tls ?? "acme") as Tls,
        public_addresses: (proxy.data.public_addresses ?? []).join(", "),
        acme_ca: proxy.data.acme_ca ?? "",
        acme_ca_root: proxy.data.acme_ca_root ?? "",
        acme_email: proxy.data.acme_email ?? "",
      });
  }, [proxy.data]);
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PUT("/api/v1/servers/{id}/proxy", {
          params: { path: { id: serverId } },
          body: {
            base_domain: form.base_domain.trim(),
            http_port: Number(form.http_port),
            https_port: Number(form.https_port),
            tls: form.tls,
            public_addresses: addressList(form.public_addresses),
            acme_ca: form.acme_ca.trim(),
            acme_ca_root: form.acme_ca_root.trim() === "" ? "" : form.acme_ca_root,
            acme_email: form.acme_email.trim(),
          },
        }),
      ),
    onSuccess: (data) => {
      client.setQueryData(serverKeys.proxy(teamId, serverId), data);
      toast(`Proxy settings of ${server.name} saved`);
    },
  });
  if (proxy.isPending) return <div className="skeleton" style={{ height: 300 }} aria-busy="true" />;
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const rootHint = "ca-root-hint";
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
        <Field
          label="Public addresses"
          value={form.public_addresses}
          onChange={set("public_addresses")}
          placeholder="203.0.113.7, 2001:db8::7"
          hint="Where this server is reached from the internet, when that is not an address of its own (NAT, elastic IPs). Domains' DNS checks compare with these; empty: the addresses the agent reports."
        />
        <h3>Private CA (ACME)</h3>
        <p className="muted small">
          Leave these empty for Let's Encrypt (then ZeroSSL). With your own CA — step-ca, another Caddy's acme_server — domains with ACME
          certificates get them from it.
        </p>
        <Field
          label="ACME directory URL"
          type="url"
          value={form.acme_ca}
          onChange={set("acme_ca")}
          placeholder="https://ca.internal:9000/acme/acme/directory"
          hint="https only."
        />
        <div className="field">
          <label htmlFor="proxy-acme-ca-root">CA root certificate (PEM)</label>
          <textarea
            id="proxy-acme-ca-root"
            className="input"
            rows={4}
            spellCheck={false}
            aria-describedby={rootHint}
            placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
            value={form.acme_ca_root}
            onChange={set("acme_ca_root")}
          />
          <span id={rootHint} className="hint">
            The root your CA's certificates chain to, when this server does not trust it already. Only with a directory URL.
          </span>
        </div>
        <Field label="ACME account email" type="email" value={form.acme_email} onChange={set("acme_email")} placeholder="ops@example.com" />
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
