// Services and links as berthd answers them, for the services tests.
import type { Service, ServiceLink } from "./types";

export const link: ServiceLink = {
  app_id: "app_1", app_name: "shop-web", service_id: "svc_1", service_name: "orders-db", engine: "postgres", env_prefix: "",
  env_keys: ["DATABASE_URL", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_NAME"], created_at: "2026-12-06T07:00:00.000Z",
};

export const service: Service = {
  id: "svc_1", name: "orders-db", engine: "postgres", version: "16", image: "postgres:16", memory_bytes: 512 * 1024 * 1024, nano_cpus: 500_000_000,
  publish: null, project_id: "prj_1", server_id: "srv_1", status: "running", status_message: null, host: "orders-db", port: 5432,
  network: "berth-net-prj_1", container: "berth-svc_1", volume: "berth-svc_1-data", links: [link], warnings: [],
  created_at: "2026-12-06T06:00:00.000Z", updated_at: "2026-12-06T06:30:00.000Z",
};

export const cache: Service = {
  ...service, id: "svc_2", name: "cache", engine: "redis", version: "7", image: "redis:7", port: 6379, status: "deploying", links: [], project_id: "prj_2",
  container: "berth-svc_2", volume: "berth-svc_2-data",
};

export const names = {
  "GET /api/v1/projects": { data: [{ id: "prj_1", name: "shop" }, { id: "prj_2", name: "blog" }], page: 1, per_page: 100, total: 2 },
  "GET /api/v1/servers": { data: [{ id: "srv_1", name: "eu-1", status: "online" }], page: 1, per_page: 100, total: 1 },
};
