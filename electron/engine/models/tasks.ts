/** What models are for. No Node imports: the contract and the renderer use these too. */
export const MODEL_TASKS = ['superres', 'style', 'style-predict', 'style-vectors', 'lowlight', 'lowlight-raw', 'inpaint'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** Tasks a user may add a model of their own for, and the catalog model whose contract it must meet. */
export const CUSTOM_MODEL_TASKS = { superres: 'realesr-general-x4v3', lowlight: 'iat_lol', inpaint: 'ganvas-inpaint-v0' } as const satisfies Partial<Record<ModelTask, string>>;
export type CustomModelTask = keyof typeof CUSTOM_MODEL_TASKS;
