import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The window's title names the screen shown, then the app: « Recherche – Diplomatie ». Null:
 * another component names it.
 */
export function useDocumentTitle(screen: string | null): void {
  const { t } = useTranslation();
  const app = t('app.name');
  useEffect(() => {
    if (screen === null || typeof document === 'undefined') return;
    document.title = screen ? t('app.title', { screen, app }) : app;
  }, [screen, app, t]);
}
