// The add form's state and the body it sends (POST /backup-destinations). Empty optional
// fields are left out so the API's defaults apply; secrets go only in the body.
import type { CreateBody, Destination } from "./types";

export type Kind = "s3" | "sftp";
export type SftpAuth = "password" | "private_key";

export interface DestinationForm {
  name: string;
  kind: Kind;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  host: string;
  port: string;
  user: string;
  path: string;
  auth: SftpAuth;
  password: string;
  privateKey: string;
  passphrase: string;
  hostKey: string;
}

export const emptyForm: DestinationForm = {
  name: "",
  kind: "s3",
  endpoint: "",
  region: "",
  bucket: "",
  prefix: "",
  pathStyle: false,
  accessKeyId: "",
  secretAccessKey: "",
  host: "",
  port: "",
  user: "",
  path: "",
  auth: "password",
  password: "",
  privateKey: "",
  passphrase: "",
  hostKey: "",
};

function given(fields: Record<string, string | number | boolean | undefined>) {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== "" && v !== undefined));
}

export function createBody(form: DestinationForm): CreateBody {
  if (form.kind === "s3") {
    return {
      name: form.name.trim(),
      kind: "s3",
      s3: given({
        endpoint: form.endpoint.trim(),
        region: form.region.trim(),
        bucket: form.bucket.trim(),
        prefix: form.prefix.trim(),
        path_style: form.pathStyle,
        access_key_id: form.accessKeyId.trim(),
        secret_access_key: form.secretAccessKey,
      }),
    } as CreateBody;
  }
  const port = form.port.trim() === "" ? undefined : Number(form.port);
  return {
    name: form.name.trim(),
    kind: "sftp",
    sftp: given({
      host: form.host.trim(),
      port,
      user: form.user.trim(),
      path: form.path.trim(),
      host_key_fingerprint: form.hostKey.trim(),
      ...(form.auth === "password" ? { password: form.password } : { private_key: form.privateKey, private_key_passphrase: form.passphrase }),
    }),
  } as CreateBody;
}

/// Where a destination writes, in one line: "s3 bucket/prefix at endpoint" or "user@host:path".
export function whereOf(d: Destination): string {
  if (d.kind === "s3" && d.s3) return `${d.s3.bucket ?? ""}/${d.s3.prefix ?? ""} at ${d.s3.endpoint ?? ""}`;
  if (d.sftp) return `${d.sftp.user ?? ""}@${d.sftp.host ?? ""}:${d.sftp.port ?? 22}${d.sftp.path ?? ""}`;
  return "";
}

/// Whether a service's backups can go there: an SFTP destination needs its host key pinned
/// first (its first successful test pins it; the API answers 422 destination_untested).
export function backupUsable(d: Destination): boolean {
  return d.kind === "s3" || !!d.sftp?.host_key_fingerprint;
}
