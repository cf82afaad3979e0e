import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { GanvasError, errorMessage } from './errors.js';

/**
 * Checks that `path` is a regular file this process can read, before anything opens it: opening a
 * FIFO blocks until a writer comes (forever, and it holds one of libuv's few file threads), a
 * folder fails with a bare EISDIR, and a file without read permission would be misreported by the
 * decoder as "not an image". `what` names the kind of file in messages ("photo", "recipe", …).
 */
export async function checkReadableFile(path: string, what = 'file'): Promise<{ size: number }> {
  const name = basename(path);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new GanvasError(
      err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'NOT_FOUND' : 'IMAGE_UNREADABLE',
      `${name} cannot be opened: ${describeFsError(err, path)}.`,
      { cause: err },
    );
  });
  if (info.isDirectory()) throw new GanvasError('INVALID_INPUT', `${name} is a folder, not a ${what}.`);
  if (!info.isFile())
    throw new GanvasError('INVALID_INPUT', `${name} is not a regular file (it is ${specialKind(info)}), so it cannot be opened as a ${what}.`);
  await access(path, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
    throw new GanvasError('IMAGE_UNREADABLE', `${name} cannot be opened: ${describeFsError(err, path)}.`, { cause: err });
  });
  if (info.size === 0) throw new GanvasError('IMAGE_UNREADABLE', `${name} is empty (0 bytes).`);
  return { size: info.size };
}

function specialKind(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * A file system error in words, without the errno jargon and with the user's own file name (never
 * the hidden temporary file's a save was writing). `writing`: a missing path is a missing folder.
 */
export function describeFsError(err: unknown, path: string, writing = false): string {
  // A system error, or one of ours that wraps it.
  const code = (err as { cause?: NodeJS.ErrnoException } | null)?.cause?.code ?? (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return writing ? `the folder ${dirname(path)} does not exist` : 'it does not exist';
    case 'ENOTDIR':
      return `a folder on the way to ${basename(path)} is a file`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'it is a symbolic link that leads back to itself';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the disk is read-only';
    case 'ENAMETOOLONG':
      return 'the name is too long for the file system';
    case 'EISDIR':
      return `${basename(path)} is a folder`;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    default:
      return errorMessage(err);
  }
}
