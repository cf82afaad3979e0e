import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-file.js';
import { FIXED_STYLES, styleName } from './spec.js';

export interface StylePreset {
  id: string;
  name: string;
  kind: 'fixed' | 'vector' | 'user';
  /** For the user's own styles: what to pass as `style` (name and vector). */
  vector?: number[];
}

async function userStyles(path: string): Promise<{ name: string; vector: number[] }[]> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { name: string; vector: number[] }[];
  } catch {
    return [];
  }
}

/** The styles the Style panel and batch offer: the catalog's painters and the user's own (saved in `userStylesPath`). */
export class StyleLibrary {
  constructor(
    /** Where the catalog's style vectors are, once verified. */
    private readonly vectorsPath: () => Promise<string>,
    private readonly userStylesPath: string,
  ) {}

  /** Monet first, then the painters' vectors (the average Monet is Monet itself), the fixed styles and the user's own. */
  async presets(): Promise<StylePreset[]> {
    const vectors = (JSON.parse(await readFile(await this.vectorsPath(), 'utf8')) as { vectors: Record<string, number[]> }).vectors;
    const own = await userStyles(this.userStylesPath);
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

  /** Keeps a style learned from a painting under a name (replacing one of the same name), atomically; answers with every preset. */
  async save(name: string, vector: number[]): Promise<StylePreset[]> {
    const styles = (await userStyles(this.userStylesPath)).filter((u) => u.name !== name);
    styles.push({ name, vector });
    await writeFileAtomic(this.userStylesPath, JSON.stringify(styles));
    return this.presets();
  }
}
