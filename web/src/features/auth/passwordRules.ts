// berthd accepts passwords of 12-128 characters (counted as code points, like the server
// does); checking here first saves a round trip and says so next to the field.
export const passwordMin = 12;
export const passwordMax = 128;

export function passwordLength(password: string): number {
  return Array.from(password).length;
}

/// The problem with a new password and its repetition, or null when it may be sent.
export function newPasswordProblem(password: string, repeated: string): string | null {
  const length = passwordLength(password);
  if (length < passwordMin) return `The password must be at least ${passwordMin} characters.`;
  if (length > passwordMax) return `The password must be at most ${passwordMax} characters.`;
  if (password !== repeated) return "The two passwords are not the same.";
  return null;
}
