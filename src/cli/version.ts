/** `edgelb version`: one line, fast (measured cold start is in the README). */
import { versionLine } from '../version.ts'
import { EXIT_OK, type Command, type Io } from './types.ts'

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version and build commit',
  usage: `usage: edgelb version\n\nPrints 'edgelb VERSION (commit COMMIT)'.`,
  async run(_args: string[], io: Io): Promise<number> {
    io.out(versionLine())
    return EXIT_OK
  },
}
