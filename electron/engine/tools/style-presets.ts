import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { FIXED_STYLES } from './style.js';

export interface StylePreset {
  id: string;
  name: string;
  kind: 'fixed' | 'vector' | 'user';
  /** For the user's own styles: what to pass as `style` (name and vector). */
  vector?: number[];
}

const STYLE_NAMES: Record<string, string> = {
  vangogh_starry_night: 'Van Gogh — Starry Night',
  hokusai_great_wave: 'Hokusai — The Great Wave (ukiyo-e)',
  munch_scream: 'Munch — The Scream',
  kandinsky_composition: 'Kandinsky — Composition',
  monet_water_lilies: 'Monet — Water Lilies',
  monet_poplars_meadow: 'Monet — Poplars',
  monet_seaside_cliffs: 'Monet — Seaside Cliffs',
  monet_garden_bright: 'Monet — Garden',
};

/** A display name for a style vector's key (new keys read as their words). */
function styleName(id: string): string {
  const words = id.replace(/_/g, ' ');
  return STYLE_NAMES[id] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

async function userStyles(path: string): Promise<{ name: string; vector: number[] }[]> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { name: string; vector: number[] }[];
  } catch {
    return [];
  }
}

/**
 * Monet first, then the painters' vectors (the average Monet is Monet itself), the fixed
 * styles and the user's own, saved in `userStylesPath`.
 */
export async function listStylePresets(vectorsPath: string, userStylesPath: string): Promise<StylePreset[]> {
  const vectors = (JSON.parse(await readFile(vectorsPath, 'utf8')) as { vectors: Record<string, number[]> }).vectors;
  const own = await userStyles(userStylesPath);
  return [
    { id: 'monet', name: FIXED_STYLES.monet!.name, kind: 'fixed' },
    ...Object.keys(vectors)
      .filter((k) => k !== 'monet_average_120')
      .map((id) => ({ id, name: styleName(id), kind: 'vector' as const })),
    ...Object.entries(FIXED_STYLES)
      .filter(([id]) => id !== 'monet')
      .map(([id, f]) => ({ id, name: f.name, kind: 'fixed' as const })),
    ...own.map((u) => ({ id: `user:${u.name}`, name: u.name, kind: 'user' as const, vector: u.vector })),
  ];
}

/** Adds (or replaces, by name) one of the user's styles, writing the file atomically. */
export async function saveUserStyle(userStylesPath: string, name: string, vector: number[]): Promise<void> {
  const styles = (await userStyles(userStylesPath)).filter((u) => u.name !== name);
  styles.push({ name, vector });
  await writeFileAtomic(userStylesPath, JSON.stringify(styles));
}
