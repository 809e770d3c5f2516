// An import of .eml files: its progress (from the backend's events) and its report.

import { useCallback, useRef, useState } from 'react';
import { useListen } from './useListen';
import type { Api, CommandError } from '../api';
import type { ImportProgressEvent, ImportReportDto_Serialize } from '../bindings';

export interface Importer {
  running: boolean;
  progress: ImportProgressEvent | null;
  report: ImportReportDto_Serialize | null;
  error: CommandError | null;
  run(paths: string[]): Promise<void>;
}

export function useImporter(api: Api, onDone: () => void): Importer {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);
  const [report, setReport] = useState<ImportReportDto_Serialize | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const runningRef = useRef(false);
  const done = useRef(onDone);
  done.current = onDone;

  useListen(api.onImportProgress, (p) => {
    if (runningRef.current) setProgress(p);
  });

  const run = useCallback(
    async (paths: string[]) => {
      const list = paths.map((p) => p.trim()).filter((p) => p !== '');
      if (list.length === 0 || runningRef.current) return;
      runningRef.current = true;
      setRunning(true);
      setReport(null);
      setError(null);
      setProgress({ done: 0, total: 0 });
      const r = await api.importEml(list);
      runningRef.current = false;
      setRunning(false);
      if (r.status === 'ok') {
        const rep = r.data as ImportReportDto_Serialize;
        setReport(rep);
        setProgress({ done: rep.files.length, total: rep.files.length });
        done.current();
      } else setError(r.error);
    },
    [api],
  );

  return { running, progress, report, error, run };
}
