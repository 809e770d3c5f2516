import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// happy-dom does no layout: give elements a size so that the virtual list renders rows.
for (const [name, value] of [['clientHeight', 600], ['offsetHeight', 600], ['clientWidth', 800], ['offsetWidth', 800]] as const) {
  Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});
