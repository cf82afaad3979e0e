/**
 * The formats Ganvas writes, what each can hold and what it is called. No Node imports: the
 * Export and Batch dialogs list these too.
 */
export const EXPORT_FORMATS = ['png', 'jpeg', 'webp', 'tiff', 'psd', 'ora'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Formats that keep a document's layers (a flat image becomes one layer). */
export const LAYERED_FORMATS = ['psd', 'ora'] as const;
export type LayeredFormat = (typeof LAYERED_FORMATS)[number];

/** What the Open dialog offers besides photos and projects: layered files, opened as layers. */
export const LAYERED_EXTENSIONS = ['psd', 'ora'];

export const FORMAT_NAMES: Record<ExportFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  tiff: 'TIFF',
  psd: 'Photoshop (PSD, layers)',
  ora: 'OpenRaster (ORA, layers: GIMP, Krita)',
};

export function isLayeredFormat(format: ExportFormat): format is LayeredFormat {
  return (LAYERED_FORMATS as readonly string[]).includes(format);
}

/** 16 only where the format can hold it: PNG, TIFF, PSD and OpenRaster's PNG layers; JPEG and WebP have 8. */
export function supports16Bit(format: ExportFormat): boolean {
  return format !== 'jpeg' && format !== 'webp';
}

/** The usual file extension for a format (no dot). */
export function extensionFor(format: ExportFormat): string {
  return format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format;
}

/** The format a file name asks for, from its extension; null for one Ganvas does not write. */
export function formatFromPath(path: string): ExportFormat | null {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'tif' || ext === 'tiff') return 'tiff';
  return (EXPORT_FORMATS as readonly string[]).includes(ext) ? (ext as ExportFormat) : null;
}

/** The largest side each format can hold (WebP's is 16383 px; JPEG's 65535; PSD's 30000). */
export const MAX_SIDE: Record<ExportFormat, number> = { png: 2 ** 31 - 1, jpeg: 65_535, webp: 16_383, tiff: 2 ** 31 - 1, psd: 30_000, ora: 2 ** 31 - 1 };
