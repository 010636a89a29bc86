/**
 * Preloaded into a ytconv process (`--import`) by tests of what start-up loads: when the process
 * creates its first child, writes every module loaded so far, ours and node's own, as JSON to the
 * file named by FIRST_CHILD_PROBE.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

export interface FirstChildProbe {
  /** URLs of the modules imported: file: and node:. */
  modules: string[];
  /** Node's internal modules (`process.moduleLoadList`, undocumented), which no import hook sees. */
  builtins: string[];
}

const modules: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    modules.push(url);
    return nextLoad(url, context);
  },
});

function onFirstChild(): void {
  unsubscribe('child_process', onFirstChild);
  const { moduleLoadList } = process as unknown as { moduleLoadList: string[] };
  const probe: FirstChildProbe = { modules, builtins: [...moduleLoadList] };
  writeFileSync(process.env.FIRST_CHILD_PROBE ?? '', JSON.stringify(probe));
}
subscribe('child_process', onFirstChild);
