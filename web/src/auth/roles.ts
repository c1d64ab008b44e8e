// Team roles, each including the one below (API.md): viewer < member < admin < owner.
export type TeamRole = "viewer" | "member" | "admin" | "owner";

const rank: Record<TeamRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: TeamRole | undefined, needed: TeamRole): boolean {
  return role !== undefined && rank[role] >= rank[needed];
}

export const teamRoles: TeamRole[] = ["viewer", "member", "admin", "owner"];
