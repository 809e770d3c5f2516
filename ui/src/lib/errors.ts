// Backend errors in the user's language: translated by `kind`, with `detail` interpolated;
// the English `message` shows only for a kind this interface does not know yet. A detail
// that is itself a code (the role a clearance step needs, a draft's stage) is translated too.

import type { TFunction } from 'i18next';
import type { CommandError } from '../api';

function detailText(t: TFunction, error: CommandError): string {
  const d = error.detail ?? '';
  if (d === '') return d;
  switch (error.kind) {
    case 'not_allowed':
      return t(`roles.${d}`, { defaultValue: d });
    case 'wrong_stage':
    case 'circuit_fixed':
      return t(`stage.${d}`, { defaultValue: d });
    case 'profile_folder':
      return t(`profileFolder.${d}`, { defaultValue: error.message });
    default:
      return d;
  }
}

export function errorText(t: TFunction, error: CommandError): string {
  const key = `errors.${error.kind}`;
  const field = error.field ? t(`fields.${error.field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}`, { defaultValue: error.field }) : '';
  return t(key, { detail: detailText(t, error), field, message: error.message, defaultValue: error.message });
}
