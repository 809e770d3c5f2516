import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { tauriApi } from './api';
import { createI18n, storedLanguage } from './i18n';
import './styles.css';

const i18n = createI18n(storedLanguage());
document.documentElement.lang = i18n.language;

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App api={tauriApi} />
      </I18nextProvider>
    </StrictMode>,
  );
}
