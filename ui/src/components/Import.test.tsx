import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Result } from '../api';
import type { ImportProgressEvent, ImportReportDto_Serialize } from '../bindings';
import { err, fakeApi, ok } from '../test/fakeApi';
import { renderWith } from '../test/render';
import { useImporter } from '../lib/useImporter';
import { useApi } from '../api';
import { Import } from './Import';

function Harness() {
  const importer = useImporter(useApi(), () => undefined);
  return <Import importer={importer} />;
}

const REPORT: ImportReportDto_Serialize = {
  files: [
    { path: '/m/1.eml', status: 'imported', itemId: 'a', error: null },
    { path: '/m/2.eml', status: 'duplicate', itemId: 'b', error: null },
    { path: '/m/3.eml', status: 'failed', itemId: null, error: 'not an email' },
  ],
  imported: 1,
  duplicates: 1,
  failed: 1,
};

describe('import', () => {
  it('imports what the file picker grants, shows the progress, then the report per file', async () => {
    let progress: ((p: ImportProgressEvent) => void) | undefined;
    let finish: ((r: Result<ImportReportDto_Serialize>) => void) | undefined;
    const importEml = vi.fn(() => new Promise<Result<ImportReportDto_Serialize>>((r) => (finish = r)));
    const api = fakeApi({
      importEml,
      pickEmlFiles: vi.fn(async () => ok(['t1/1.eml', 't2/2.eml'])),
      onImportProgress: vi.fn(async (cb) => {
        progress = cb;
        return () => undefined;
      }),
    });
    renderWith(<Harness />, api);
    // The page has no field for a path: files come only through the backend's dialog.
    expect(screen.queryByTestId('import-paths')).toBeNull();
    fireEvent.click(screen.getByTestId('import-pick-files'));
    await waitFor(() => expect(importEml).toHaveBeenCalledWith(['t1/1.eml', 't2/2.eml']));

    act(() => progress?.({ done: 2, total: 3 }));
    const bar = screen.getByTestId('import-progress') as HTMLProgressElement;
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar.getAttribute('max')).toBe('3');
    expect(bar.getAttribute('value')).toBe('2');
    expect(screen.getByText('2 / 3')).toBeTruthy();

    await act(async () => finish?.(ok(REPORT)));
    const table = await screen.findByTestId('import-report');
    // The data table is named by the report's heading.
    expect(document.getElementById(table.getAttribute('aria-labelledby') ?? '')?.tagName).toBe('H2');
    const rows = within(table).getAllByTestId('import-row');
    expect(rows.map((r) => r.dataset.status)).toEqual(['imported', 'duplicate', 'failed']);
    expect(rows.map((r) => r.children[1]?.textContent)).toEqual(['importé', 'doublon', 'échec']);
    expect(rows[2]!.textContent).toContain('not an email');
    expect(screen.getByText(/Importés : 1 · doublons : 1 · échecs : 1/)).toBeTruthy();
    expect(bar.getAttribute('value')).toBe('3');
  });

  it('imports the tokens the file and folder pickers return, and nothing when cancelled', async () => {
    const pickEmlFiles = vi.fn().mockResolvedValueOnce(ok([])).mockResolvedValueOnce(ok(['ta/a.eml', 'tb/b.eml']));
    const api = fakeApi({ pickEmlFiles, pickEmlFolder: vi.fn(async () => ok('tc/courriels')), importEml: vi.fn(async () => ok(REPORT)) });
    renderWith(<Harness />, api);
    fireEvent.click(screen.getByTestId('import-pick-files'));
    await waitFor(() => expect(pickEmlFiles).toHaveBeenCalledTimes(1));
    expect(api.importEml).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('import-pick-files'));
    await waitFor(() => expect(api.importEml).toHaveBeenCalledWith(['ta/a.eml', 'tb/b.eml']));
    await screen.findByTestId('import-report');
    fireEvent.click(screen.getByTestId('import-pick-folder'));
    await waitFor(() => expect(api.importEml).toHaveBeenLastCalledWith(['tc/courriels']));
  });

  it('shows why the dialog could not be opened', async () => {
    const api = fakeApi({ pickEmlFiles: vi.fn(async () => err('internal', null, 'no dialog')) });
    renderWith(<Harness />, api);
    fireEvent.click(screen.getByTestId('import-pick-files'));
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(api.importEml).not.toHaveBeenCalled();
  });
});
