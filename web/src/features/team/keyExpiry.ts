// The choices for a new API key's lifetime, turned into the RFC 3339 `expires_at` the API takes.
export type ExpiryChoice = "never" | "30" | "90" | "365" | "custom";

export const expiryChoices: { value: ExpiryChoice; label: string }[] = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
  { value: "custom", label: "On a date…" },
];

/// undefined means "no expires_at" (never, or capped by the creating key); a custom date
/// ends at the end of that day in the user's time zone.
export function expiresAt(choice: ExpiryChoice, customDate: string, now: Date = new Date()): string | undefined {
  if (choice === "never") return undefined;
  if (choice === "custom") {
    if (!customDate) return undefined;
    const [y, m, d] = customDate.split("-").map(Number);
    return new Date(y!, m! - 1, d!, 23, 59, 59).toISOString();
  }
  return new Date(now.getTime() + Number(choice) * 86_400_000).toISOString();
}
