import type { StylePreset } from '../../electron/contract.js';
import { styleSpec } from '../../electron/engine/tools/style/spec.js';
import { api } from '../api.js';
import { on } from '../event-bus.js';
import { attempt, blobOf, imageOf, session } from './document.svelte.js';
import { messages } from './messages.svelte.js';
import { tools, type ToolParams } from './tools.svelte.js';

type StyleParams = ToolParams['style'];

const THUMB_SIZE = 128;

/** Style's presets with thumbnails of the photo, the chosen one previewed over the layer, and a style learned from a painting. */
class StyleStore {
  presets = $state<StylePreset[]>([]);
  /** Each preset's thumbnail as an object URL for an <img>. */
  thumbs = $state<Record<string, string>>({});
  /** The chosen style over the active layer until it is applied. */
  preview = $state<{ layerId: string; image: ImageBitmap } | null>(null);
  /** A style just learned from a painting, which can be kept as a preset. */
  learned = $state<number[] | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private thumbsLoading: Promise<void> = Promise.resolve();

  /** The settings as a run takes them: the user's own presets are theirs alone, so they go as their vector. */
  sendable(p: StyleParams = tools.params.style): StyleParams {
    const own = this.presets.find((x) => x.id === p.style && x.vector);
    return { ...p, style: own ? { name: own.name, vector: own.vector! } : p.style };
  }

  async loadPresets(): Promise<void> {
    await attempt('Could not list the styles', async () => void (this.presets = await api.call('stylePresets', {})));
  }

  /** Previews the chosen style over the active layer, a moment after the last change. */
  schedulePreview(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () =>
        void attempt('Could not preview the style', async () => {
          const info = session.info;
          const layerId = session.active;
          if (!info || !layerId) return;
          const r = await api.call('previewTool', { docId: info.id, layerId, maxSide: styleSpec.preview.side, tool: 'style', params: this.sendable() });
          this.preview = { layerId, image: await imageOf(r) };
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
          const params = this.sendable({ ...tools.params.style, style: p.id, strength: 1, keepColours: false });
          const r = await api.call('previewTool', { docId, layerId, maxSide: THUMB_SIZE, tool: 'style', params });
          if (session.info?.id === docId) this.thumbs = { ...this.thumbs, [p.id]: URL.createObjectURL(blobOf(r)) };
        }
      }),
    );
  }

  async savePreset(name: string): Promise<void> {
    await attempt('Could not save the style', async () => {
      if (!this.learned) return;
      this.presets = await api.call('saveStylePreset', { name, vector: this.learned });
      this.learned = null;
      tools.params.style = { ...tools.params.style, style: `user:${name.trim()}` };
      messages.say(`Saved the style as “${name.trim()}”.`);
    });
  }

  resetForDocument(): void {
    this.preview = null;
    Object.values(this.thumbs).forEach((url) => URL.revokeObjectURL(url));
    this.thumbs = {};
  }
}

export const style = new StyleStore();

on('job-done', (e) => {
  if (e.styleVector) style.learned = e.styleVector;
});
// A preview was of the layer as it was.
on('result-shown', () => (style.preview = null));
