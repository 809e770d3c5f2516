// A QR code's modules as the rectangles to draw: each horizontal run of dark modules in a row
// becomes one rectangle (a few hundred instead of a thousand or more single modules).

export interface QrRun {
  x: number;
  y: number;
  length: number;
}

/** The runs of dark modules of a `width` × `width` code given row by row. */
export function qrRuns(width: number, dark: readonly boolean[]): QrRun[] {
  const runs: QrRun[] = [];
  if (width <= 0 || dark.length !== width * width) return runs;
  for (let y = 0; y < width; y++) {
    let start = -1;
    for (let x = 0; x <= width; x++) {
      const on = x < width && dark[y * width + x] === true;
      if (on && start < 0) start = x;
      if (!on && start >= 0) {
        runs.push({ x: start, y, length: x - start });
        start = -1;
      }
    }
  }
  return runs;
}
