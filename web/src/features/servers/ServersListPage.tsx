import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { useAuth } from "../../auth/AuthContext";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { fetchServers } from "./api";
import { serverKeys } from "./keys";
import { UpgradeAllButton } from "./AgentVersion";
import { ServerRow } from "./ServerRow";
import { useTeamEvents } from "./useTeamEvents";
import "./servers.css";

const perPageChoices = [20, 50, 100];

export function readListParams(params: URLSearchParams) {
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  const asked = Number.parseInt(params.get("per_page") ?? "20", 10);
  const perPage = perPageChoices.includes(asked) ? asked : 20;
  return { page, perPage, q: params.get("q") ?? "" };
}

function SkeletonRows({ count }: { count: number }) {
  return (
    <>
      {Array.from({ length: count }, (_, i) => (
        <tr key={i} className="skeleton-row" aria-hidden>
          <td colSpan={8}>
            <div className="skeleton" />
          </td>
        </tr>
      ))}
    </>
  );
}

export default function ServersListPage() {
  const { teamId, can } = useAuth();
  const [params, setParams] = useSearchParams();
  const { page, perPage, q } = readListParams(params);
  const [search, setSearch] = useState(q);
  const { live } = useTeamEvents(teamId);

  // The search box writes ?q= after a pause, so typing does not fire a request per key.
  useEffect(() => {
    if (search === q) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(params);
      if (search) next.set("q", search);
      else next.delete("q");
      next.delete("page");
      setParams(next, { replace: true });
    }, 250);
    return () => clearTimeout(timer);
  }, [search, q, params, setParams]);

  const list = useQuery({
    queryKey: serverKeys.list(teamId, page, perPage, q),
    queryFn: () => fetchServers(page, perPage, q),
    enabled: teamId !== null,
    placeholderData: keepPreviousData,
    // Without the live stream, statuses come from polling.
    refetchInterval: live ? 60_000 : 10_000,
  });

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    setParams(next);
  };

  const servers = list.data?.data ?? [];
  const isAdmin = can("admin");
  return (
    <>
      <PageHeader
        title="Servers"
        subtitle={
          <span className="row">
            <span className={live ? "dot dot-ok" : "dot"} aria-hidden />
            {live ? "Live" : "Refreshing every 10 s"}
          </span>
        }
        actions={
          isAdmin && (
            <span className="row">
              {servers.some((s) => s.agent_update_available) && <UpgradeAllButton teamId={teamId} />}
              <Link to="/servers/new" className="btn btn-primary">
                <Plus size={16} aria-hidden /> Add a server
              </Link>
            </span>
          )
        }
      />
      <div className="servers-toolbar" role="search">
        <label htmlFor="server-search" className="sr-only">
          Search servers by name or address
        </label>
        <input
          id="server-search"
          className="input"
          type="search"
          placeholder="Search by name or address"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label htmlFor="server-per-page" className="muted small">
          Per page
        </label>
        <select
          id="server-per-page"
          className="input"
          value={perPage}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            next.set("per_page", e.target.value);
            next.delete("page");
            setParams(next);
          }}
        >
          {perPageChoices.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <ErrorText error={list.error} />
      {list.isSuccess && servers.length === 0 ? (
        q ? (
          <EmptyState title={`No server matches “${q}”`}>Try part of a name or an address.</EmptyState>
        ) : (
          <EmptyState
            title="No servers yet"
            action={
              isAdmin ? (
                <Link to="/servers/new" className="btn btn-primary">
                  Add a server
                </Link>
              ) : undefined
            }
          >
            {isAdmin
              ? "Add a server with a one-line install command or over SSH; apps are deployed onto servers."
              : "An admin of this team adds servers; apps are deployed onto them."}
          </EmptyState>
        )
      ) : (
        <div className="table-wrap">
          <table className="table" aria-busy={list.isPending}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="hide-sm">Address</th>
                <th scope="col">Scheduling</th>
                <th scope="col" className="hide-sm">Agent</th>
                <th scope="col">Last seen</th>
                <th scope="col">CPU</th>
                <th scope="col" className="hide-sm">Memory</th>
                <th scope="col" className="hide-sm">Disk</th>
              </tr>
            </thead>
            <tbody>
              {list.isPending ? (
                <SkeletonRows count={Math.min(perPage, 8)} />
              ) : (
                servers.map((server) => <ServerRow key={server.id} server={server} teamId={teamId} />)
              )}
            </tbody>
          </table>
        </div>
      )}
      {list.data && (
        <Pagination
          page={list.data.page ?? page}
          perPage={list.data.per_page ?? perPage}
          total={list.data.total ?? 0}
          onPage={(p) => setParam("page", p === 1 ? null : String(p))}
        />
      )}
    </>
  );
}
