// The team area's query keys: they start with the area and the team id, so a team switch
// never shows another team's members, invitations or keys.
export const teamKeys = {
  members: (teamId: string | null, page?: number) =>
    page === undefined ? (["team", teamId, "members"] as const) : (["team", teamId, "members", page] as const),
  invitations: (teamId: string | null) => ["team", teamId, "invitations"] as const,
  apiKeys: (teamId: string | null) => ["team", teamId, "api-keys"] as const,
};

export const perPage = 20;
