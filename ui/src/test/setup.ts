import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

// The suite runs files in parallel on two cores: leave async checks some slack.
configure({ asyncUtilTimeout: 4000 });

// happy-dom does no layout: give elements a size so that the virtual list renders rows.
for (const [name, value] of [['clientHeight', 600], ['offsetHeight', 600], ['clientWidth', 800], ['offsetWidth', 800]] as const) {
  Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});
