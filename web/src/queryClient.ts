import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api/errors";

/// Server state lives in this cache; SSE events invalidate what they change.
export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        // A 4xx will not get better by asking again.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
}
