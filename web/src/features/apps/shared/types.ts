// Types of the apps area, taken from the generated schema so they follow docs/openapi.json.
import type { paths } from "../../../api/schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type App = Json<paths["/api/v1/apps/{id}"]["get"]["responses"]["200"]>;
export type AppList = Json<paths["/api/v1/apps"]["get"]["responses"]["200"]>;
export type CreateAppBody = NonNullable<paths["/api/v1/apps"]["post"]["requestBody"]>["content"]["application/json"];
export type PatchAppBody = NonNullable<paths["/api/v1/apps/{id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type AppSource = CreateAppBody["source"];
export type AppSettings = NonNullable<CreateAppBody["settings"]>;
export type WorkflowStep = NonNullable<AppSource["steps"]>[number];
export type Volume = NonNullable<AppSettings["volumes"]>[number];

export type Deployment = Json<paths["/api/v1/deployments/{id}"]["get"]["responses"]["200"]>;
export type DeploymentList = Json<paths["/api/v1/apps/{id}/deployments"]["get"]["responses"]["200"]>;
export type DeployBody = NonNullable<paths["/api/v1/apps/{id}/deployments"]["post"]["requestBody"]>["content"]["application/json"];

export type EnvVar = NonNullable<Json<paths["/api/v1/apps/{id}/env"]["get"]["responses"]["200"]>["data"]>[number];
export type EnvInput = NonNullable<paths["/api/v1/apps/{id}/env"]["patch"]["requestBody"]>["content"]["application/json"]["vars"][number];

export type Project = Json<paths["/api/v1/projects/{id}"]["get"]["responses"]["200"]>;
export type DeployHook = NonNullable<Json<paths["/api/v1/apps/{id}/deploy-hooks"]["get"]["responses"]["200"]>["data"]>[number];
