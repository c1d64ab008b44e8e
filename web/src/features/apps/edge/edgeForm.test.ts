import { describe, expect, it } from "vitest";
import { ApiError } from "../../../api/errors";
import { placeError } from "./edgeErrors";
import { bodyOf, formOf, splitBytes } from "./edgeForm";

describe("edge form", () => {
  it("reads a document and writes the same rules back, users without passwords", () => {
    const { body } = bodyOf(
      formOf({
        redirects: [{ path: "/a", to: "/b", status: 302 }],
        headers: { set: { "X-A": "1" }, remove: [] },
        allow_ips: [],
        basic_auth: { users: [{ username: "ops", has_password: true }] },
        max_body_bytes: 0,
        maintenance: { enabled: false, retry_after_seconds: 120, message: "Back soon" },
        updated_at: null,
      }),
    );
    expect(body).toEqual({
      redirects: [{ path: "/a", to: "/b", status: 302 }],
      headers: { set: { "X-A": "1" }, remove: [] },
      allow_ips: [],
      basic_auth: { users: [{ username: "ops" }] },
      max_body_bytes: 0,
      maintenance: { enabled: false, retry_after_seconds: 120, message: "Back soon" },
    });
  });

  it("shows a limit in the largest whole unit", () => {
    expect(splitBytes(10 * 1024 ** 2)).toEqual({ value: "10", unit: 1024 ** 2 });
    expect(splitBytes(1500)).toEqual({ value: "1500", unit: 1 });
    expect(splitBytes(0)).toEqual({ value: "", unit: 1024 ** 2 });
  });

  it("puts a header error on the row of that name", () => {
    const form = formOf({ headers: { set: { "X-Frame-Options": "{env.SECRET}" } } });
    const { sources } = bodyOf(form);
    const error = new ApiError(400, "validation_failed", "no braces", { field: "headers.set.X-Frame-Options" });
    expect(placeError(error, sources, form.headersSet)).toEqual({ target: form.headersSet[0]?.key, sub: "value", message: "no braces" });
    const other = new ApiError(400, "validation_failed", "too large", { field: "max_body_bytes" });
    expect(placeError(other, sources, form.headersSet)).toEqual({ target: "max_body_bytes", message: "too large" });
  });
});
