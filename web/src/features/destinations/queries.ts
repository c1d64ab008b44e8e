// Queries of the destinations view.
import { useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useTeamId } from "../apps/shared/queries";

export const PER_PAGE = 50;

export const destinationKeys = {
  all: (team: string) => ["backup-destinations", team] as const,
  page: (team: string, page: number) => ["backup-destinations", team, { page }] as const,
};

export function useDestinations(page: number) {
  const team = useTeamId();
  return useQuery({
    queryKey: destinationKeys.page(team, page),
    queryFn: () => call(api.GET("/api/v1/backup-destinations", { params: { query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
  });
}
