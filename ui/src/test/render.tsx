import type { ReactElement, ReactNode } from 'react';
import { render } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { ApiContext, type Api } from '../api';
import { createI18n } from '../i18n';

/** Renders `ui` (in French by default) with `api` as the backend; `rerender` keeps both. */
export function renderWith(ui: ReactElement, api: Api, lang: 'fr' | 'en' = 'fr') {
  const i18n = createI18n(lang);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <I18nextProvider i18n={i18n}>
      <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
    </I18nextProvider>
  );
  return { i18n, ...render(ui, { wrapper }) };
}
