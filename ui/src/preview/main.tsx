// /preview.html in `npm run dev`: the interface against a simulated backend (see previewApi).
// `?onboarding` starts without a profile; `?items=N` sets the number of items.

import { mount } from '../mount';
import { previewApi } from './previewApi';

const params = new URLSearchParams(window.location.search);
mount(previewApi({ profileExists: !params.has('onboarding'), items: Number(params.get('items') ?? 100_000) }));
