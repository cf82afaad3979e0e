/**
 * The models each tool offers by default, by catalog id. No Node imports: the renderer shows the
 * same choices (and asks the engine about each one's install state) from this one place.
 */
export const ENHANCE_MODELS = { fast: 'realesr-general-x4v3', hq: 'realesrgan-x4plus' } as const;

export const LOWLIGHT_MODELS = ['iat_lol', 'sci_easy', 'sci_medium', 'sci_difficult'] as const;

export const DEFAULT_INPAINT_MODEL = 'ganvas-inpaint-v0';

/** Offered to users with a network the first time they erase (a one-click download). */
export const BETTER_INPAINT_MODEL = 'migan-pipeline-v2';
