import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import type { Api } from './api';
import { createI18n, storedLanguage } from './i18n';
import './styles.css';

/** Starts the interface in #root, against `api`. */
export function mount(api: Api): void {
  const i18n = createI18n(storedLanguage());
  // The document's language follows the interface's, whatever changes it.
  document.documentElement.lang = i18n.language;
  i18n.on('languageChanged', (lang) => {
    document.documentElement.lang = lang;
  });
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App api={api} />
      </I18nextProvider>
    </StrictMode>,
  );
}
