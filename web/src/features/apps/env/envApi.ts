// The env routes of an app and of a project are the same shape under two bases; the editor
// works on either through this adapter (typed calls, no string-built paths).
import { api, call } from "../../../api/client";
import type { EnvInput } from "../shared/types";

export interface EnvOwner {
  kind: "apps" | "projects";
  id: string;
}

export function envApi({ kind, id }: EnvOwner) {
  const path = { id };
  return {
    list: (page: number, perPage: number) =>
      kind === "apps"
        ? call(api.GET("/api/v1/apps/{id}/env", { params: { path, query: { page, per_page: perPage } } }))
        : call(api.GET("/api/v1/projects/{id}/env", { params: { path, query: { page, per_page: perPage } } })),
    set: (vars: EnvInput[]) =>
      kind === "apps"
        ? call(api.PATCH("/api/v1/apps/{id}/env", { params: { path }, body: { vars } }))
        : call(api.PATCH("/api/v1/projects/{id}/env", { params: { path }, body: { vars } })),
    replace: (vars: EnvInput[]) =>
      kind === "apps"
        ? call(api.PUT("/api/v1/apps/{id}/env", { params: { path }, body: { vars } }))
        : call(api.PUT("/api/v1/projects/{id}/env", { params: { path }, body: { vars } })),
    remove: (key: string) =>
      kind === "apps"
        ? call(api.DELETE("/api/v1/apps/{id}/env/{key}", { params: { path: { id, key } } }))
        : call(api.DELETE("/api/v1/projects/{id}/env/{key}", { params: { path: { id, key } } })),
    reveal: (key: string) =>
      kind === "apps"
        ? call(api.POST("/api/v1/apps/{id}/env/{key}/reveal", { params: { path: { id, key } } }))
        : call(api.POST("/api/v1/projects/{id}/env/{key}/reveal", { params: { path: { id, key } } })),
  };
}
