import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App, PatchAppBody } from "../shared/types";

/// PATCH /apps/{id} with only what changed; the answer replaces the cached app.
export function usePatchApp(app: App) {
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (body: PatchAppBody) => call(api.PATCH("/api/v1/apps/{id}", { params: { path: { id: app.id ?? "" } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.app(team, app.id ?? ""), updated);
      void queryClient.invalidateQueries({ queryKey: keys.apps(team) });
      toast(updated.out_of_date ? "Saved; deploy to apply the change" : "Saved");
    },
  });
}

