import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { ApiContext, type Api } from '../api';
import { createI18n } from '../i18n';

/** Renders `ui` in French with `api` as the backend. */
export function renderWith(ui: ReactElement, api: Api, lang: 'fr' | 'en' = 'fr') {
  const i18n = createI18n(lang);
  return {
    i18n,
    ...render(
      <I18nextProvider i18n={i18n}>
        <ApiContext.Provider value={api}>{ui}</ApiContext.Provider>
      </I18nextProvider>,
    ),
  };
}
