import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_SHORTCUTS, shortcutList, type ShortcutPrefs } from '../lib/shortcuts';

/**
 * The list of keyboard shortcuts (`?`, or the header's button), with the keys the user chose.
 * Escape, the button or a click outside closes it.
 */
export function ShortcutsDialog({ onClose, prefs = DEFAULT_SHORTCUTS }: { onClose: () => void; prefs?: ShortcutPrefs }) {
  const { t } = useTranslation();
  const id = useId();
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    return () => before?.focus?.();
  }, []);

  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="shortcuts-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          // Keep the focus inside: the close button is the only control.
          if (e.key === 'Tab') {
            e.preventDefault();
            closeRef.current?.focus();
          }
        }}
      >
        <h2 id={`${id}-title`}>{t('shortcuts.title')}</h2>
        <table className="shortcuts" aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">{t('shortcuts.keys')}</th>
              <th scope="col">{t('shortcuts.action')}</th>
            </tr>
          </thead>
          <tbody>
            {shortcutList(prefs).map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k, i) => (
                    <span key={`${i}-${k}`}>
                      {i > 0 && (s.keys[0] === 'Ctrl' || s.keys[0] === 'Alt' ? ' + ' : t('shortcuts.then'))}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{t(s.action)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">{t('shortcuts.typingNote')}</p>
        <p className="muted small" data-testid="shortcuts-prefs-note">
          {prefs.enabled ? t('shortcuts.remapNote') : t('shortcuts.disabledNote')}
        </p>
        <button type="button" ref={closeRef} onClick={onClose} className="primary">
          {t('shortcuts.close')}
        </button>
      </div>
    </div>
  );
}
