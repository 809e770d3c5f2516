import { MARK, mark } from './lib/perf';
import { tauriApi } from './api';
import { mount } from './mount';

mark(MARK.script);
mount(tauriApi);
