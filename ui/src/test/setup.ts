import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// happy-dom does no layout: give elements a size so that the virtual list renders rows.
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 800 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});
