// The main screen's code (the shell and every view behind it), loaded apart from the first
// screens': the page's script then starts sooner, and the unlock screen shows sooner. The unlock
// screen asks for it on its first idle moment (`Warmup`), while the passphrase is typed, so it
// is there when the profile opens.

type MainScreen = typeof import('../components/Shell');

let loaded: MainScreen | null = null;
let loading: Promise<MainScreen> | null = null;

/** Loads the main screen's code once; the promise of the first call is shared. */
export function loadMainScreen(): Promise<MainScreen> {
  loading ??= import('../components/Shell').then(
    (m) => {
      loaded = m;
      return m;
    },
    (e: unknown) => {
      // Asked again at the next call.
      loading = null;
      throw e;
    },
  );
  return loading;
}

/** The main screen's code if it is loaded. */
export function mainScreen(): MainScreen | null {
  return loaded;
}
