import { useId, useState } from 'react';
import type { CommandError } from '../api';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import { ErrorAlert } from './common';
import { baseName } from '../lib/format';
import type { Importer } from '../lib/useImporter';

export function Import({ importer }: { importer: Importer }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  // The dialogs open in the backend, which answers with tokens for what was chosen.
  const [pickError, setPickError] = useState<CommandError | null>(null);
  const { running, progress, report, error } = importer;

  async function pickFiles() {
    const r = await api.pickEmlFiles();
    setPickError(r.status === 'ok' ? null : r.error);
    if (r.status === 'ok' && r.data.length > 0) void importer.run(r.data);
  }

  async function pickFolder() {
    const r = await api.pickEmlFolder();
    setPickError(r.status === 'ok' ? null : r.error);
    if (r.status === 'ok' && r.data) void importer.run([r.data]);
  }

  const max = progress && progress.total > 0 ? progress.total : 1;
  const value = progress && progress.total > 0 ? progress.done : 0;

  return (
    <section className="import" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('import.title')}</h1>
      <p>{t('import.intro')}</p>
      <div className="form-actions">
        <button type="button" onClick={pickFiles} disabled={running} data-testid="import-pick-files">
          {t('import.pickFiles')}
        </button>
        <button type="button" onClick={pickFolder} disabled={running} data-testid="import-pick-folder">
          {t('import.pickFolder')}
        </button>
      </div>
      <p className="drop-hint">{t('import.dropHint')}</p>
      {progress && (
        <div className="import-progress">
          <label htmlFor={`${id}-progress`}>{t('import.progress')}</label>
          <progress id={`${id}-progress`} data-testid="import-progress" value={value} max={max} />
          <span role="status" aria-live="polite">
            {running && progress.total === 0 ? t('import.preparing') : t('import.progressText', { done: progress.done, total: progress.total })}
          </span>
        </div>
      )}
      <ErrorAlert error={error ?? pickError} />
      {report && (
        <section aria-labelledby={`${id}-report`}>
          <h2 id={`${id}-report`}>{t('import.report')}</h2>
          <p role="status">{t('import.totals', { imported: report.imported, duplicates: report.duplicates, failed: report.failed })}</p>
          {/* A data table: in a narrow window it may scroll sideways in its own box, alone. */}
          <div className="table-scroll" role="group" aria-labelledby={`${id}-report`} tabIndex={0}>
            <table className="report" data-testid="import-report" aria-labelledby={`${id}-report`}>
              <thead>
                <tr>
                  <th scope="col">{t('import.file')}</th>
                  <th scope="col">{t('import.status')}</th>
                  <th scope="col">{t('import.error')}</th>
                </tr>
              </thead>
              <tbody>
                {report.files.map((file, i) => (
                  <tr key={i} data-testid="import-row" data-status={file.status} className={`import-${file.status}`}>
                    <td title={file.path}>{baseName(file.path)}</td>
                    <td>{t(`import.statuses.${file.status}`)}</td>
                    <td>{file.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  );
}
