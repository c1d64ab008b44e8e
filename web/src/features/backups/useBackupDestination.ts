// The destination a "Back up now" form sends to: the team's destinations (first page), those a
// backup may go to (an SFTP one once a test pinned its host key), and the chosen one (the first
// usable until the user picks another). Shared by a service's Backups tab and an app's Volumes
// card.
import { useState } from "react";
import { backupUsable } from "../destinations/destinationForm";
import { useDestinations } from "../destinations/queries";

export function useBackupDestination() {
  const destinations = useDestinations(1);
  const all = destinations.data?.data ?? [];
  const usable = all.filter(backupUsable);
  const [chosen, setChosen] = useState("");
  const destinationId = usable.some((d) => d.id === chosen) ? chosen : (usable[0]?.id ?? "");
  return { destinations, all, usable, destinationId, setChosen };
}
