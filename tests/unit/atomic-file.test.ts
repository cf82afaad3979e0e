import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeLeftoverTemps, tempPathBeside } from '../../electron/engine/atomic-file.js';

describe('temporary files of interrupted saves', () => {
  it('removes those of dead writers on this machine only, never a live writer’s or another machine’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganvas-temps-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const ours = basename(tempPathBeside(join(dir, 'photo.png')));
    expect(ours).toMatch(new RegExp(`^\\.ganvas-.+-${process.pid}-[0-9a-f]{8}\\.tmp$`));
    const names = {
      deadHere: ours.replace(`-${process.pid}-`, `-${dead}-`),
      liveHere: ours,
      deadElsewhere: `.ganvas-render-node-7-${dead}-0badf00d.tmp`,
      // Names this app no longer makes can be the user's own files (an audit lost `.report.<pid>-<hex>.tmp` so).
      olderName: `.ganvas-${dead}-0badf00d.tmp`,
      usersOwn: `.report.${dead}-0badf00d.tmp`,
      notOurs: '.notes.txt.tmp',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'half a file');
    await removeLeftoverTemps(dir);
    expect(readdirSync(dir).sort()).toEqual([names.liveHere, names.deadElsewhere, names.olderName, names.usersOwn, names.notOurs].sort());
  });
});
