// The account changes an instance administrator can make from the users list, with the words
// each confirmation uses. berthd refuses deactivating or demoting oneself, so those are not offered.
import type { AdminUser } from "../types";

export interface UserChange {
  body: { is_active?: boolean; is_instance_admin?: boolean };
  label: string;
  title: string;
  explain: string;
  done: string;
  danger: boolean;
}

export function userChanges(user: AdminUser, myId: string | undefined): UserChange[] {
  if (user.id === myId) return [];
  const name = user.display_name || user.email || user.id || "";
  const changes: UserChange[] = [];
  changes.push(
    user.is_active
      ? {
          body: { is_active: false },
          label: "Deactivate",
          title: `Deactivate ${name}?`,
          explain: `${user.email} is signed out everywhere at once, and their API keys stop working until you reactivate the account.`,
          done: `${name} deactivated`,
          danger: true,
        }
      : {
          body: { is_active: true },
          label: "Reactivate",
          title: `Reactivate ${name}?`,
          explain: `${user.email} can sign in again, and their unexpired API keys work again.`,
          done: `${name} reactivated`,
          danger: false,
        },
  );
  changes.push(
    user.is_instance_admin
      ? {
          body: { is_instance_admin: false },
          label: "Remove instance admin",
          title: `Remove ${name} from the instance administrators?`,
          explain: `${user.email} keeps their team roles but can no longer manage accounts and teams.`,
          done: `${name} is no longer an instance administrator`,
          danger: true,
        }
      : {
          body: { is_instance_admin: true },
          label: "Make instance admin",
          title: `Make ${name} an instance administrator?`,
          explain: `${user.email} will manage every account and team on this Berth, and read the whole audit log.`,
          done: `${name} is now an instance administrator`,
          danger: false,
        },
  );
  return changes;
}
