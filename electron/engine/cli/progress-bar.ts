export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A one-line progress bar on stderr; on a non-terminal stream, one line per tenth of the work. */
/** What a bar shows: `done`/`total` of a unit (tiles, steps, MB), with an optional note after it. */
export interface BarProgress {
  done: number;
  total: number;
  unit: string;
  message: string;
  etaSeconds: number | null;
  note?: string;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update(p: BarProgress): void; end(): void } {
  let lastDecile = -1;
  return {
    update(p) {
      if (p.total === 0) {
        stream.write(`${p.message}\n`);
        return;
      }
      const frac = p.done / p.total;
      const eta = p.etaSeconds === null ? '' : `  ETA ${clock(p.etaSeconds)}`;
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round(frac * width);
        stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} ${p.unit}${p.note ?? ''}${eta}   `);
      } else if (Math.floor(frac * 10) > lastDecile) {
        lastDecile = Math.floor(frac * 10);
        stream.write(`${p.done}/${p.total} ${p.unit}${p.note ?? ''}${eta}\n`);
      }
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
