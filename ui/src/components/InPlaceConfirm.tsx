// The confirmation of a destructive action, shown in place under the button that opens it
// (removing a member from a space, revoking a device): the question, what it does, the
// backend's refusal if any, the action and "Annuler" (focused when it opens; Escape too).
// The test ids are `<testId>-confirm-form`, `-question`, `-error`, `-confirm` and `-cancel`.

import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandError } from '../api';
import { errorText } from '../lib/errors';
import type { InlineConfirm } from '../lib/useInlineConfirm';

export function InPlaceConfirm({
  id,
  confirm,
  testId,
  question,
  hint,
  error,
  busy,
  disabled = false,
  submitLabel,
  busyLabel,
  cancelLabel,
  onSubmit,
  children,
}: {
  /** The ids of the form's parts start with it; `<id>-error` is the refusal's. */
  id: string;
  confirm: InlineConfirm;
  testId: string;
  question: string;
  hint: string;
  error: CommandError | null;
  busy: boolean;
  disabled?: boolean;
  submitLabel: string;
  busyLabel: string;
  cancelLabel: string;
  onSubmit: (e: FormEvent) => void;
  /** What to choose before confirming, between the hint and the buttons. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const errorId = `${id}-error`;
  return (
    <form className="member-remove" id={`${id}-confirm`} data-testid={`${testId}-confirm-form`} aria-labelledby={`${id}-question`} onSubmit={onSubmit} onKeyDown={confirm.onKeyDown}>
      <p className="member-remove-question" id={`${id}-question`} data-testid={`${testId}-question`}>
        {question}
      </p>
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      {children}
      {error && (
        <p className="field-error" id={errorId} data-testid={`${testId}-error`} role="alert">
          {errorText(t, error)}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="danger" data-testid={`${testId}-confirm`} disabled={disabled || busy} aria-busy={busy} aria-describedby={`${id}-hint${error ? ` ${errorId}` : ''}`}>
          {busy ? busyLabel : submitLabel}
        </button>
        <button type="button" ref={confirm.cancelButton} data-testid={`${testId}-cancel`} onClick={confirm.cancel}>
          {cancelLabel}
        </button>
      </div>
    </form>
  );
}
