import { describe, expect, it } from "vitest";
import { service } from "./fixtures";
import { buildCreateBody, buildPatchBody, emptyCreateForm, formatMemory, parseCpus, parseMemory, specFormOf } from "./serviceForm";

describe("service forms", () => {
  it("reads memory sizes as people write them, in powers of 1024", () => {
    expect(parseMemory("512M")).toBe(512 * 1024 * 1024);
    expect(parseMemory("1G")).toBe(1024 ** 3);
    expect(parseMemory("1.5GiB")).toBe(1.5 * 1024 ** 3);
    expect(parseMemory("268435456")).toBe(268435456);
    expect(parseMemory("0")).toBe(0);
    expect(parseMemory("lots")).toBeNull();
    expect(parseMemory("-1G")).toBeNull();
    expect(formatMemory(512 * 1024 * 1024)).toBe("512M");
    expect(formatMemory(2 * 1024 ** 3)).toBe("2G");
    expect(formatMemory(0)).toBe("no limit");
    expect(parseCpus("0.5")).toBe(500_000_000);
    expect(parseCpus("")).toBeNull();
    expect(parseCpus("x")).toBeUndefined();
  });

  it("creates with what was given, and publishes only for admins", () => {
    const form = { ...emptyCreateForm(), name: "orders-db", projectId: "prj_1", serverId: "srv_1", cpus: "0.5", publish: { on: true, hostIp: "127.0.0.1", hostPort: "15432" } };
    expect(buildCreateBody(form, false)).toEqual({
      body: { name: "orders-db", engine: "postgres", project_id: "prj_1", server_id: "srv_1", version: "17", memory_bytes: 512 * 1024 * 1024, nano_cpus: 500_000_000 },
      errors: {},
    });
    expect(buildCreateBody(form, true).body.publish).toEqual({ host_ip: "127.0.0.1", host_port: 15432 });
    const bad = buildCreateBody({ ...emptyCreateForm(), name: "Orders DB", memory: "much", publish: { on: true, hostIp: "", hostPort: "99999" } }, true);
    expect(Object.keys(bad.errors).sort()).toEqual(["hostIp", "hostPort", "memory", "name", "projectId", "serverId"]);
  });

  it("changes only what differs from the service", () => {
    const form = specFormOf(service);
    expect(form).toMatchObject({ version: "16", image: "postgres:16", memory: "512M", cpus: "0.5" });
    expect(buildPatchBody(service, form, true).body).toEqual({});
    expect(buildPatchBody(service, { ...form, image: "postgres:16.4", memory: "1G" }, false).body).toEqual({ image: "postgres:16.4", memory_bytes: 1024 ** 3 });
    expect(buildPatchBody(service, { ...form, cpus: "0" }, false).body).toEqual({ nano_cpus: 0 });
    // Publishing and unpublishing are admins' changes; members never send publish.
    const published = { ...form, publish: { on: true, hostIp: "0.0.0.0", hostPort: "15432" } };
    expect(buildPatchBody(service, published, false).body).toEqual({});
    expect(buildPatchBody(service, published, true).body).toEqual({ publish: { host_ip: "0.0.0.0", host_port: 15432 } });
    const withPort = { ...service, publish: { host_ip: "0.0.0.0", host_port: 15432 } };
    expect(buildPatchBody(withPort, { ...specFormOf(withPort), publish: { on: false, hostIp: "0.0.0.0", hostPort: "15432" } }, true).body).toEqual({ publish: null });
  });
});
