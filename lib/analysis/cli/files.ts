// The files `npm run analyze` reads, chosen as istioctl does: a directory gives its .yaml,
// .yml and .json files (its subdirectories too with --recursive), anything else is skipped
// with a note, and `-` is standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export const FILE_EXTENSIONS = ['.json', '.yaml', '.yml'];

export interface Source {
  /** The path as given or found (`-` for standard input). */
  name: string;
  read(): Promise<string> | string;
}

/** The sources named by `paths`, in order (a directory's files sorted by name), and notes about skipped files. */
export function gatherSources(paths: readonly string[], recursive: boolean, readStdin: () => Promise<string>): { sources: Source[]; notes: string[] } {
  const sources: Source[] = [];
  const notes: string[] = [];
  const skip = (path: string) => notes.push(`Skipping file ${path}, recognized file extensions are: [${FILE_EXTENSIONS.join(' ')}]`);
  const file = (path: string) => (FILE_EXTENSIONS.includes(extname(path)) ? sources.push({ name: path, read: () => readFileSync(path, 'utf8') }) : skip(path));
  const directory = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) directory(path);
      } else file(path);
    }
  };
  for (const path of paths) {
    if (path === '-') sources.push({ name: '-', read: readStdin });
    else if (statSync(path).isDirectory()) directory(path);
    else file(path);
  }
  return { sources, notes };
}
