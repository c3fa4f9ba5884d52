/** Addresses are compared case-insensitively; the stored form is trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** "taro.yamada@example.com" → "t•••a@example.com": enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? (local[0] ?? '') : `${local[0]}•••${local[local.length - 1]}`;
  return `${shown}@${email.slice(at + 1)}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length <= 4 ? '•••' : `•••${digits.slice(-4)}`;
}
