/**
 * Whether every segment of a URL path is valid percent-encoding of UTF-8. Next decodes dynamic
 * route segments itself and, on one that does not decode (`%ff`, `%`, `%e0%80`), fails while
 * rendering its 400 page and answers 500 text before any handler runs; proxy.ts asks this first.
 */
export function decodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
