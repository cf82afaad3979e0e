import type { ModelListing } from '../../electron/contract.js';
import { clock } from '../time.js';

export function megabytes(bytes: number | null): string {
  if (bytes === null) return 'size unknown';
  return bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} KB` : `${(bytes / 1e6).toFixed(1)} MB`;
}


/** "12.0 of 28.1 MB · 3.2 MB/s · 0:05 left" */
export function downloadText(m: ModelListing): string {
  const p = m.progress;
  if (!p) return 'Starting…';
  const parts = [`${megabytes(p.bytesDone).replace(' MB', '')} of ${megabytes(p.bytesTotal)}`];
  if (p.bytesPerSecond) parts.push(`${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`);
  if (p.etaSeconds !== null) parts.push(`${clock(p.etaSeconds)} left`);
  return parts.join(' · ');
}

export const STATE_LABEL: Record<ModelListing['state'], string> = {
  bundled: 'Comes with Ganvas',
  installed: 'Installed',
  missing: 'Not installed',
  corrupt: 'Damaged',
  downloading: 'Downloading',
  unavailable: 'No known source',
};

export const usable = (m: ModelListing | undefined): boolean => m?.state === 'installed' || m?.state === 'bundled';
