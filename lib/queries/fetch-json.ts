/** An error answer from Meshdeck's own API, with the status and the server's message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** fetch() for Meshdeck's API: JSON in and out, and non-2xx answers thrown as HttpError. */
export async function fetchJson<T>(input: string, init?: RequestInit): Promise<T> {
  const response = await fetch(input, {
    ...init,
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}), ...init?.headers },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { message?: string; reason?: string } } | undefined)?.error;
    throw new HttpError(response.status, error?.message ?? `Request failed with ${response.status} ${response.statusText}`, error?.reason, body);
  }
  return body as T;
}
