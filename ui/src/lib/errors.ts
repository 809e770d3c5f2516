// Backend errors in the user's language: translated by `kind`, with `detail` interpolated;
// the English `message` shows only for a kind this interface does not know yet.

import type { TFunction } from 'i18next';
import type { CommandError } from '../api';

export function errorText(t: TFunction, error: CommandError): string {
  const key = `errors.${error.kind}`;
  const field = error.field ? t(`fields.${error.field}`, { defaultValue: error.field }) : '';
  return t(key, { detail: error.detail ?? '', field, message: error.message, defaultValue: error.message });
}
