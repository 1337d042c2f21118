// Loads the platform's manifests for the tests (and for anything else that needs them parsed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export const manifestDir = new URL('.', import.meta.url).pathname;

/** Every object in k8s/istio/*.yaml, with the file it came from, in file order. */
export function loadManifests(dir = manifestDir): { file: string; object: ManifestObject }[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => doc.toJS() as ManifestObject | null)
      .filter((object): object is ManifestObject => object !== null)
      .map((object) => ({ file, object })),
  );
}

/** The one object of a kind and name; throws if it is missing so a test names what is absent. */
export function findObject(kind: string, name: string, dir = manifestDir): ManifestObject {
  const found = loadManifests(dir).find(({ object }) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not in k8s/istio`);
  return found.object;
}
