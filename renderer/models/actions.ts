/** What a panel can do about a model it needs. */
export interface ModelActions {
  onDownload: (id: string) => void;
  onCancel: (id: string) => void;
  onInstallFromFolder: (id?: string) => void;
}
