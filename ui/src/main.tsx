import { tauriApi } from './api';
import { mount } from './mount';

mount(tauriApi);
