import type { StylePreset } from '../../electron/contract.js';
import { styleSpec } from '../../electron/engine/tools/style/spec.js';
import { api } from '../api.js';
import { attempt, imageOf, session } from './document.svelte.js';
import { messages } from './messages.svelte.js';

export interface StyleChoice {
  preset: string;
  strength: number;
  keepColours: boolean;
}

const THUMB_SIZE = 128;
const defaults = styleSpec.params.parse({});

/** Style's presets with thumbnails of the photo, the chosen one previewed over the layer, and a style learned from a painting. */
class StyleStore {
  presets = $state<StylePreset[]>([]);
  thumbs = $state<Record<string, string>>({});
  choice = $state<StyleChoice>({ preset: defaults.style as string, strength: defaults.strength, keepColours: defaults.keepColours });
  /** The chosen style over the active layer until it is applied. */
  preview = $state<{ layerId: string; image: HTMLImageElement } | null>(null);
  /** A style just learned from a painting, which can be kept as a preset. */
  learned = $state<number[] | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private thumbsLoading: Promise<void> = Promise.resolve();

  /** The tool's params for a choice (the user's own presets carry their vector). */
  params(c: StyleChoice = this.choice) {
    const own = this.presets.find((p) => p.id === c.preset && p.vector);
    return { style: own ? { name: own.name, vector: own.vector! } : c.preset, strength: c.strength, keepColours: c.keepColours };
  }

  async loadPresets(): Promise<void> {
    await attempt('Could not list the styles', async () => void (this.presets = await api.call('stylePresets', {})));
  }

  /** Previews the chosen style over the active layer, a moment after the last change. */
  choose(patch: Partial<StyleChoice>): void {
    this.choice = { ...this.choice, ...patch };
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () =>
        void attempt('Could not preview the style', async () => {
          const info = session.info;
          const layerId = session.active;
          if (!info || !layerId) return;
          const r = await api.call('previewTool', { docId: info.id, layerId, maxSide: styleSpec.preview.side, tool: 'style', params: this.params() });
          this.preview = { layerId, image: await imageOf(r.dataUrl) };
        }),
      150,
    );
  }

  /** Each preset without a thumbnail, rendered small on a layer one after another, so the grid fills in as they come. */
  loadThumbnails(docId: string, layerId: string): void {
    const presets = this.presets;
    this.thumbsLoading = this.thumbsLoading.then(() =>
      attempt('Could not show the styles', async () => {
        for (const p of presets) {
          if (session.info?.id !== docId) return;
          if (this.thumbs[p.id]) continue;
          const params = this.params({ preset: p.id, strength: 1, keepColours: false });
          const r = await api.call('previewTool', { docId, layerId, maxSide: THUMB_SIZE, tool: 'style', params });
          if (session.info?.id === docId) this.thumbs = { ...this.thumbs, [p.id]: r.dataUrl };
        }
      }),
    );
  }

  async savePreset(name: string): Promise<void> {
    await attempt('Could not save the style', async () => {
      if (!this.learned) return;
      this.presets = await api.call('saveStylePreset', { name, vector: this.learned });
      this.learned = null;
      this.choice = { ...this.choice, preset: `user:${name.trim()}` };
      messages.say(`Saved the style as “${name.trim()}”.`);
    });
  }

  resetForDocument(): void {
    this.preview = null;
    this.thumbs = {};
  }
}

export const style = new StyleStore();
