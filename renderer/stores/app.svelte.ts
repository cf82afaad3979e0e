import type { ModelListing, ProviderReport, RecoveryEntry, Settings } from '../../electron/contract.js';
import type { CustomModelTask } from '../../electron/engine/models/tasks.js';
import { api } from '../api.js';
import { on } from '../event-bus.js';
import type { ModelActions } from '../models/actions.js';
import { attempt } from './document.svelte.js';
import { messages } from './messages.svelte.js';

export type DialogName = 'help' | 'export' | 'settings' | 'models' | 'batch';

/** What is not about the photo: settings, models, autosaves left by a crash, and which dialog is open. */
class AppStore {
  settings = $state<Settings | null>(null);
  /** Every catalog model with its state (and its download while one runs). */
  models = $state<ModelListing[]>([]);
  /** The execution providers, the GPU and what each loaded model runs on: asked for when Settings or Models opens. */
  providers = $state<ProviderReport | null>(null);
  recovery = $state<RecoveryEntry[]>([]);
  /** Recently opened photos and projects, for the start screen. */
  recent = $state<{ path: string; name: string }[]>([]);
  dialog = $state<DialogName | null>(null);

  modelsFor(task: ModelListing['task']): ModelListing[] {
    return this.models.filter((m) => m.task === task);
  }

  async load(): Promise<void> {
    await attempt('Could not read the settings', async () => {
      this.settings = await api.call('getSettings', {});
      this.recovery = await api.call('recoverable', {});
    });
    await this.loadRecent();
  }

  loadRecent(): Promise<void> {
    return attempt('Could not list the recent files', async () => void (this.recent = await api.call('recentFiles', {})));
  }

  refreshModels(): Promise<void> {
    return attempt('Could not list the models', async () => void (this.models = await api.call('models', {})));
  }

  refreshProviders(): Promise<void> {
    return attempt('Could not list the execution providers', async () => void (this.providers = await api.call('providers', {})));
  }

  saveSettings(patch: Partial<Settings>): Promise<void> {
    this.dialog = null;
    return attempt('Could not save the settings', async () => void (this.settings = await api.call('updateSettings', patch)));
  }

  readonly modelActions: ModelActions = {
    onDownload: (id) => void attempt('Could not download the model', async () => void (await api.call('downloadModel', { id }))),
    onCancel: (id) => void attempt('Could not cancel the download', async () => void (await api.call('cancelModelDownload', { id }))),
    onInstallFromFolder: (id) =>
      void attempt('Could not install the models', async () => {
        const r = await api.call('installModelsWithDialog', id ? { ids: [id] } : {});
        if (!r) return;
        if (r.failed.length) messages.warn(r.failed.map((f) => f.reason).join(' '));
        else messages.say(`Installed ${r.installed.length} model(s).`);
      }),
  };

  removeModel(id: string): Promise<void> {
    return attempt('Could not remove the model', async () => void (await api.call('removeModel', { id })));
  }

  verifyModel(id: string): Promise<void> {
    return attempt('Could not check the model', async () => {
      const m = await api.call('verifyModel', { id });
      if (m.state === 'corrupt') messages.warn(`${m.displayName}: damaged (${m.detail}).`);
      else messages.say(`${m.displayName}: verified, sha256 matches.`);
    });
  }

  addCustomModel(task: CustomModelTask, name: string): Promise<void> {
    return attempt('Could not add the model', async () => {
      const m = await api.call('addCustomModelWithDialog', { task, name });
      if (m) messages.say(`Added “${m.displayName}” for ${m.usedBy.join(' and ')}.`);
    });
  }
}

export const app = new AppStore();

on('model-progress', (e) => (app.models = app.models.map((m) => (m.id === e.progress.id ? { ...m, state: 'downloading', progress: e.progress } : m))));
on('models-changed', () => app.refreshModels());
on('model-installed', (e) => messages.say(`Installed “${app.models.find((m) => m.id === e.id)?.displayName ?? e.id}”.`));
on('model-download-failed', (e) => {
  if (e.error.code !== 'CANCELLED') messages.fail('The download did not finish', e.error);
  else messages.say(e.error.message);
});
