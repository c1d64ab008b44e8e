// What the signed-in user may do to a member, an invitation or a key, mirroring berthd's rules
// (docs/api.md "Teams and roles", team_service.cpp) so nobody sees a button the API refuses.
// berthd still enforces all of it.
import { roleAtLeast, teamRoles, type TeamRole } from "../../auth/roles";

export interface MemberLike {
  user_id?: string;
  role?: TeamRole;
}

/// The roles `me` may give `member`: admins move members and viewers between those two;
/// the owner also makes and unmakes admins. The owner's role moves only by transfer.
export function assignableRoles(myRole: TeamRole | undefined, member: MemberLike): TeamRole[] {
  if (!member.role || member.role === "owner") return [];
  if (myRole === "owner") return ["viewer", "member", "admin"];
  if (myRole === "admin" && member.role !== "admin") return ["viewer", "member"];
  return [];
}

/// Anyone but the owner may leave; admins remove members and viewers; the owner removes admins too.
export function canRemove(myRole: TeamRole | undefined, myUserId: string | undefined, member: MemberLike): boolean {
  if (member.role === "owner") return false;
  if (member.user_id !== undefined && member.user_id === myUserId) return true;
  if (!roleAtLeast(myRole, "admin")) return false;
  return member.role !== "admin" || myRole === "owner";
}

/// Owners invite admins, members and viewers; admins invite members and viewers.
export function invitableRoles(myRole: TeamRole | undefined): TeamRole[] {
  if (myRole === "owner") return ["viewer", "member", "admin"];
  if (myRole === "admin") return ["viewer", "member"];
  return [];
}

/// A key never acts above its creator's role.
export function keyRoles(myRole: TeamRole | undefined): TeamRole[] {
  return teamRoles.filter((role) => roleAtLeast(myRole, role));
}
