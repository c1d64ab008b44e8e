import type { ReactNode } from "react";
import { messageOf } from "../api/errors";

/// What the API said went wrong, next to the thing that failed (announced to screen readers).
export function ErrorText({ children, error }: { children?: ReactNode; error?: unknown }) {
  if (!children && !error) return null;
  return (
    <div className="error-text" role="alert">
      {children ?? messageOf(error)}
    </div>
  );
}
