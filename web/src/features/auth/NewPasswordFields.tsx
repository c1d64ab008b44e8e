// The new password typed twice, shared by reset, registration and the account's password tab.
import { Field } from "../../components/Field";
import { passwordMax, passwordMin } from "./passwordRules";

export function NewPasswordFields({
  password,
  repeated,
  onPassword,
  onRepeated,
  label = "New password",
}: {
  password: string;
  repeated: string;
  onPassword: (value: string) => void;
  onRepeated: (value: string) => void;
  label?: string;
}) {
  return (
    <>
      <Field
        label={label}
        type="password"
        autoComplete="new-password"
        required
        hint={`${passwordMin}–${passwordMax} characters; a few unrelated words make a good one.`}
        value={password}
        onChange={(e) => onPassword(e.target.value)}
      />
      <Field
        label={`Repeat the ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        required
        value={repeated}
        onChange={(e) => onRepeated(e.target.value)}
      />
    </>
  );
}
