// Query keys of the account area. Sessions belong to the user, not to a team, so the user id
// (not the team id) keeps one person's list from showing for another after a sign-in switch.
export function sessionsKey(userId: string | undefined, page?: number) {
  return page === undefined ? (["account", userId, "sessions"] as const) : (["account", userId, "sessions", page] as const);
}
