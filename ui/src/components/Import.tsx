import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api';
import { ErrorAlert } from './common';
import { baseName } from '../lib/format';
import type { Importer } from '../lib/useImporter';

export function Import({ importer }: { importer: Importer }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [paths, setPaths] = useState('');
  const { running, progress, report, error } = importer;

  async function pickFiles() {
    const files = await api.pickEmlFiles(t('import.emlFilter'));
    if (files.length > 0) void importer.run(files);
  }

  async function pickFolder() {
    const dir = await api.pickDirectory();
    if (dir) void importer.run([dir]);
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
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void importer.run(paths.split('\n'));
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-paths`}>{t('import.paths')}</label>
          <textarea id={`${id}-paths`} data-testid="import-paths" rows={5} value={paths} onChange={(e) => setPaths(e.target.value)} placeholder={t('import.pathsPlaceholder')} aria-describedby={`${id}-paths-hint`} />
          <p id={`${id}-paths-hint`} className="field-hint">
            {t('import.pathsHint')}
          </p>
        </div>
        <button type="submit" className="primary" data-testid="import-submit" disabled={running || paths.trim() === ''} aria-busy={running}>
          {t('import.submit')}
        </button>
      </form>
      {progress && (
        <div className="import-progress">
          <label htmlFor={`${id}-progress`}>{t('import.progress')}</label>
          <progress id={`${id}-progress`} data-testid="import-progress" value={value} max={max} />
          <span role="status" aria-live="polite">
            {running && progress.total === 0 ? t('import.preparing') : t('import.progressText', { done: progress.done, total: progress.total })}
          </span>
        </div>
      )}
      <ErrorAlert error={error} />
      {report && (
        <section aria-labelledby={`${id}-report`}>
          <h2 id={`${id}-report`}>{t('import.report')}</h2>
          <p role="status">{t('import.totals', { imported: report.imported, duplicates: report.duplicates, failed: report.failed })}</p>
          <table className="report" data-testid="import-report">
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
        </section>
      )}
    </section>
  );
}
