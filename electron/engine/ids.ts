/**
 * The ids of documents, layers and jobs are different types, so one cannot be passed where another
 * is meant. They are made here, or checked at the IPC boundary by these schemas; nowhere else does
 * a string become one. No Node imports: the contract and the renderer use them.
 */
import { z } from 'zod';

const idText = z.string().min(1).max(64);
export const docIdSchema = idText.brand<'DocId'>();
export const layerIdSchema = idText.brand<'LayerId'>();
export const jobIdSchema = idText.brand<'JobId'>();

export type DocId = z.output<typeof docIdSchema>;
export type LayerId = z.output<typeof layerIdSchema>;
export type JobId = z.output<typeof jobIdSchema>;

export const docId = (n: number) => `doc-${n}` as DocId;
export const layerId = (n: number) => `layer-${n}` as LayerId;
export const jobId = (n: number) => `job-${n}` as JobId;
