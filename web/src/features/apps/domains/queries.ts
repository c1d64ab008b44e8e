// Queries of the Domains tab. Keys sit under the app's key, so invalidating the app's
// queries (a hostname change in Settings renames the primary domain) refreshes them too.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { keys, useTeamId } from "../shared/queries";

export const PER_PAGE = 50;

export const domainKeys = {
  all: (team: string, appId: string) => [...keys.app(team, appId), "domains"] as const,
  page: (team: string, appId: string, page: number) => [...keys.app(team, appId), "domains", { page }] as const,
};

export function useAppDomains(appId: string, page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: domainKeys.page(team, appId, page),
    queryFn: () => call(api.GET("/api/v1/apps/{id}/domains", { params: { path: { id: appId }, query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
  });
}

/// The addresses DNS should point at (domains.md "DNS: the records to create"): the server's
/// stated public addresses when an admin set them, else those its agent reports.
export function useServerAddresses(serverId: string | undefined) {
  const team = useTeamId();
  return useQuery({
    queryKey: ["apps", team, "server-addresses", serverId ?? ""],
    enabled: Boolean(serverId),
    staleTime: 60_000,
    queryFn: async () => {
      const path = { params: { path: { id: serverId ?? "" } } };
      const [proxy, server] = await Promise.all([call(api.GET("/api/v1/servers/{id}/proxy", path)), call(api.GET("/api/v1/servers/{id}", path))]);
      const stated = proxy.public_addresses ?? [];
      return stated.length > 0 ? stated : reportedAddresses(server.facts);
    },
  });
}

/// facts.addresses of the agent (protocol.md): a list of strings, read defensively.
export function reportedAddresses(facts: unknown): string[] {
  if (typeof facts !== "object" || facts === null) return [];
  const list = (facts as { addresses?: unknown }).addresses;
  return Array.isArray(list) ? list.filter((a): a is string => typeof a === "string") : [];
}
