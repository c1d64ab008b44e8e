// berthd answers every failure with one envelope: {"error": {"code", "message", "details"}}.
// ApiError carries it to the screen that failed, so the user reads what the API said.

export interface ErrorEnvelope {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/// The ApiError for a failed response's status and (possibly missing or foreign) body.
export function toApiError(status: number, body: unknown): ApiError {
  if (isEnvelope(body)) {
    return new ApiError(status, body.error.code, body.error.message, body.error.details ?? {});
  }
  if (status === 0) return new ApiError(0, "network", "Berth cannot be reached; check the connection");
  return new ApiError(status, "unexpected", `Berth answered ${status} without an explanation`);
}

/// The message to show for any thrown value.
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
