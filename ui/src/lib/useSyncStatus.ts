// The sync's status as the backend last told it: asked once when mounted, then kept by the
// `SyncStatusEvent`s. `replace` sets it from a command's answer (syncNow, joinRelay, shares).

import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import type { SyncStatusDto_Serialize } from '../bindings';
import { useListen } from './useListen';

export type SyncStatus = SyncStatusDto_Serialize;

export function useSyncStatus(api: Api): { status: SyncStatus | null; replace: (s: SyncStatus) => void } {
  const [status, setStatus] = useState<SyncStatus | null>(null);

  useEffect(() => {
    let live = true;
    void api.syncStatus().then((r) => {
      // An event may have come first: it is newer.
      if (live && r.status === 'ok') setStatus((s) => s ?? r.data);
    });
    return () => {
      live = false;
    };
  }, [api]);

  useListen(api.onSyncStatus, (e) => setStatus(e.status));
  const replace = useCallback((s: SyncStatus) => setStatus(s), []);
  return { status, replace };
}
