// The port publishing controls of the create and settings forms. Shown to team admins only
// (the API answers 403 admin_required to anyone else), always with the warning.
import { Field } from "../../components/Field";
import { publishWarning, type FormErrors, type PublishForm } from "./serviceForm";

export function PublishFields({ publish, port, errors, onChange }: { publish: PublishForm; port: number; errors: FormErrors; onChange: (publish: PublishForm) => void }) {
  return (
    <fieldset className="field">
      <legend>Published port (admins)</legend>
      <label className="checkbox field">
        <input type="checkbox" checked={publish.on} onChange={(e) => onChange({ ...publish, on: e.target.checked })} /> Publish port {port} on the server
      </label>
      <p className="notice" role="note">
        {publishWarning}
      </p>
      {publish.on && (
        <div className="row">
          <Field label="Host address" value={publish.hostIp} onChange={(e) => onChange({ ...publish, hostIp: e.target.value })} hint={errors.hostIp} aria-invalid={errors.hostIp ? true : undefined} />
          <Field label="Host port" inputMode="numeric" value={publish.hostPort} onChange={(e) => onChange({ ...publish, hostPort: e.target.value })} hint={errors.hostPort} aria-invalid={errors.hostPort ? true : undefined} />
        </div>
      )}
    </fieldset>
  );
}
